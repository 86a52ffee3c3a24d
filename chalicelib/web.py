"""The HTTP edge shared by every blueprint: one route helper, one error mapper, request parsing,
JSON answers, cache headers, cursors and the request id.

Chalice middleware never sees view exceptions (Chalice has already turned them into responses),
so errors are mapped here, in the wrapper every route goes through.
"""
import base64
import binascii
import contextvars
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

import msgspec
from chalice import Chalice, Response

from chalicelib import cache, errors, observability, transient

MAX_BODY_BYTES = 64 * 1024
JSON = "application/json"

_STATUS = [
    (errors.InvalidInput, 400, "BadRequestError"),
    (errors.Unauthenticated, 401, "UnauthorizedError"),
    (errors.Forbidden, 403, "ForbiddenError"),
    (errors.NotFound, 404, "NotFoundError"),
    (errors.Conflict, 409, "ConflictError"),
    (errors.PreconditionFailed, 412, "PreconditionFailedError"),
    (errors.PayloadTooLarge, 413, "RequestEntityTooLargeError"),
    (errors.Unprocessable, 422, "UnprocessableEntityError"),
    (errors.TooManyRequests, 429, "TooManyRequestsError"),
    (errors.Unavailable, 503, "ServiceUnavailableError"),
]



class ShopChalice(Chalice):
    """Chalice keeps the current request on the app object; Chalice's threaded local server then lets
    one request read another's. Keep it per thread (Lambda runs one request at a time anyway)."""

    @property
    def _state(self) -> threading.local:
        state = self.__dict__.get("_thread_state")
        if state is None:
            state = self.__dict__.setdefault("_thread_state", threading.local())
        return state

    @property
    def current_request(self):
        return getattr(self._state, "request", None)

    @current_request.setter
    def current_request(self, value) -> None:
        self._state.request = value

    @property
    def lambda_context(self):
        return getattr(self._state, "context", None)

    @lambda_context.setter
    def lambda_context(self, value) -> None:
        self._state.context = value


@dataclass(frozen=True)
class Operation:
    """What the rest of the project needs to know about one API operation: its contract (OpenAPI),
    who may call it (the authorizer, the auth tests) and what AWS it touches (the IAM role)."""
    method: str
    path: str
    summary: str
    public: bool = False
    admin: bool = False
    request: Any = None
    response: Any = None
    status: int = 200
    errors: Tuple[int, ...] = ()
    needs: Tuple[str, ...] = ()
    cacheable: bool = False
    query: Tuple[Tuple[str, str], ...] = ()
    headers: Tuple[Tuple[str, str], ...] = ()
    produces: Tuple[str, ...] = (JSON,)


def route(blueprint, path: str, method: str, summary: str, *, public: bool = False, **meta) -> Callable:
    """Register a view on a blueprint with its operation metadata; non-public routes get the token
    authorizer, admin routes also the admin check."""
    operation = Operation(method=method, path=path, summary=summary, public=public, **meta)

    def decorate(view: Callable) -> Callable:
        def wrapper(**params):
            return _run(blueprint, operation, view, params)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        wrapper.__module__ = view.__module__  # the blueprint's module: ops/package.py loads only it per function
        wrapper.operation = operation
        from chalicelib import auth
        blueprint.route(path, methods=[method], authorizer=None if public else auth.token_authorizer,
                        content_types=[JSON])(wrapper)
        return wrapper

    return decorate


# the operation being served, so AWS calls can be attributed to it (the IAM declarations are tested so)
current_operation: contextvars.ContextVar = contextvars.ContextVar("current_operation", default=None)


def _run(blueprint, operation: Operation, view: Callable, params: Dict[str, str]) -> Response:
    request = blueprint.current_request
    token = current_operation.set(operation)
    cache.stale_served.set(False)
    try:
        if operation.admin:
            caller(request).require_admin()
        return view(request, **params)
    except errors.ShopError as exc:
        return error_response(exc)
    except Exception as exc:
        if transient.is_transient(exc):
            observability.logger().warning("dependency unavailable", extra={"error": repr(exc)})
            return error_response(errors.Unavailable("a dependency is busy; retry shortly"))
        observability.logger().exception("unhandled error")
        return _error_body(500, "InternalServerError", "An internal server error occurred.")
    finally:
        current_operation.reset(token)


def error_response(exc: errors.ShopError) -> Response:
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            headers = {"Retry-After": "1"} if status in (429, 503) else None
            return _error_body(status, code, str(exc), headers)
    raise exc


def _error_body(status: int, code: str, message: str, headers: Optional[dict] = None) -> Response:
    return Response(body=json.dumps({"Code": code, "Message": message}), status_code=status,
                    headers={"Content-Type": JSON, **(headers or {})})


# --- who is calling -------------------------------------------------------------------------------

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


# --- request parsing ------------------------------------------------------------------------------

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


# --- answers --------------------------------------------------------------------------------------

def answer(payload: Any, status: int = 200, headers: Optional[dict] = None) -> Response:
    return Response(body=msgspec.json.encode(payload).decode(), status_code=status,
                    headers={"Content-Type": JSON, **(headers or {})})


def no_content() -> Response:
    return Response(body="", status_code=204, headers={})


STALE_IF_ERROR_SECONDS = 600


def cached_answer(request, payload: Any, max_age: int) -> Response:
    """A catalog read: ETag from the representation, Cache-Control, and 304 when the client has it. An answer
    from a stale copy (DynamoDB failing) says so with `Warning: 110`."""
    encoded = msgspec.json.encode(payload)
    tag = etag_of(encoded)
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}, stale-if-error={STALE_IF_ERROR_SECONDS}"}
    if cache.stale_served.get():
        headers["Warning"] = '110 - "Response is Stale"'
    if etag_matches(header(request, "If-None-Match"), tag):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=encoded.decode(), status_code=200, headers={"Content-Type": JSON, **headers})


def etag_of(encoded: bytes) -> str:
    """A strong ETag: the same for the same representation, from a GET and from a write's answer alike."""
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


def etag_matches(if_none_match: Optional[str], tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == tag for c in candidates)


def wants_fresh(request) -> bool:
    """`Cache-Control: no-cache` (or no-store) on the request skips the warm-container cache."""
    directives = (header(request, "Cache-Control") or "").lower()
    return "no-cache" in directives or "no-store" in directives


# --- cursors --------------------------------------------------------------------------------------

def page_position(request, scope: str) -> Optional[Dict[str, str]]:
    """Where the requested page of a list starts: None for the first page (no or empty `cursor`)."""
    text = query(request, "cursor")
    if not text:
        return None
    from chalicelib import bootstrap
    return decode_cursor(text, scope, bootstrap.cursor_key())


def next_cursor(scope: str, position: Optional[Dict[str, str]]) -> Optional[str]:
    """The cursor of the page after this one, or None on the last page."""
    if position is None:
        return None
    from chalicelib import bootstrap
    return encode_cursor(scope, position, bootstrap.cursor_key())


def encode_cursor(scope: str, position: Dict[str, str], key: bytes) -> str:
    payload = _b64(json.dumps({"s": scope, "p": position}, separators=(",", ":")).encode())
    return f"{payload}.{_sign(payload, key)}"


_SIGNATURE_BYTES = 18  # of the HMAC-SHA256, 24 characters in base64url
# what encode_cursor writes: two base64url parts; anything else (non-ASCII above all, which
# hmac.compare_digest refuses) never reaches the signature check
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{%d}" % (_SIGNATURE_BYTES * 4 // 3))


def decode_cursor(text: Optional[str], scope: str, key: bytes) -> Optional[Dict[str, str]]:
    """The position a cursor of this list points at; an edited or foreign cursor is a 400."""
    if not text:  # absent or empty: the first page
        return None
    if not _CURSOR.fullmatch(text):
        raise errors.InvalidInput("query parameter `cursor` is not a cursor this list issued")
    payload, _, signature = text.partition(".")
    if not hmac.compare_digest(signature, _sign(payload, key)):
        raise errors.InvalidInput("query parameter `cursor` is not a cursor this list issued")
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, binascii.Error) as exc:
        raise errors.InvalidInput("query parameter `cursor` is malformed") from exc
    if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("p"), dict):
        raise errors.InvalidInput("query parameter `cursor` belongs to another list")
    return data["p"]


def _sign(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- request id and access log --------------------------------------------------------------------

# what a request id may be to be echoed and logged as given: nothing a log reader or a header could misread
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id_middleware(event, get_response):
    """Echo or mint X-Request-Id, put it on every log line of the request, log the outcome."""
    given = (event.headers or {}).get("x-request-id", "")
    request_id = given if _REQUEST_ID.fullmatch(given) else \
        (event.context or {}).get("requestId") or uuid.uuid4().hex
    log = observability.logger()
    log.thread_safe_append_keys(request_id=request_id)
    started = time.perf_counter()
    try:
        response = get_response(event)
        response.headers["X-Request-Id"] = request_id
        log.info("request", extra={"method": event.method, "path": event.path,
                                   "status": response.status_code,
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
        return response
    finally:
        log.thread_safe_clear_keys()
