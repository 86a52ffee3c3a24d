"""Opaque ids. New ids are time-ordered (ULID layout: sorting by id sorts by creation time); derived ids are
the same for the same input (an order placed with an idempotency key is named by the key)."""

import hashlib
import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # what looks_like_id accepts, for schemas
_last = 0
_lock = threading.Lock()


def new_id() -> str:
    """Monotonic within a process: two ids made in the same millisecond still sort in the order made."""
    global _last
    candidate = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    with _lock:
        _last = candidate if candidate > _last else _last + 1
        return _encode(_last)


def derived(text: str) -> str:
    return _encode(int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big"))


def _encode(value: int) -> str:
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def looks_like_id(text: str) -> bool:
    return len(text) == 26 and all(c in _ALPHABET for c in text)
