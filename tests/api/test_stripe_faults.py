"""Stripe failing as the real adapter meets it: the shop's StripeProvider (Stripe's own library) pointed at a tiny
HTTP server that throttles (429), fails (500), answers too late, or at a port where nothing listens. The
library raises its real exceptions; the shop answers 503 with Retry-After, and keeps nothing when Stripe surely
did nothing (throttled, unreachable): no reservation, no look for an authorization, no second request."""

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chalicelib import errors
from chalicelib.payments import stripe_provider
from chalicelib.payments.model import Authorization, NothingAuthorized
from chalicelib.payments.stripe_provider import StripeProvider

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


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    monkeypatch.setattr(stripe_provider, "TIMEOUT_SECONDS", 1)


def _provider(url):
    return StripeProvider(lambda: "sk_test_faults", lambda: "whsec_faults", url)


AUTHORIZATION = Authorization("O-1", "U-1", 2500, "USD", "pm_card_visa", "A-1")


@pytest.mark.parametrize("mode", [429, "closed"])
def test_the_adapter_says_nothing_was_authorized_when_stripe_throttles_or_cannot_be_reached(mode):
    with stripe_that(mode) as (url, seen):
        with pytest.raises(NothingAuthorized):
            _provider(url).authorize(AUTHORIZATION)
    assert seen == ([("POST", "/v1/payment_intents")] if mode == 429 else [])


@pytest.mark.parametrize("mode", [500, "hang"])
def test_the_adapter_cannot_say_nothing_was_authorized_when_stripe_failed_or_answered_late(mode):
    with stripe_that(mode) as (url, seen):
        with pytest.raises(errors.Unavailable) as raised:
            _provider(url).authorize(AUTHORIZATION)
    assert not isinstance(raised.value, NothingAuthorized) and seen == [
        ("POST", "/v1/payment_intents")
    ]


def _product(admin, stock=5):
    return admin.post(
        "/products",
        {"name": "Patient Teapot", "category": "faults", "price_cents": 1800, "stock": stock},
    ).json


def _stock(anonymous, product_id):
    return anonymous.get(f"/products/{product_id}", headers={"Cache-Control": "no-cache"}).json[
        "stock"
    ]


@pytest.mark.parametrize("mode", [429, "closed"])
def test_stripe_throttling_or_unreachable_is_503_with_retry_after_and_nothing_kept(
    shopper, admin, anonymous, mode
):
    from chalicelib import bootstrap

    teapot = _product(admin)
    shopper.put(f"/cart/items/{teapot['id']}", {"quantity": 2})
    with stripe_that(mode) as (url, seen), bootstrap.replaced(payments=_provider(url)):
        answer = shopper.post("/orders", {"payment_method": "pm_card_visa"})
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 1
    # one create and nothing after it: no replay, no listing, no cancel
    assert seen == ([("POST", "/v1/payment_intents")] if mode == 429 else [])
    assert _stock(anonymous, teapot["id"]) == 5 and shopper.get("/orders").json["items"] == []
    assert [(i["product_id"], i["quantity"]) for i in shopper.get("/cart").json["items"]] == [
        (teapot["id"], 2)
    ]
    swept = bootstrap.services().sweeper.sweep(now=int(time.time()) + 61)
    assert swept.abandoned == 0  # nothing was left for the sweep either


@pytest.mark.parametrize("mode", [500, "hang"])
def test_stripe_failing_or_answering_late_is_503_with_retry_after_and_swept_later(
    shopper, admin, anonymous, mode
):
    from chalicelib import bootstrap

    teapot = _product(admin)
    with stripe_that(mode) as (url, seen), bootstrap.replaced(payments=_provider(url)):
        answer = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": teapot["id"], "quantity": 2}],
            },
        )
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 1
    # Stripe may have authorized: the shop looked for the authorization (locally by listing) before answering
    assert seen[0] == ("POST", "/v1/payment_intents") and ("GET", "/v1/payment_intents") in seen
    # Stripe could not be asked either: the units stay held until the sweep finds nothing and gives them back
    assert _stock(anonymous, teapot["id"]) == 3
    assert bootstrap.services().sweeper.sweep(now=int(time.time()) + 61).abandoned >= 1
    assert _stock(anonymous, teapot["id"]) == 5 and shopper.get("/orders").json["items"] == []
