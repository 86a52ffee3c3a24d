"""The warm-container caches: small TTL caches shared by the requests one container serves.

Writes through the API empty them (in this container); other containers see a write within the TTL. A cache
with `stale_seconds` also keeps what it served that long, for one use only: when DynamoDB fails (throttling past
the retries, a 5xx), a read it served before is answered from that copy, and `stale_served` says so.
"""

import contextvars
import threading
from typing import Any, Callable, Dict, Hashable, Iterable, Mapping, Optional

from chalicelib import transient

# whether the current request was answered from a stale copy (the answer then carries a Warning)
stale_served: contextvars.ContextVar = contextvars.ContextVar("stale_served", default=False)


class WarmCache:
    def __init__(self, ttl_seconds: int, maxsize: int = 512, stale_seconds: int = 0) -> None:
        from cachetools import TTLCache

        self._entries: TTLCache[Hashable, Any] = TTLCache(maxsize=maxsize, ttl=ttl_seconds)
        self._stale: Optional[TTLCache[Hashable, Any]] = (
            TTLCache(maxsize=maxsize, ttl=stale_seconds) if stale_seconds else None
        )
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, load: Callable[[], Any], fresh: bool = False) -> Any:
        if not fresh:
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
        try:
            value = load()
        except Exception as exc:
            if self._stale is None or not transient.is_transient(exc):
                raise
            with self._lock:
                if key not in self._stale:
                    raise
                stale_served.set(True)
                return self._stale[key]
        with self._lock:
            self._entries[key] = value
            if self._stale is not None:
                self._stale[key] = value
        return value

    def get_many(self, keys: Iterable[Hashable]) -> Dict[Hashable, Any]:
        with self._lock:
            return {k: self._entries[k] for k in keys if k in self._entries}

    def put_many(self, values: Mapping[Any, Any]) -> None:
        with self._lock:
            self._entries.update(values)

    def clear(self) -> None:
        """Forget the fresh entries (the stale copies stay: they are served only when DynamoDB fails)."""
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
