"""Opaque ids. New ids are time-ordered (ULID layout: sorting by id sorts by creation time); derived ids are
the same for the same input (an order placed with an idempotency key is named by the key)."""
import hashlib
import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    return _encode((int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big"))


def derived(text: str) -> str:
    return _encode(int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big"))


def _encode(value: int) -> str:
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def looks_like_id(text: str) -> bool:
    return len(text) == 26 and all(c in _ALPHABET for c in text)
