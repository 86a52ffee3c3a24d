"""What tests need of Stripe beside the shop: localstripe read directly (its intents, charges, refunds), signed
webhook events, and a fault-injecting wrapper of the payment port for what localstripe cannot do (fail, throttle,
time out, refuse a capture of a cancelled intent or a second refund, crash between Stripe and DynamoDB)."""

import hashlib
import hmac
import json
import time
from typing import Callable, Dict, List, Optional

import requests

from chalicelib import errors
from chalicelib.payments.model import Authorization, Event, Intent

KEY = ("sk_test_local", "")


def stripe_get(api: str, path: str, **params) -> dict:
    return requests.get(f"{api}/v1/{path}", params=params, auth=KEY, timeout=10).json()


def intents(api: str) -> List[dict]:
    """Every PaymentIntent localstripe holds."""
    found: List[dict] = []
    after = None
    while True:
        page = stripe_get(
            api, "payment_intents", limit=100, **({"starting_after": after} if after else {})
        )
        found += page["data"]
        if not page["has_more"]:
            return found
        after = page["data"][-1]["id"]


def intents_of(api: str, order_id: str) -> List[dict]:
    return [i for i in intents(api) if (i.get("metadata") or {}).get("order_id") == order_id]


def intent(api: str, reference: str) -> dict:
    return stripe_get(api, f"payment_intents/{reference}")


def refunded(api: str, reference: str) -> int:
    return sum(
        r["amount"] for r in stripe_get(api, "refunds", payment_intent=reference, limit=100)["data"]
    )


def cancel_at_stripe(api: str, reference: str) -> None:
    """What Stripe does to an authorization left uncaptured for 7 days."""
    requests.post(
        f"{api}/v1/payment_intents/{reference}/cancel", auth=KEY, timeout=10
    ).raise_for_status()


def signed(event: dict, secret: str = "whsec_local", at: Optional[int] = None) -> tuple:
    """A webhook body and its Stripe-Signature header, as Stripe signs them (HMAC-SHA256 of `t.payload`)."""
    payload = json.dumps(event).encode()
    return payload, signature(payload, secret, at)


def signature(payload: bytes, secret: str = "whsec_local", at: Optional[int] = None) -> str:
    """The Stripe-Signature header of a webhook body."""
    stamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def event(kind: str, reference: str, event_id: str = "evt_test") -> dict:
    subject = (
        {"id": "ch_test", "object": "charge", "payment_intent": reference}
        if kind.startswith("charge.")
        else {"id": reference, "object": "payment_intent"}
    )
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": {"object": subject},
        "api_version": "2024-06-20",
    }


def reservation_of(order_id: str):
    """The check the outbox sends for the order's reservation, from the PENDING order as it is now."""
    from chalicelib import bootstrap
    from chalicelib.orders.events import reservation_of_change

    pending = bootstrap.services().orders.pending(order_id)
    assert pending is not None, f"order {order_id} is not PENDING"
    return reservation_of_change(None, pending.order)


def check_reservation(made, later: float, monkeypatch) -> dict:
    """The reservation's check handed to the app's checker function as its queue's event source mapping hands it
    over, the checker's clock at `later`: its answer (the batch item failures)."""
    import sys
    import types

    from chalicelib.orders import checks
    from devstack import pump

    message = {"MessageId": made.id, "ReceiptHandle": "r", "Body": json.dumps(made.payload())}
    with monkeypatch.context() as clock:
        clock.setattr(checks, "time", types.SimpleNamespace(time=lambda: later))
        return sys.modules["app"].check_reservations(
            pump.sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:reservation-checks"),
            pump.Context(),
        )


class Crash(BaseException):
    """The function stopped (a timeout, the container gone): nothing the shop's code catches."""


class FaultyPayments:
    """The payment port with faults: `before[op]` raises before the call reaches Stripe (a 429, a 500 answered at
    once); `after[op]` makes the call, then raises (its answer lost, or the function stopped right after Stripe
    acted); `strict` refuses what Stripe refuses and localstripe allows (a capture of an intent that is not
    authorized, a refund of one already refunded). `calls` counts the calls that reached Stripe."""

    def __init__(self, inner, strict: bool = True) -> None:
        self.inner = inner
        self.strict = strict
        self.before: Dict[str, BaseException] = {}
        self.after: Dict[str, BaseException] = {}
        self.calls: List[str] = []

    def _through(self, name: str, call: Callable[[], Intent]) -> Intent:
        fault = self.before.pop(name, None)
        if fault is not None:
            raise fault
        self.calls.append(name)
        answer = call()
        fault = self.after.pop(name, None)
        if fault is not None:
            raise fault
        return answer

    def authorize(self, request: Authorization) -> Intent:
        return self._through("authorize", lambda: self.inner.authorize(request))

    def recover(self, request: Authorization) -> Optional[Intent]:
        return self.inner.recover(request)

    def capture(self, reference: str, key: str) -> Intent:
        if self.strict and not self.inner.intent(reference).authorized:
            # Stripe: refused, read again
            return self._through("capture", lambda: self.inner.intent(reference))
        return self._through("capture", lambda: self.inner.capture(reference, key))

    def void(self, reference: str, key: str) -> Intent:
        return self._through("void", lambda: self.inner.void(reference, key))

    def refund(self, reference: str, key: str) -> Intent:
        if self.strict and self.inner.intent(reference).refunded:
            return self._through("refund", lambda: self.inner.intent(reference))
        return self._through("refund", lambda: self.inner.refund(reference, key))

    def intent(self, reference: str) -> Intent:
        fault = self.before.pop("intent", None)
        if fault is not None:
            raise fault
        return self.inner.intent(reference)

    def event(self, payload: bytes, signature: str) -> Event:
        return self.inner.event(payload, signature)


def unavailable() -> errors.Unavailable:
    return errors.Unavailable(
        "the payment provider is not answering; nothing was charged, retry shortly"
    )


# --- the shop's side, through its API (the payment tests' products, stock reads and orders) ---

PM = "pm_card_visa"


def product(admin, stock=10, price=2500, flash=False, name="Sturdy Stool"):
    return admin.post(
        "/products",
        {
            "name": name,
            "category": "payments",
            "price_cents": price,
            "stock": stock,
            "flash_sale": flash,
        },
    ).json


def stock(anonymous, product_id):
    return anonymous.get(f"/products/{product_id}", headers={"Cache-Control": "no-cache"}).json[
        "stock"
    ]


def order(shopper, product, quantity=1, method=PM, **kw):
    return shopper.post(
        "/orders",
        {"payment_method": method, "items": [{"product_id": product["id"], "quantity": quantity}]},
        **kw,
    )
