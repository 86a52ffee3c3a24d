"""The request id (echoed or minted, on every log line of the request), one access log line per request, and the
security headers of every answer the app gives (API Gateway's own answers get the same from the production
template's gateway responses, ops/edge.py; the local stack's from devstack/gateway.py)."""

import re
import time
import uuid

from chalicelib import observability

# what a request id may be to be echoed and logged as given: nothing a log reader or a header could misread
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id(event, get_response):
    """Echo or mint X-Request-Id, put it on every log line of the request, log the outcome."""
    given = (event.headers or {}).get("x-request-id", "")
    request_id = (
        given
        if _REQUEST_ID.fullmatch(given)
        else (event.context or {}).get("requestId") or uuid.uuid4().hex
    )
    log = observability.logger()
    log.thread_safe_append_keys(request_id=request_id)
    started = time.perf_counter()
    try:
        response = get_response(event)
        response.headers["X-Request-Id"] = request_id
        log.info(
            "request",
            extra={
                "method": event.method,
                "path": event.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response
    finally:
        log.thread_safe_clear_keys()


# every answer: no MIME sniffing, HTTPS only for two years, never framed
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Frame-Options": "DENY",
}
# every answer that does not say otherwise (only the catalog's cacheable reads do)
NOT_STORED = {"Cache-Control": "no-store"}


def security_headers(event, get_response):
    response = get_response(event)
    response.headers.update(SECURITY_HEADERS)
    for name, value in NOT_STORED.items():
        response.headers.setdefault(name, value)
    return response
