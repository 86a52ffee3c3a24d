"""What a view reads of a request: the caller the authorizer verified, the JSON body as a msgspec model, strict
query parameters and headers."""

import re
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from chalicelib import errors
from chalicelib.http import body as bodies
from chalicelib.http.body import MAX_BODY_BYTES


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


def raw_body(request) -> bytes:
    raw = request.raw_body or b""
    return raw.encode() if isinstance(raw, str) else raw


def body(request, model: Any, limit: int = MAX_BODY_BYTES) -> Any:
    """The JSON body as the route's model (chalicelib/http/body.py says what is refused)."""
    return bodies.decode(raw_body(request), model, limit)


def require_json_body(request) -> None:
    """A request that carries a body declares it JSON in UTF-8 (415 otherwise); one without a body needs no type."""
    headers = request.headers or {}
    if bodies.has_body(raw_body(request), headers):
        bodies.require_json(headers.get("content-type"))


def source_address(request) -> str:
    """The client's address as API Gateway saw it (never a header the client could write)."""
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def query(request, name: str) -> Optional[str]:
    """One query parameter's value, None when absent; given twice it is a 400 (which one would count?)."""
    params = request.query_params
    if not params or name not in params:
        return None
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
    if len(values) != 1:
        raise errors.InvalidInput(
            f"query parameter `{name}` is given {len(values)} times; give it once"
        )
    return values[0]


_LIMIT = re.compile(r"[0-9]{1,3}")


def limit(request, default: int = 20, maximum: int = 100) -> int:
    """`?limit=`: ASCII digits only ('²'.isdigit() is true, and int() of thousands of digits fails)."""
    text = query(request, "limit")
    if text is None:
        return default
    if not _LIMIT.fullmatch(text) or not 1 <= int(text) <= maximum:
        raise errors.InvalidInput(
            f"query parameter `limit` must be an integer from 1 to {maximum} in ASCII digits"
        )
    return int(text)


def header(request, name: str) -> Optional[str]:
    return (request.headers or {}).get(name.lower())


def wants_fresh(request) -> bool:
    """`Cache-Control: no-cache` (or no-store) on the request skips the warm-container cache."""
    directives = (header(request, "Cache-Control") or "").lower()
    return "no-cache" in directives or "no-store" in directives
