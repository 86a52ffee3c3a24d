"""What a view reads of a request: the caller the authorizer verified, the JSON body as a msgspec model, strict
query parameters and headers."""
import re
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import msgspec

from chalicelib import errors

MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Caller:
    user_id: str
    groups: Tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return "admin" in self.groups

    def require_admin(self) -> None:
        if not self.is_admin:
            raise errors.Forbidden("this operation needs the admin role")


def caller(request) -> Caller:
    """The verified identity the authorizer put into the request context (strings only, as in API Gateway)."""
    context = (request.context or {}).get("authorizer") or {}
    user_id = context.get("user_id") or context.get("principalId")
    if not user_id:
        raise errors.Unauthenticated("no verified token on this request")
    groups = tuple(g for g in str(context.get("groups", "")).split(",") if g)
    return Caller(user_id=user_id, groups=groups)


def body(request, model: Any) -> Any:
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > MAX_BODY_BYTES:
        raise errors.PayloadTooLarge(f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    if not raw.strip():
        raise errors.InvalidInput("request body is required (a JSON object)")
    try:
        return msgspec.json.decode(raw, type=model)
    except msgspec.ValidationError as exc:
        # ValidationError is a DecodeError too: check it first
        raise errors.InvalidInput(f"invalid request body: {_describe(exc)}") from exc
    except msgspec.DecodeError as exc:
        raise errors.InvalidInput(f"request body is not valid JSON: {exc}") from exc


def _describe(exc: msgspec.ValidationError) -> str:
    text = str(exc)
    if " - at `$." in text:
        message, _, where = text.rpartition(" - at `$.")
        return f"field `{where.rstrip('`')}`: {message}"
    return text


def query(request, name: str) -> Optional[str]:
    """One query parameter's value, None when absent; given twice it is a 400 (which one would count?)."""
    params = request.query_params
    if not params or name not in params:
        return None
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
    if len(values) != 1:
        raise errors.InvalidInput(f"query parameter `{name}` is given {len(values)} times; give it once")
    return values[0]


_LIMIT = re.compile(r"[0-9]{1,3}")


def limit(request, default: int = 20, maximum: int = 100) -> int:
    """`?limit=`: ASCII digits only ('²'.isdigit() is true, and int() of thousands of digits fails)."""
    text = query(request, "limit")
    if text is None:
        return default
    if not _LIMIT.fullmatch(text) or not 1 <= int(text) <= maximum:
        raise errors.InvalidInput(f"query parameter `limit` must be an integer from 1 to {maximum} in ASCII digits")
    return int(text)


def header(request, name: str) -> Optional[str]:
    return (request.headers or {}).get(name.lower())


def wants_fresh(request) -> bool:
    """`Cache-Control: no-cache` (or no-store) on the request skips the warm-container cache."""
    directives = (header(request, "Cache-Control") or "").lower()
    return "no-cache" in directives or "no-store" in directives
