"""Answers: JSON, no content, cacheable catalog reads (ETag, Cache-Control, 304, a stale copy's Warning), and
the one table from domain error to HTTP status."""

import hashlib
import json
from typing import Any, Dict, Optional

import msgspec
from chalice import Response

from chalicelib import cache, errors, observability, settings
from chalicelib.http.request import header
from chalicelib.operation import JSON

_STATUS = [
    (errors.InvalidInput, 400, "BadRequestError"),
    (errors.Unauthenticated, 401, "UnauthorizedError"),
    (errors.PaymentRequired, 402, "PaymentRequiredError"),
    (errors.Forbidden, 403, "ForbiddenError"),
    (errors.NotFound, 404, "NotFoundError"),
    (errors.Conflict, 409, "ConflictError"),
    (errors.PreconditionFailed, 412, "PreconditionFailedError"),
    (errors.PayloadTooLarge, 413, "RequestEntityTooLargeError"),
    (errors.UnsupportedMediaType, 415, "UnsupportedMediaType"),
    (errors.Unprocessable, 422, "UnprocessableEntityError"),
    (errors.TooManyRequests, 429, "TooManyRequestsError"),
    (errors.Unavailable, 503, "ServiceUnavailableError"),
]


def answer(payload: Any, status: int = 200, headers: Optional[dict] = None) -> Response:
    return Response(
        body=msgspec.json.encode(payload).decode(),
        status_code=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )


def no_content() -> Response:
    return Response(body="", status_code=204, headers={})


def cached(request, payload: Any, max_age: int) -> Response:
    """A catalog read: ETag from the representation, Cache-Control, and 304 when the client has it. An answer
    from a stale copy (DynamoDB failing) says so with `Warning: 110`."""
    encoded = msgspec.json.encode(payload)
    tag = etag_of(encoded)
    stale = settings.get().cache_stale_seconds
    headers: Dict[str, Any] = {
        "ETag": tag,
        "Cache-Control": f"public, max-age={max_age}, stale-if-error={stale}",
    }
    if cache.stale_served.get():
        headers["Warning"] = '110 - "Response is Stale"'
        observability.count(observability.STALE_SERVED)
    if etag_matches(header(request, "If-None-Match"), tag):
        return Response(body="", status_code=304, headers=headers)
    return Response(
        body=encoded.decode(), status_code=200, headers={"Content-Type": JSON, **headers}
    )


def etag_of(encoded: bytes) -> str:
    """A strong ETag: the same for the same representation, from a GET and from a write's answer alike."""
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


def etag_matches(if_none_match: Optional[str], tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == tag for c in candidates)


def error(exc: errors.ShopError) -> Response:
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            headers = (
                {"Retry-After": str(getattr(exc, "retry_after", 1))}
                if status in (429, 503)
                else None
            )
            return error_body(status, code, str(exc), headers)
    raise exc


def error_body(status: int, code: str, message: str, headers: Optional[dict] = None) -> Response:
    return Response(
        body=json.dumps({"Code": code, "Message": message}),
        status_code=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )
