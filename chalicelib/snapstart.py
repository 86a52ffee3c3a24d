"""Lambda SnapStart: before the snapshot, prepare what every restored copy may share (settings, clients, signing
keys, the logger); after each restore, make differ again what must differ between copies.

The hooks come from the runtime's `snapshot_restore_py`, which exists only in Lambda's Python runtimes (3.12+);
elsewhere nothing registers. Without SnapStart the runtime never calls them. What a function primes is named in
its SHOP_PRIME variable (ops/package.py derives it from the function's declared needs, so priming never calls
anything the function's role does not allow)."""

import os
import random

_registered = False


def register() -> bool:
    """Register the hooks with the Lambda runtime, once; False where there is no runtime to register with."""
    global _registered
    if _registered:
        return True
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(prime)
    register_after_restore(restored)
    _registered = True
    return True


def prime(items=None) -> None:
    """Everything slow that is the same in every copy, done once before the snapshot."""
    from chalicelib import observability, settings

    settings.get()
    observability.logger()
    for item in os.environ.get("SHOP_PRIME", "").split(",") if items is None else items:
        if item:
            kind, _, argument = item.partition(":")
            _PRIMERS[kind](argument)


def restored() -> None:
    """Every restored copy starts from the same memory: reseed the random state (retry jitter, Powertools
    sampling) from the OS, and let the pool's key set count as old as the snapshot really is."""
    from chalicelib import auth

    random.seed()
    auth.keys_restored()


def _client(service: str) -> None:
    from chalicelib import bootstrap

    bootstrap.services().client(service)


def _cursor_key(_: str) -> None:
    from chalicelib import bootstrap

    bootstrap.services().cursor_key


def _signing_keys(_: str) -> None:
    from chalicelib import auth

    auth.prime_keys()


_PRIMERS = {"client": _client, "cursor-key": _cursor_key, "signing-keys": _signing_keys}
