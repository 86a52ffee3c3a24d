"""The warm-container caches: small TTL caches shared by the requests one container serves.

Writes through the API empty them (in this container); other containers see a write within the TTL.
"""
import threading
from typing import Any, Callable, Dict, Hashable, Iterable


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

    def get_many(self, keys: Iterable[Hashable]) -> Dict[Hashable, Any]:
        with self._lock:
            return {k: self._entries[k] for k in keys if k in self._entries}

    def put_many(self, values: Dict[Hashable, Any]) -> None:
        with self._lock:
            self._entries.update(values)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class NoCache:
    """For services run outside a warm container (seeding, tests of the raw paths)."""

    def get_or_load(self, key, load, fresh=False):
        return load()

    def get_many(self, keys):
        return {}

    def put_many(self, values) -> None:
        pass

    def clear(self) -> None:
        pass
