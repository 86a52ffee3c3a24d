"""Make Chalice's local API Gateway answer its own errors as production's does.

In production the template's GatewayResponses give API Gateway's own refusals the contract's error shape
(ops/template.py GATEWAY_ERRORS); Chalice's local gateway answers `{"message": ...}` instead, and Python's
HTTP server answers 501 to methods it has no handler for and resets connections beyond a backlog of 5. Patched here, for `make run` and the tests alike.
"""
import json

_applied = False


def match_production() -> None:
    global _applied
    if _applied:
        return
    from chalice import local
    from ops.template import GATEWAY_ERRORS

    def body(kind: str) -> bytes:
        _, code, message = GATEWAY_ERRORS[kind]
        return json.dumps({"Code": code, "Message": message}).encode()

    def not_authorized(self, headers, body_=None):
        local.LocalGatewayException.__init__(self, headers, body("UNAUTHORIZED"))

    def forbidden(self, headers, body_=None):
        missing_route = body_ is not None and b"Missing Authentication Token" in body_
        if missing_route:  # API Gateway's answer to a path it does not know: production maps it to 404
            self.CODE = 404
            local.LocalGatewayException.__init__(self, headers, json.dumps(
                {"Code": "NotFoundError", "Message": "no such route"}).encode())
        else:
            local.LocalGatewayException.__init__(self, headers, body("ACCESS_DENIED"))

    local.NotAuthorizedError.__init__ = not_authorized
    local.ForbiddenError.__init__ = forbidden
    # socketserver listens with a backlog of 5: a burst of concurrent clients gets connections reset
    local.ThreadedHTTPServer.request_queue_size = 128
    handler = local.ChaliceRequestHandler
    for method in ("TRACE", "CONNECT", "QUERY", "PROPFIND"):
        setattr(handler, f"do_{method}", handler._generic_handle)
    _applied = True
