"""Stripe failing as the real adapter meets it: the shop's StripeProvider (Stripe's own library) pointed at a tiny
HTTP server that throttles (429), fails (500), answers too late, or at a port where nothing listens. The
library raises its real exceptions; the shop answers 503 with Retry-After, and keeps nothing when Stripe surely
did nothing (throttled, unreachable): no reservation, no look for an authorization, no second request."""

import time

import pytest

from chalicelib import errors
from chalicelib.payments import stripe_transport
from chalicelib.payments.model import Authorization, NothingAuthorized
from chalicelib.payments.stripe_provider import StripeProvider
from tests.stripe_server import stripe_that


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    monkeypatch.setattr(stripe_transport, "READ_SECONDS", 1)


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
