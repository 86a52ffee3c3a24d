"""A tiny stand-in for Stripe's API that fails as Stripe can: it throttles (429), fails (500) or answers too late,
every request; or a port where nothing listens. Stripe's own library meets it through the shop's real adapter and
raises its real exceptions."""

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_SECONDS = 2
ERRORS = {
    429: {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests"},
    500: {"type": "api_error", "message": "Something went wrong on Stripe's end"},
}


class _Stripe(BaseHTTPRequestHandler):
    def do_GET(self):
        self._answer()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self):
        self.server.seen.append((self.command, self.path.split("?")[0]))
        if self.server.mode == "hang":
            time.sleep(HANG_SECONDS)
            return
        body = json.dumps({"error": ERRORS[self.server.mode]}).encode()
        self.send_response(self.server.mode)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


@contextlib.contextmanager
def stripe_that(mode):
    """The base URL of a server answering every request as `mode` says (429, 500, "hang"), and the requests it
    saw; "closed": a port where nothing listens."""
    if mode == "closed":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        yield f"http://127.0.0.1:{port}", []
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stripe)
    server.daemon_threads = True
    server.mode, server.seen = mode, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.seen
    finally:
        server.shutdown()
        server.server_close()
