"""Property tests of what Stripe and shoppers send the payment paths: the webhook's raw bytes and signatures, and
`payment_method` on POST /orders. Never a 500; every answer one the contract allows."""

import json
import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack.api import Api
from tests import payments as stripe

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12")) * 4
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _deliver(client, payload: bytes, signature=None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return Api(client).request("POST", "/payments/webhook", body=payload, headers=headers)


@SETTINGS
@given(
    payload=st.binary(max_size=2048),
    signature=st.one_of(
        st.none(), st.text(max_size=200), st.from_regex(r"t=[0-9]{1,12},v1=[0-9a-f]{0,64}")
    ),
)
def test_arbitrary_bytes_and_signatures_are_refused_with_400(client, payload, signature):
    answer = _deliver(
        client,
        payload,
        signature.encode("utf-8", "surrogatepass").decode("latin-1", "replace")
        if signature is not None
        else None,
    )
    assert answer.status_code == 400, answer.body


@SETTINGS
@given(
    body=JSON,
    kind=st.sampled_from(
        [
            "payment_intent.canceled",
            "charge.refunded",
            "payment_intent.succeeded",
            "charge.captured",
            "customer.created",
            "",
        ]
    ),
    subject=st.one_of(st.text(max_size=30), st.integers(), st.none(), JSON),
)
def test_any_signed_event_is_200_or_400_and_changes_no_order_it_does_not_name(
    client, body, kind, subject
):
    event = {
        "id": f"evt_fuzz_{time.monotonic_ns()}",
        "type": kind,
        "data": {"object": {"id": subject, "payment_intent": subject}},
        "extra": body,
    }
    answer = _deliver(client, *stripe.signed(event))
    assert answer.status_code == 200 and answer.json["received"] in ("ignored", "unchanged"), (
        answer.body
    )


@SETTINGS
@given(body=JSON)
def test_signed_bodies_that_are_not_events_are_400(client, body):
    payload, signature = stripe.signed(body)
    if isinstance(body, dict) and {"id", "type", "data"} <= set(body):
        return
    assert _deliver(client, payload, signature).status_code == 400


@SETTINGS
@given(
    method=st.one_of(
        st.text(max_size=300),
        st.from_regex(r"pm_[A-Za-z0-9_]{1,250}", fullmatch=True),
        st.integers(),
        st.none(),
        st.lists(st.text(max_size=5), max_size=2),
    )
)
def test_any_payment_method_is_a_201_402_or_400_never_a_500(shopper, fuzz_product, method):
    answer = shopper.post(
        "/orders",
        {"payment_method": method, "items": [{"product_id": fuzz_product, "quantity": 1}]},
    )
    assert answer.status_code in (201, 400, 402), answer.body
    if answer.status_code == 400:
        assert "payment_method" in answer.json["Message"]
    if answer.status_code == 201:
        shopper.post(f"/orders/{answer.json['id']}/cancel")


def test_a_replayed_signed_event_acts_once(client, shopper, admin, stripe_api):
    product = admin.post(
        "/products", {"name": "Replayed Kettle", "category": "fuzz", "price_cents": 900, "stock": 5}
    ).json
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": product["id"], "quantity": 1}]},
    ).json
    stripe.cancel_at_stripe(stripe_api, order["payment"]["reference"])
    payload, signature = stripe.signed(
        stripe.event("payment_intent.canceled", order["payment"]["reference"], "evt_replayed_fuzz")
    )
    answers = [json.loads(_deliver(client, payload, signature).body)["received"] for _ in range(5)]
    assert answers[0] == "settled" and set(answers[1:]) <= {"duplicate", "unchanged"}
    stock = admin.get(f"/products/{product['id']}", headers={"Cache-Control": "no-cache"}).json[
        "stock"
    ]
    assert stock == 5


import pytest  # noqa: E402


@pytest.fixture(scope="module")
def fuzz_product(admin):
    return admin.post(
        "/products",
        {"name": "Fuzzed Lamp", "category": "fuzz", "price_cents": 1500, "stock": 1_000_000},
    ).json["id"]
