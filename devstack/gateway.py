"""Make Chalice's local API Gateway answer as production's does.

In production the template's gateway responses (ops/edge.py) give API Gateway's own refusals the contract's
error shape and the security headers every answer carries; Chalice's local gateway answers `{"message": ...}`
without them, answers OPTIONS itself where API Gateway knows no such method, reads no chunked body, fails on a
malformed Content-Length, puts 127.0.0.1 as every request's source address, answers 501 to methods it has no
handler for and resets connections beyond a backlog of 5. Patched here, for `make run` and the tests alike.
"""

import json
import threading

_applied = False
_peer = threading.local()  # the address of the connection the current thread serves
MAX_CHUNKED_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


def match_production() -> None:
    global _applied
    if _applied:
        return
    from chalice import local

    _refusals_as_in_production(local)
    _answers_only_routed_methods(local)
    _reads_requests_as_api_gateway(local)
    # socketserver listens with a backlog of 5: a burst of concurrent clients gets connections reset
    local.ThreadedHTTPServer.request_queue_size = 128
    _applied = True


def gateway_answer(kind: str):
    """(status, headers, body) of one of API Gateway's own answers, as the production template defines it."""
    from ops.edge import GATEWAY_ERRORS, gateway_headers

    status, code, message = GATEWAY_ERRORS[kind]
    return (
        int(status),
        {"Content-Type": "application/json", **gateway_headers(kind)},
        json.dumps({"Code": code, "Message": message}).encode(),
    )


def _refusals_as_in_production(local) -> None:
    """The authorizer's 401 and 403, and a path no route serves (API Gateway's 403 "Missing Authentication
    Token", which production maps to 404), in the contract's shape with every header production sends."""

    def refusal(self, kind: str, headers) -> None:
        self.CODE, sent, body = gateway_answer(kind)
        local.LocalGatewayException.__init__(self, {**(headers or {}), **sent}, body)

    def not_authorized(self, headers, body=None):
        refusal(self, "UNAUTHORIZED", headers)

    def forbidden(self, headers, body=None):
        missing_route = body is not None and b"Missing Authentication Token" in body
        refusal(self, "MISSING_AUTHENTICATION_TOKEN" if missing_route else "ACCESS_DENIED", headers)

    local.NotAuthorizedError.__init__ = not_authorized
    local.ForbiddenError.__init__ = forbidden


def _answers_only_routed_methods(local) -> None:
    """API Gateway serves the methods the API defines: OPTIONS (no CORS here) is an unknown route, 404 as in
    production, where Chalice's local gateway would answer it itself; TRACE and the like reach the app (405)."""
    original = local.LocalGateway.handle_request

    def handle_request(self, method, path, headers, body):
        if method == "OPTIONS":
            raise local.ForbiddenError({}, b'{"message": "Missing Authentication Token"}')
        return original(self, method, path, headers, body)

    local.LocalGateway.handle_request = handle_request
    converted = local.LocalGateway._generate_lambda_event

    def generate_lambda_event(self, method, path, headers, body):
        event = converted(self, method, path, headers, body)
        address = getattr(_peer, "address", None)
        # the connection's own address, as API Gateway gives it (the test client has none)
        if address:
            event["requestContext"]["identity"]["sourceIp"] = address
        return event

    local.LocalGateway._generate_lambda_event = generate_lambda_event


class _BadRequest(Exception):
    pass


def _reads_requests_as_api_gateway(local) -> None:
    """The body as API Gateway passes it: whole when it came chunked, and a request whose length cannot be read
    refused with 400 (Python's server would drop the connection with a traceback)."""
    handler = local.ChaliceRequestHandler
    original = handler._generic_handle

    def generic_handle(self):
        _peer.address = self.client_address[0] if self.client_address else None
        try:
            self._read = (dict(self.headers), _body(self))
        except _BadRequest as exc:
            from ops.edge import gateway_headers

            self._send_http_response(
                400,
                {"Content-Type": "application/json", **gateway_headers("DEFAULT_4XX")},
                json.dumps({"Code": "BadRequestError", "Message": str(exc)}).encode(),
            )
            self.close_connection = True
            return
        original(self)

    handler._parse_payload = lambda self: self._read
    handler._generic_handle = generic_handle
    for method in (
        "GET",
        "PUT",
        "POST",
        "HEAD",
        "DELETE",
        "PATCH",
        "OPTIONS",
        "TRACE",
        "CONNECT",
        "QUERY",
        "PROPFIND",
    ):
        setattr(handler, f"do_{method}", generic_handle)


def _body(request):
    chunked = "chunked" in (request.headers.get("transfer-encoding") or "").lower()
    length = request.headers.get("content-length")
    if chunked and length is not None:
        raise _BadRequest("a request may not give both Content-Length and a chunked transfer")
    if chunked:
        return _read_chunks(request.rfile)
    if length is None:
        return None
    if not (length.isascii() and length.isdigit()) or len(length) > 12:
        raise _BadRequest("Content-Length is not a length")
    return request.rfile.read(int(length)) if int(length) > 0 else None


def _read_chunks(stream) -> bytes:
    """HTTP/1.1 chunked transfer coding: size lines in hex (extensions ignored), then trailers to a blank line."""
    parts, total = [], 0
    while True:
        size_line = stream.readline(1024).split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise _BadRequest("the chunked body is malformed") from None
        total += size
        if total > MAX_CHUNKED_BYTES:
            raise _BadRequest("the chunked body is too large")
        if size == 0:
            break
        parts.append(stream.read(size))
        stream.readline(1024)
    while stream.readline(1024).strip():
        pass
    return b"".join(parts)
