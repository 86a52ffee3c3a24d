"""What the payments issue's proof asks of the HTTP API beyond the contract's answers: crashes between Stripe and
DynamoDB settled from Stripe's state with Stripe called once, Stripe failing a ship, cancel or refund, the
idempotency key's body check while the first request runs, the webhook's large bodies and its events about the
shop's own operations, a flash sale sold out, and how many requests Stripe's library makes per operation."""

import threading
import time
import types

import pytest

from tests import payments as stripe
from tests.payments import Crash, FaultyPayments
from tests.stripe_server import stripe_that

PM = stripe.PM


def _product(admin, stock=10, price=2500, flash=False):
    return stripe.product(admin, stock, price, flash, name="Honest Ledger")


_stock, _order = stripe.stock, stripe.order


def _deliver(client, payload, signature):
    from devstack.api import Api

    return Api(client).request(
        "POST",
        "/payments/webhook",
        body=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
    )


@pytest.fixture
def faulty():
    from chalicelib import bootstrap

    wrapper = FaultyPayments(bootstrap.services().payments)
    with bootstrap.replaced(payments=wrapper):
        yield wrapper


@pytest.fixture
def placed(shopper, admin):
    ledger = _product(admin, stock=5, price=1999)
    order = _order(shopper, ledger, 2)
    assert order.status_code == 201, order.body
    return order.json, ledger


# what each move asks of Stripe, and where it leaves the order and its payment
MOVES = {
    "ship": ("capture", "SHIPPED", "CAPTURED"),
    "cancel": ("void", "CANCELLED", "VOIDED"),
    "refund": ("refund", "REFUNDED", "REFUNDED"),
}


def _at_stripe(stripe_api, reference, call):
    """What Stripe holds after the call: captured, cancelled, or the cents refunded."""
    if call == "refund":
        return stripe.refunded(stripe_api, reference)
    return stripe.intent(stripe_api, reference)["status"]


# --- a crash after Stripe acted and before the DynamoDB write ------------------------------------------------


@pytest.mark.parametrize("settler", ["the next request", "the sweep"])
@pytest.mark.parametrize("move", list(MOVES))
def test_a_crash_after_stripe_acted_is_settled_from_stripes_state_with_stripe_called_once(
    shopper, admin, anonymous, placed, faulty, stripe_api, monkeypatch, move, settler
):
    from chalicelib import bootstrap
    from chalicelib.orders import fulfilment

    order, ledger = placed
    call, status, payment = MOVES[move]
    reference, path = order["payment"]["reference"], f"/orders/{order['id']}/{move}"
    if move == "refund":
        assert admin.post(f"/orders/{order['id']}/ship").status_code == 200
    before = admin.get(f"/orders/{order['id']}").json["status"]
    mover = shopper if move == "cancel" else admin
    faulty.after[call] = Crash(f"the function stopped right after Stripe's {call}")
    with pytest.raises(Crash):
        mover.post(path)
    assert admin.get(f"/orders/{order['id']}").json["status"] == before  # not written
    if settler == "the sweep":
        assert bootstrap.services().sweeper.sweep(now=int(time.time()) + 61).settled >= 1
        now = admin.get(f"/orders/{order['id']}").json
    else:
        later = int(time.time()) + 61  # the crashed request's lease has ended
        monkeypatch.setattr(fulfilment, "time", types.SimpleNamespace(time=lambda: later))
        answer = mover.post(path)
        assert answer.status_code == 200, answer.body
        now = answer.json
    assert now["status"] == status and now["payment"]["status"] == payment
    assert faulty.calls.count(call) == 1
    done = {"capture": "succeeded", "void": "canceled", "refund": order["total_cents"]}[call]
    assert _at_stripe(stripe_api, reference, call) == done
    assert _stock(anonymous, ledger["id"]) == (5 if move == "cancel" else 3)


# --- Stripe failing a ship, a cancel, a refund ------------------------------------------------------------------


@pytest.mark.parametrize("move", list(MOVES))
def test_a_move_is_503_with_retry_after_when_stripe_fails_and_a_later_one_goes_through(
    shopper, admin, anonymous, placed, stripe_api, move
):
    from chalicelib import bootstrap
    from chalicelib.payments.stripe_provider import StripeProvider

    order, ledger = placed
    call, status, payment = MOVES[move]
    reference = order["payment"]["reference"]
    if move == "refund":
        assert admin.post(f"/orders/{order['id']}/ship").status_code == 200
    mover = shopper if move == "cancel" else admin
    path = f"/orders/{order['id']}/{move}"
    before = admin.get(f"/orders/{order['id']}").json
    failing = lambda url: StripeProvider(lambda: "sk_test_x", lambda: "whsec_x", url)  # noqa: E731
    with stripe_that(500) as (url, seen), bootstrap.replaced(payments=failing(url)):
        answer = mover.post(path)
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) >= 1
    # Stripe's library met Stripe's 500, and the shop then read the intent (a 500 too) to decide
    assert seen[0][0] == "POST" and ("GET", f"/v1/payment_intents/{reference}") in seen
    now = admin.get(f"/orders/{order['id']}").json
    assert (now["status"], now["payment"]) == (before["status"], before["payment"])
    # whether Stripe acted is unknown to that request: the sweep settles it from Stripe's state, then it goes
    bootstrap.services().sweeper.sweep(now=int(time.time()) + 61)
    again = mover.post(path)
    assert again.status_code == 200 and again.json["payment"]["status"] == payment
    assert _stock(anonymous, ledger["id"]) == (5 if move == "cancel" else 3)


# --- the idempotency key -------------------------------------------------------------------------------------


def test_the_same_key_with_another_body_while_the_first_request_pays_is_422(
    shopper, admin, faulty, stripe_api
):
    ledger = _product(admin)
    key = {"Idempotency-Key": "proof-same-key-other-body"}
    authorize, meanwhile = faulty.inner.authorize, []

    def authorize_while_another_body_comes(request):
        meanwhile.append(_order(shopper, ledger, 2, headers=key))
        return authorize(request)

    faulty.authorize = authorize_while_another_body_comes
    first = _order(shopper, ledger, 1, headers=key)
    assert first.status_code == 201 and meanwhile[0].status_code == 422
    assert "different request body" in meanwhile[0].json["Message"]
    assert len(stripe.intents_of(stripe_api, first.json["id"])) == 1


# --- the webhook ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [65 * 1024, 200 * 1024, 511 * 1024])
def test_a_webhook_body_between_64_and_512_kib_is_accepted(client, placed, size):
    order, _ = placed
    event = stripe.event("payment_intent.canceled", order["payment"]["reference"], f"evt_{size}")
    event["data"]["object"]["metadata"] = {"padding": ""}
    padding = size - len(stripe.signed(event)[0])
    event["data"]["object"]["metadata"]["padding"] = "x" * padding
    payload, signature = stripe.signed(event)
    assert 64 * 1024 < len(payload) <= 512 * 1024
    answer = _deliver(client, payload, signature)
    # Stripe says the intent is still authorized: nothing to change, but the event is taken
    assert answer.status_code == 200 and answer.json == {"received": "unchanged"}


@pytest.mark.parametrize("move", ["cancel", "refund"])
def test_a_webhook_about_the_shops_own_operation_arriving_mid_operation_finishes_it_once(
    client, shopper, admin, anonymous, placed, faulty, stripe_api, move
):
    order, ledger = placed
    call, status, payment = MOVES[move]
    reference = order["payment"]["reference"]
    if move == "refund":
        assert admin.post(f"/orders/{order['id']}/ship").status_code == 200
    kind = "payment_intent.canceled" if move == "cancel" else "charge.refunded"
    inner, outcomes = getattr(faulty.inner, call), []

    def stripe_acts_and_its_event_arrives(reference_, key):
        done = inner(reference_, key)
        event = stripe.event(kind, reference, f"evt_mid_{move}_{order['id']}")
        outcomes.append(_deliver(client, *stripe.signed(event)).json)
        return done

    setattr(faulty, call, stripe_acts_and_its_event_arrives)
    mover = shopper if move == "cancel" else admin
    answer = mover.post(f"/orders/{order['id']}/{move}")
    assert outcomes == [{"received": "settled"}]  # the event finished it; the request found it done
    assert answer.status_code == 200 and answer.json["status"] == status
    assert answer.json["payment"]["status"] == payment
    assert _stock(anonymous, ledger["id"]) == (5 if move == "cancel" else 3)  # the units back once
    assert _at_stripe(stripe_api, reference, call) == (
        order["total_cents"] if call == "refund" else "canceled"
    )


# --- a flash sale sold out --------------------------------------------------------------------------------------


def test_a_flash_sale_sold_out_creates_no_payment_intent(shopper, admin, stripe_api):
    kettle = _product(admin, stock=2, flash=True)
    assert _order(shopper, kettle, 2).status_code == 201
    before = len(stripe.intents(stripe_api))
    for _ in range(3):  # from the buckets, then from the sold-out mark
        assert _order(shopper, kettle).status_code == 409
    assert len(stripe.intents(stripe_api)) == before


# --- Stripe calls per operation ----------------------------------------------------------------------------------


@pytest.fixture
def stripe_requests(monkeypatch):
    """The requests Stripe's library sends from this thread (the request being served), as (method, path)."""
    from urllib.parse import urlsplit

    from stripe._http_client import RequestsClient

    sent, here = [], threading.get_ident()
    send = RequestsClient._request_internal

    def counted(self, method, url, *args, **kwargs):
        if threading.get_ident() == here:
            sent.append((method.upper(), urlsplit(url).path))
        return send(self, method, url, *args, **kwargs)

    monkeypatch.setattr(RequestsClient, "_request_internal", counted)
    return sent


def test_stripe_calls_per_operation_are_within_the_issues_budget(
    shopper, admin, stripe_requests, stripe_api
):
    ledger = _product(admin, stock=3)

    def cost(call):
        stripe_requests.clear()
        answer = call()
        return answer, len(stripe_requests)

    placed, place = cost(lambda: _order(shopper, ledger))
    cancelled = _order(shopper, ledger)
    shipped, ship = cost(lambda: admin.post(f"/orders/{placed.json['id']}/ship"))
    _, refund = cost(lambda: admin.post(f"/orders/{placed.json['id']}/refund"))
    _, cancel = cost(lambda: shopper.post(f"/orders/{cancelled.json['id']}/cancel"))
    declined, decline = cost(lambda: _order(shopper, ledger, method="pm_card_chargeCustomerFail"))
    sold_out, none = cost(lambda: _order(shopper, ledger, 5))
    assert (
        placed.status_code,
        shipped.status_code,
        declined.status_code,
        sold_out.status_code,
    ) == (
        201,
        200,
        402,
        409,
    )
    assert place <= 2 and ship == 1 and cancel == 1 and refund == 1
    assert decline <= 2 and none == 0
