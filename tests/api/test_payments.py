"""The contract's Payments section through HTTP, with localstripe as Stripe (and a fault-injecting wrapper of the
payment port where localstripe is more lenient than Stripe, or where Stripe must fail)."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests import payments as stripe
from tests.payments import Crash, FaultyPayments

PM = stripe.PM


def _product(admin, stock=10, price=2500, flash=False):
    return stripe.product(admin, stock, price, flash, name="Sturdy Stool")


_stock, _order = stripe.stock, stripe.order


@pytest.fixture
def faulty():
    """The running app with its payment port wrapped (every other part real)."""
    from chalicelib import bootstrap

    wrapper = FaultyPayments(bootstrap.services().payments)
    with bootstrap.replaced(payments=wrapper):
        yield wrapper


# --- authorize at checkout ---------------------------------------------------------------------------------


def test_placing_authorizes_the_total_with_a_manual_capture_intent_naming_the_order(
    shopper, admin, stripe_api
):
    stool = _product(admin, price=1250)
    placed = _order(shopper, stool, 2)
    assert placed.status_code == 201, placed.body
    payment = placed.json["payment"]
    assert (
        payment["status"] == "AUTHORIZED"
        and payment["amount_cents"] == 2500
        and payment["currency"] == "USD"
    )
    intent = stripe.intent(stripe_api, payment["reference"])
    assert intent["status"] == "requires_capture" and intent["capture_method"] == "manual"
    assert intent["amount"] == 2500 and intent["currency"] == "usd"
    assert (
        intent["metadata"]["order_id"] == placed.json["id"]
        and intent["metadata"]["user_id"] == shopper.user_id
    )
    assert shopper.get(f"/orders/{placed.json['id']}").json["payment"] == payment
    assert payment in [
        o["payment"] for o in admin.get("/admin/orders?status=PLACED&limit=100").json["items"]
    ]


def test_a_declined_card_is_402_naming_stripes_reason_and_changes_nothing(
    shopper, admin, anonymous, stripe_api
):
    stool = _product(admin, stock=4)
    shopper.put(f"/cart/items/{stool['id']}", {"quantity": 3})
    refused = shopper.post(
        "/orders",
        {"payment_method": "pm_card_chargeCustomerFail"},
        headers={"Idempotency-Key": "declined-then-visa"},
    )
    assert refused.status_code == 402 and refused.json["Code"] == "PaymentRequiredError"
    assert "card_declined" in refused.json["Message"]
    assert (
        _stock(anonymous, stool["id"]) == 4
        and shopper.get("/cart").json["items"][0]["quantity"] == 3
    )
    assert shopper.get("/orders").json["items"] == []
    retried = shopper.post(
        "/orders", {"payment_method": PM}, headers={"Idempotency-Key": "declined-then-visa"}
    )
    assert retried.status_code == 201 and _stock(anonymous, stool["id"]) == 1
    assert shopper.get("/cart").json["items"] == []


def test_a_declined_card_while_the_shopper_changes_the_cart_is_402_and_gives_the_stock_back(
    shopper, admin, anonymous, faulty
):
    from chalicelib import bootstrap

    stool, lamp = _product(admin, stock=4), _product(admin, stock=4)
    shopper.put(f"/cart/items/{stool['id']}", {"quantity": 3})
    authorize = faulty.inner.authorize

    def authorize_while_the_cart_changes(request):
        # another tab adds a lamp while Stripe answers
        bootstrap.services().carts.put(shopper.user_id, lamp["id"], 1)
        return authorize(request)

    faulty.authorize = authorize_while_the_cart_changes
    refused = shopper.post("/orders", {"payment_method": "pm_card_chargeCustomerFail"})
    assert refused.status_code == 402 and "card_declined" in refused.json["Message"]
    assert _stock(anonymous, stool["id"]) == 4  # not held by a PENDING order until the sweep
    assert [(i["product_id"], i["quantity"]) for i in shopper.get("/cart").json["items"]] == [
        (lamp["id"], 1)
    ]


def test_an_unknown_payment_method_is_402(shopper, admin, anonymous):
    stool = _product(admin, stock=2)
    refused = _order(shopper, stool, method="pm_" + uuid.uuid4().hex)
    assert refused.status_code == 402 and _stock(anonymous, stool["id"]) == 2


def test_a_card_needing_3d_secure_is_402_authentication_required_with_its_intent_cancelled(
    shopper, admin, stripe_api
):
    stool = _product(admin, stock=2)
    method = requests.post(
        f"{stripe_api}/v1/payment_methods",
        auth=stripe.KEY,
        timeout=10,
        data={
            "type": "card",
            "card[number]": "4000000000003220",
            "card[exp_month]": "12",
            "card[exp_year]": "2031",
            "card[cvc]": "123",
        },
    ).json()["id"]
    before = {i["id"] for i in stripe.intents(stripe_api)}
    refused = _order(shopper, stool, method=method)
    assert refused.status_code == 402 and "authentication_required" in refused.json["Message"]
    made = [i for i in stripe.intents(stripe_api) if i["id"] not in before]
    assert len(made) == 1 and made[0]["status"] == "canceled"


@pytest.mark.parametrize("price, quantity", [(49, 1), (25, 1), (1_000_000, 100)])
def test_a_total_stripe_cannot_take_is_422_naming_total_cents_before_anything_happens(
    shopper, admin, anonymous, stripe_api, price, quantity
):
    stool = _product(admin, stock=200, price=price)
    before = len(stripe.intents(stripe_api))
    refused = shopper.post(
        "/orders",
        {
            "payment_method": PM,
            "items": [{"product_id": stool["id"], "quantity": min(quantity, 99)}]
            + (
                [{"product_id": _product(admin, 5, 99_999_999)["id"], "quantity": 1}]
                if quantity > 99
                else []
            ),
        },
    )
    assert refused.status_code == 422 and "total_cents" in refused.json["Message"]
    assert len(stripe.intents(stripe_api)) == before and _stock(anonymous, stool["id"]) == 200


def test_a_sold_out_product_is_409_before_anything_is_authorized(shopper, admin, stripe_api):
    stool = _product(admin, stock=1)
    before = len(stripe.intents(stripe_api))
    assert _order(shopper, stool, 2).status_code == 409
    assert len(stripe.intents(stripe_api)) == before


@pytest.mark.parametrize("fault", ["rate limited", "failing"])
def test_stripe_failing_or_throttling_is_503_with_retry_after_and_nothing_kept(
    shopper, admin, anonymous, faulty, stripe_api, fault
):
    stool = _product(admin, stock=3)
    faulty.before["authorize"] = stripe.unavailable()
    answer = _order(shopper, stool, headers={"Idempotency-Key": f"throttled-{fault}"})
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert _stock(anonymous, stool["id"]) == 3 and shopper.get("/orders").json["items"] == []
    again = _order(shopper, stool, headers={"Idempotency-Key": f"throttled-{fault}"})
    assert again.status_code == 201 and len(stripe.intents_of(stripe_api, again.json["id"])) == 1


def test_an_authorization_whose_answer_was_lost_is_cancelled_before_the_503(
    shopper, admin, anonymous, faulty, stripe_api
):
    stool = _product(admin, stock=3)
    faulty.after["authorize"] = stripe.unavailable()  # Stripe authorized; the shop never heard
    answer = _order(shopper, stool)
    assert answer.status_code == 503 and _stock(anonymous, stool["id"]) == 3
    mine = [
        i for i in stripe.intents(stripe_api) if i["metadata"].get("user_id") == shopper.user_id
    ]
    assert len(mine) == 1 and mine[0]["status"] == "canceled"


def test_dynamodb_failing_after_authorizing_is_503_with_retry_after_and_the_intent_cancelled(
    shopper, admin, anonymous, faulty, stripe_api, monkeypatch
):
    from botocore.exceptions import ClientError

    from chalicelib import bootstrap
    from chalicelib.orders.checkout import DynamoOrderTransaction

    stool = _product(admin, stock=3)
    authorize = faulty.inner.authorize

    def failing_write(self):
        raise ClientError({"Error": {"Code": "ValidationException"}}, "TransactWriteItems")

    def authorize_then_fail_the_placing(request):
        monkeypatch.setattr(DynamoOrderTransaction, "commit", failing_write)
        return authorize(request)

    faulty.authorize = authorize_then_fail_the_placing
    answer = _order(shopper, stool, 2)
    monkeypatch.undo()
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    mine = [
        i for i in stripe.intents(stripe_api) if i["metadata"].get("user_id") == shopper.user_id
    ]
    assert [i["status"] for i in mine] == ["canceled"]
    # every transaction failed, so the units are still held: the sweep gives them back
    assert _stock(anonymous, stool["id"]) == 1
    assert bootstrap.services().sweeper.sweep(now=int(time.time()) + 61).abandoned == 1
    assert _stock(anonymous, stool["id"]) == 3 and shopper.get("/orders").json["items"] == []


def _reserving(faulty):
    """Each order's reservation as its check would name it, taken when its payment is authorized."""
    made = []
    authorize = faulty.authorize

    def remembering(request):
        made.append(stripe.reservation_of(request.order_id))
        return authorize(request)

    faulty.authorize = remembering
    return made


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_crash_around_authorizing_is_found_by_its_reservations_check_not_the_sweep(
    shopper, admin, anonymous, faulty, stripe_api, monkeypatch, when
):
    from chalicelib import bootstrap

    stool = _product(admin, stock=3)
    made = _reserving(faulty)
    crash = Crash(f"the function stopped {when} Stripe authorized")
    (faulty.before if when == "before" else faulty.after)["authorize"] = crash
    with pytest.raises(Crash):
        _order(shopper, stool, 2)
    assert _stock(anonymous, stool["id"]) == 1  # held by the PENDING order
    (check,) = made
    intents = stripe.intents_of(stripe_api, check.order_id)
    assert [i["status"] for i in intents] == ([] if when == "before" else ["requires_capture"])
    assert shopper.get("/orders").json["items"] == []
    # the reservation is not in the in_flight index: the sweep does not see it
    assert bootstrap.services().sweeper.sweep(now=int(time.time()) + 61).abandoned == 0
    assert _stock(anonymous, stool["id"]) == 1
    # its check before the lease is over (a clock behind): the message fails, comes back later
    early = stripe.check_reservation(check, time.time(), monkeypatch)
    assert early == {"batchItemFailures": [{"itemIdentifier": check.id}]}
    assert _stock(anonymous, stool["id"]) == 1
    calls = len(faulty.calls)
    assert stripe.check_reservation(check, time.time() + 61, monkeypatch) == {
        "batchItemFailures": []
    }
    assert all(i["status"] == "canceled" for i in stripe.intents_of(stripe_api, check.order_id))
    assert _stock(anonymous, stool["id"]) == 3 and shopper.get("/orders").json["items"] == []
    # Stripe asked to cancel once, only where it authorized (as the sweep did)
    assert faulty.calls[calls:] == ([] if when == "before" else ["void"])
    # delivered again (SQS delivers at least once): nothing left to do
    assert stripe.check_reservation(check, time.time() + 61, monkeypatch) == {
        "batchItemFailures": []
    }
    assert faulty.calls[calls:] == ([] if when == "before" else ["void"])


def test_a_reservation_made_again_under_the_same_key_is_checked_by_its_own_message(
    shopper, admin, anonymous, faulty, stripe_api, monkeypatch
):
    import types

    from chalicelib.orders import service

    stool = _product(admin, stock=3)
    made, key = _reserving(faulty), {"Idempotency-Key": f"again-{uuid.uuid4()}"}
    faulty.after["authorize"] = Crash("the function stopped after Stripe authorized")
    with pytest.raises(Crash):
        _order(shopper, stool, 2, headers=key)
    # the same key after the lease: the first reservation is abandoned, the order reserved again, and crashes
    later = time.time() + 61
    monkeypatch.setattr(service, "time", types.SimpleNamespace(time=lambda: later))
    faulty.after["authorize"] = Crash("the function stopped again after Stripe authorized")
    with pytest.raises(Crash):
        _order(shopper, stool, 2, headers=key)
    monkeypatch.undo()
    first, second = made
    assert first.order_id == second.order_id and first.id != second.id
    assert _stock(anonymous, stool["id"]) == 1  # held by the second reservation
    calls = len(faulty.calls)
    # the first one's check: its reservation is gone, the second is not its to abandon
    assert stripe.check_reservation(first, later + 61, monkeypatch) == {"batchItemFailures": []}
    assert faulty.calls[calls:] == [] and _stock(anonymous, stool["id"]) == 1
    statuses = [i["status"] for i in stripe.intents_of(stripe_api, first.order_id)]
    assert sorted(statuses) == ["canceled", "requires_capture"]
    # the second one's own check abandons it
    assert stripe.check_reservation(second, later + 61, monkeypatch) == {"batchItemFailures": []}
    assert faulty.calls[calls:] == ["void"] and _stock(anonymous, stool["id"]) == 3
    statuses = [i["status"] for i in stripe.intents_of(stripe_api, first.order_id)]
    assert statuses == ["canceled", "canceled"]


def test_a_slow_placement_racing_its_check_is_placed_or_abandoned_never_both(
    shopper, admin, anonymous, faulty, stripe_api, monkeypatch
):
    stool = _product(admin, stock=3)
    made, checked = _reserving(faulty), []
    authorize = faulty.authorize

    def checked_meanwhile(request):
        intent = authorize(request)
        checked.append(stripe.check_reservation(made[0], time.time() + 61, monkeypatch))
        return intent

    faulty.authorize = checked_meanwhile
    answer = _order(shopper, stool, 2)
    # the check took the order over first: the placing write fails, nothing is ordered or held
    assert checked == [{"batchItemFailures": []}]
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert _stock(anonymous, stool["id"]) == 3 and shopper.get("/orders").json["items"] == []
    intents = stripe.intents_of(stripe_api, made[0].order_id)
    assert [i["status"] for i in intents] == ["canceled"]


def test_the_check_of_a_placed_order_changes_nothing(
    shopper, admin, anonymous, faulty, stripe_api, monkeypatch
):
    stool = _product(admin, stock=3)
    made = _reserving(faulty)
    placed = _order(shopper, stool, 2).json
    assert placed["status"] == "PLACED" and made[0].order_id == placed["id"]
    calls = len(faulty.calls)
    assert stripe.check_reservation(made[0], time.time() + 61, monkeypatch) == {
        "batchItemFailures": []
    }
    now = shopper.get(f"/orders/{placed['id']}").json
    assert now["status"] == "PLACED" and now["payment"]["status"] == "AUTHORIZED"
    assert faulty.calls[calls:] == [] and _stock(anonymous, stool["id"]) == 1
    assert stripe.intent(stripe_api, placed["payment"]["reference"])["status"] == "requires_capture"


# --- capture on ship, void on cancel, refund ---------------------------------------------------------------


@pytest.fixture
def placed(shopper, admin):
    stool = _product(admin, stock=5, price=1999)
    order = _order(shopper, stool, 2)
    assert order.status_code == 201, order.body
    return order.json, stool


def test_shipping_captures_and_refunding_refunds_in_full_each_once(
    admin, shopper, anonymous, placed, stripe_api
):
    order, stool = placed
    reference = order["payment"]["reference"]
    assert admin.post(f"/orders/{order['id']}/refund").status_code == 409  # not shipped yet
    shipped = admin.post(f"/orders/{order['id']}/ship")
    assert shipped.status_code == 200 and shipped.json["status"] == "SHIPPED"
    assert (
        shipped.json["payment"]["status"] == "CAPTURED"
        and stripe.intent(stripe_api, reference)["status"] == "succeeded"
    )
    assert admin.post(f"/orders/{order['id']}/deliver").json["payment"]["status"] == "CAPTURED"
    refunded = admin.post(f"/orders/{order['id']}/refund")
    assert refunded.status_code == 200 and refunded.json["status"] == "REFUNDED"
    assert (
        refunded.json["payment"]["status"] == "REFUNDED"
        and stripe.refunded(stripe_api, reference) == 3998
    )
    again = admin.post(f"/orders/{order['id']}/refund")
    assert again.status_code == 409 and "REFUNDED" in again.json["Message"]
    assert stripe.refunded(stripe_api, reference) == 3998 and _stock(anonymous, stool["id"]) == 3
    assert shopper.post(f"/orders/{order['id']}/refund").status_code == 403  # admins only
    listed = admin.get("/admin/orders?status=REFUNDED&limit=100").json["items"]
    assert order["id"] in [o["id"] for o in listed]


def test_cancelling_voids_the_authorization_and_returns_the_stock(
    shopper, anonymous, placed, stripe_api
):
    order, stool = placed
    cancelled = shopper.post(f"/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["payment"]["status"] == "VOIDED"
    assert stripe.intent(stripe_api, order["payment"]["reference"])["status"] == "canceled"
    assert _stock(anonymous, stool["id"]) == 5


def test_a_ship_whose_authorization_stripe_cancelled_is_402_and_the_order_cancelled(
    admin, shopper, anonymous, placed, stripe_api, faulty
):
    order, stool = placed
    stripe.cancel_at_stripe(stripe_api, order["payment"]["reference"])
    refused = admin.post(f"/orders/{order['id']}/ship")
    assert refused.status_code == 402 and "cancelled" in refused.json["Message"]
    now = shopper.get(f"/orders/{order['id']}").json
    assert (
        now["status"] == "CANCELLED"
        and now["payment"]["status"] == "VOIDED"
        and _stock(anonymous, stool["id"]) == 5
    )


def test_localstripe_capturing_a_cancelled_intent_still_cancels_the_order(
    admin, shopper, placed, stripe_api
):
    """localstripe answers a capture of a cancelled intent 200 (Stripe refuses it): the intent's state decides."""
    order, _ = placed
    stripe.cancel_at_stripe(stripe_api, order["payment"]["reference"])
    assert admin.post(f"/orders/{order['id']}/ship").status_code == 402
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "CANCELLED"


def test_two_ships_at_once_capture_once(admin, live_url, placed, faulty):
    order, _ = placed
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(
            pool.map(
                lambda _: (
                    requests.post(
                        f"{live_url}/orders/{order['id']}/ship",
                        timeout=30,
                        headers={"Authorization": f"Bearer {admin.token}"},
                    ).status_code
                ),
                range(4),
            )
        )
    assert sorted(statuses).count(200) == 1 and set(statuses) <= {200, 409}, statuses
    assert faulty.calls.count("capture") == 1


def test_a_ship_racing_a_cancel_ends_with_one_and_the_payment_matching(
    admin, shopper, live_url, placed, stripe_api
):
    order, _ = placed

    def act(who_action):
        who, action = who_action
        return action, requests.post(
            f"{live_url}/orders/{order['id']}/{action}",
            timeout=30,
            headers={"Authorization": f"Bearer {who.token}"},
        ).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(act, [(admin, "ship"), (shopper, "cancel")]))
    assert sorted(results.values()) == [200, 409], results
    final = shopper.get(f"/orders/{order['id']}").json
    stripe_state = stripe.intent(stripe_api, order["payment"]["reference"])["status"]
    assert (final["status"], final["payment"]["status"], stripe_state) in (
        ("SHIPPED", "CAPTURED", "succeeded"),
        ("CANCELLED", "VOIDED", "canceled"),
    )


def test_a_capture_whose_answer_is_lost_is_finished_by_the_sweep_without_capturing_again(
    admin, placed, faulty, stripe_api
):
    from chalicelib import bootstrap

    order, _ = placed
    faulty.after["capture"] = Crash("stopped right after Stripe captured")
    with pytest.raises(Crash):
        admin.post(f"/orders/{order['id']}/ship")
    assert admin.get(f"/orders/{order['id']}").json["status"] == "PLACED"
    # another request's, until its lease ends
    assert admin.post(f"/orders/{order['id']}/ship").status_code == 409
    swept = bootstrap.services().sweeper.sweep(now=int(time.time()) + 61)
    assert swept.settled >= 1 and faulty.calls.count("capture") == 1
    now = admin.get(f"/orders/{order['id']}").json
    assert now["status"] == "SHIPPED" and now["payment"]["status"] == "CAPTURED"


# --- the webhook ---------------------------------------------------------------------------------------------


def _deliver(client, payload, signature=None):
    from devstack.api import Api

    return Api(client).request(
        "POST",
        "/payments/webhook",
        body=payload,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            **({"Stripe-Signature": signature} if signature else {}),
        },
    )


def test_an_authorization_stripe_cancelled_cancels_the_order_once_through_the_webhook(
    client, shopper, anonymous, placed, stripe_api
):
    order, stool = placed
    stripe.cancel_at_stripe(stripe_api, order["payment"]["reference"])
    payload, signature = stripe.signed(
        stripe.event(
            "payment_intent.canceled", order["payment"]["reference"], f"evt_{uuid.uuid4().hex}"
        )
    )
    first = _deliver(client, payload, signature)
    assert first.status_code == 200 and first.json["received"] == "settled"
    assert _deliver(client, payload, signature).json["received"] in ("duplicate", "unchanged")
    now = shopper.get(f"/orders/{order['id']}").json
    assert (
        now["status"] == "CANCELLED"
        and now["payment"]["status"] == "VOIDED"
        and _stock(anonymous, stool["id"]) == 5
    )


def test_a_dashboard_refund_in_full_refunds_the_order_and_a_partial_one_changes_nothing(
    client, admin, placed, stripe_api
):
    order, _ = placed
    reference = order["payment"]["reference"]
    admin.post(f"/orders/{order['id']}/ship")
    requests.post(
        f"{stripe_api}/v1/refunds",
        auth=stripe.KEY,
        timeout=10,
        data={"payment_intent": reference, "amount": 1000},
    ).raise_for_status()
    payload, signature = stripe.signed(
        stripe.event("charge.refunded", reference, f"evt_{uuid.uuid4().hex}")
    )
    assert _deliver(client, payload, signature).json["received"] == "unchanged"
    assert admin.get(f"/orders/{order['id']}").json["status"] == "SHIPPED"
    requests.post(
        f"{stripe_api}/v1/refunds",
        auth=stripe.KEY,
        timeout=10,
        data={"payment_intent": reference, "amount": 2998},
    ).raise_for_status()
    payload, signature = stripe.signed(
        stripe.event("charge.refunded", reference, f"evt_{uuid.uuid4().hex}")
    )
    assert _deliver(client, payload, signature).json["received"] == "settled"
    assert admin.get(f"/orders/{order['id']}").json["status"] == "REFUNDED"


def test_an_event_whose_body_says_otherwise_than_stripe_changes_nothing(client, admin, placed):
    order, _ = placed  # still authorized at Stripe, whatever the event claims
    payload, signature = stripe.signed(
        stripe.event("payment_intent.canceled", order["payment"]["reference"])
    )
    assert _deliver(client, payload, signature).json["received"] == "unchanged"
    assert admin.get(f"/orders/{order['id']}").json["status"] == "PLACED"


@pytest.mark.parametrize(
    "case", ["missing", "forged", "other secret", "five minutes old", "garbage"]
)
def test_an_unverifiable_event_is_400(client, placed, case):
    order, _ = placed
    body = stripe.event("payment_intent.canceled", order["payment"]["reference"])
    payload, signature = {
        "missing": (stripe.signed(body)[0], None),
        "forged": (stripe.signed(body)[0], "t=1,v1=" + "0" * 64),
        "other secret": stripe.signed(body, secret="whsec_other"),
        "five minutes old": stripe.signed(body, at=int(time.time()) - 301),
        "garbage": (b"\xff\xfe not json", stripe.signed(body)[1]),
    }[case]
    answer = _deliver(client, payload, signature)
    assert answer.status_code == 400 and (
        "Stripe" in answer.json["Message"] or "event" in answer.json["Message"]
    )


def test_other_events_and_unknown_intents_are_200_and_ignored(client, placed):
    order, _ = placed
    for body in (
        stripe.event("payment_intent.succeeded", order["payment"]["reference"]),
        stripe.event("payment_intent.canceled", "pi_unknown00000"),
        {
            "id": "evt_x",
            "type": "customer.created",
            "data": {"object": {"id": "cus_1", "extra": [1, 2]}},
            "unknown_field": {"nested": True},
        },
    ):
        answer = _deliver(client, *stripe.signed(body))
        assert answer.status_code == 200 and answer.json["received"] == "ignored"


def test_an_event_over_512_kib_is_413_and_stripes_own_fields_are_taken_as_they_come(client, placed):
    order, _ = placed
    big = stripe.event("payment_intent.succeeded", order["payment"]["reference"])
    big["data"]["object"]["padding"] = "x" * (512 * 1024)
    assert _deliver(client, *stripe.signed(big)).status_code == 413
    duplicated = stripe.signed(
        stripe.event("payment_intent.succeeded", order["payment"]["reference"])
    )[0]
    # a key twice: Stripe's body, not ours
    duplicated = duplicated[:-1] + b', "type": "payment_intent.succeeded"}'
    stamp = int(time.time())
    import hashlib
    import hmac

    signature = hmac.new(
        b"whsec_local", f"{stamp}.".encode() + duplicated, hashlib.sha256
    ).hexdigest()
    assert _deliver(client, duplicated, f"t={stamp},v1={signature}").status_code == 200


def test_the_scheduled_sweep_runs_as_eventbridge_calls_it(app, placed):
    import sys
    from devstack import pump

    swept = sys.modules["app"].sweep_payments(pump.scheduled_event(), pump.Context())
    assert set(swept) == {"abandoned", "settled", "failed"} and all(
        isinstance(n, int) for n in swept.values()
    )
