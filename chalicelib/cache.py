"""The warm-container cache: a small TTL cache shared by the requests one container serves.

Writes through the API empty it (in this container); other containers see a write within the TTL.
"""
import threading
from typing import Any, Callable, Hashable


class WarmCache:
    def __init__(self, ttl_seconds: int, maxsize: int = 512) -> None:
        from cachetools import TTLCache
        self._entries = TTLCache(maxsize=maxsize, ttl=ttl_seconds)
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, load: Callable[[], Any], fresh: bool = False) -> Any:
        if not fresh:
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
        value = load()
        with self._lock:
            self._entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class NoCache:
    """For services run outside a warm container (seeding, tests of the raw paths)."""

    def get_or_load(self, key, load, fresh=False):
        return load()

    def clear(self) -> None:
        pass
