"""localstripe as the local stack's Stripe (devstack/stripe.py): a process of its own on the port asked for, the
app's Stripe settings pointed at it, events signed for the registered webhook, and nothing left when stopped."""

import hashlib
import hmac
import http.server
import json
import threading

import pytest
import requests

from devstack import aws, stripe
from tests.support import eventually


@pytest.fixture
def webhook_receiver():
    """A local HTTP endpoint that keeps what is POSTed to it: (headers, body)."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/payments/webhook", received
    server.shutdown()


def stripe_call(base: str, path: str, **form):
    answer = requests.post(
        f"{base}/v1/{path}",
        data=form,
        timeout=10,
        headers={"Authorization": "Bearer sk_test_local"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_app_is_pointed_at_localstripe(stripe_api):
    from chalicelib import settings

    assert settings.get().stripe_api_base == stripe_api
    assert settings.get().stripe_secret_key.startswith("sk_")
    assert settings.get().stripe_webhook_secret


def test_a_captured_payment_reaches_the_registered_webhook_signed_with_its_secret(
    stripe_api, webhook_receiver
):
    url, received = webhook_receiver
    stripe.register_webhook(stripe_api, url, "whsec_test_signing")
    intent = stripe_call(
        stripe_api,
        "payment_intents",
        amount="1999",
        currency="usd",
        capture_method="manual",
        confirm="true",
        payment_method="pm_card_visa",
        **{"payment_method_types[]": "card"},
    )
    assert intent["status"] == "requires_capture"
    assert (
        stripe_call(stripe_api, f"payment_intents/{intent['id']}/capture")["status"] == "succeeded"
    )

    assert eventually(lambda: received, seconds=10), "no event reached the webhook"
    headers, body = received[-1]
    event = json.loads(body)
    assert (
        event["type"] == "payment_intent.succeeded"
        and event["data"]["object"]["id"] == intent["id"]
    )
    signature = dict(part.split("=", 1) for part in headers["Stripe-Signature"].split(","))
    expected = hmac.new(
        b"whsec_test_signing", f"{signature['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(signature["v1"], expected)


def test_stopping_localstripe_ends_its_process_and_frees_its_port(tmp_path):
    port = aws.free_port()
    running = stripe.start(port, tmp_path / "stripe.log")
    assert (
        requests.get(
            f"{running.url}/v1/customers",
            timeout=5,
            headers={"Authorization": "Bearer sk_test_local"},
        ).status_code
        == 200
    )
    stripe.stop(running)
    assert running.process.returncode is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{running.url}/v1/customers", timeout=5)


def test_localstripe_on_a_busy_port_fails_at_once_saying_why(tmp_path):
    import socket

    with socket.socket(socket.AF_INET6) as holder:
        holder.bind(("::", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(stripe.StripeDidNotStart, match=f"port {port}.*(in use|Errno 98)"):
            stripe.start(port, tmp_path / "stripe.log", timeout=20)
