"""Placing and moving orders with their payments, against in-memory fakes of the ports (FakePayments is as
strict as Stripe): authorization once, refusals that change nothing, captures, voids and refunds once, the
provider failing or losing its answer, its events, the reservations' checks and the sweep."""

import json

import pytest

from chalicelib import errors, ids, retry
from chalicelib.orders import model
from chalicelib.orders.commands import (
    CancelOrder,
    DeliverOrder,
    IdempotencyKey,
    PlaceOrder,
    RefundOrder,
    Requester,
    ShipOrder,
)
from chalicelib.orders.reservations import PaymentLost
from chalicelib.payments.model import NothingAuthorized, PaymentRefused
from chalicelib.products.model import FLASH_BUCKETS, Product
from chalicelib.products.takes import OutOfStock
from tests.unit import fakes

ADA, ADMIN = "U-ADA", Requester("U-ADMIN", is_admin=True)


@pytest.fixture
def fulfilment(shop):
    return fakes.fulfilment(shop)


def product(shop, stock=10, price=1000, flash=False):
    made = Product(
        ids.new_id(),
        "Crunchy Armchair",
        "",
        "chairs",
        price,
        stock,
        None,
        "t",
        "t",
        flash_sale=flash,
    )
    fakes.FakeCatalog(shop).add(made)
    return made


def order(*lines, method="pm_card_visa", key=None, body="body"):
    return PlaceOrder(
        ADA,
        method,
        tuple((p.id, q) for p, q in lines) or None,
        IdempotencyKey(key, body) if key else None,
    )


def stock_of(shop, made):
    return fakes.FakeCatalog(shop).get(made.id).stock


def calls(shop, operation):
    return [subject for name, subject in shop.payments.calls if name == operation]


# --- placing ---------------------------------------------------------------------------------------------


def test_placing_holds_the_stock_and_authorizes_the_total_once(shop, checkout):
    chair = product(shop, price=1250)
    placed = checkout.place(order((chair, 2)))
    payment = placed.order.payment
    assert (
        placed.order.status == model.PLACED
        and payment.status == "AUTHORIZED"
        and payment.amount_cents == 2500
    )
    assert (
        shop.payments.intents[payment.reference].authorized and len(calls(shop, "authorize")) == 1
    )
    assert (
        stock_of(shop, chair) == 8 and fakes.FakeOrders(shop).get(placed.order.id) == placed.order
    )


def test_a_declined_card_changes_nothing_and_the_key_may_be_sent_again_with_another_card(
    shop, checkout
):
    chair = product(shop)
    carts = fakes.FakeCarts(shop)
    carts.put(ADA, chair.id, 3)
    with pytest.raises(PaymentRefused, match="card_declined"):
        checkout.place(order(method=fakes.FakePayments.DECLINED, key="K1"))
    assert stock_of(shop, chair) == 10 and carts.quantities(ADA) == {chair.id: 3}
    assert fakes.FakeOrders(shop).page_for_user(ADA, 10, None) == ([], None)
    placed = checkout.place(order(method="pm_card_visa", key="K1"))
    first, second = calls(shop, "authorize")
    # a new attempt: a new idempotency key
    assert placed.order.status == model.PLACED and first != second
    assert carts.quantities(ADA) == {} and stock_of(shop, chair) == 7


def test_a_declined_card_while_the_shopper_changes_the_cart_is_402_with_the_units_back_and_the_new_cart(
    shop, checkout
):
    chair, stool = product(shop), product(shop)
    carts = fakes.FakeCarts(shop)
    carts.put(ADA, chair.id, 3)
    # the shopper adds a stool in another tab while Stripe answers
    shop.payments.during["authorize"] = lambda: carts.put(ADA, stool.id, 1)
    with pytest.raises(PaymentRefused, match="card_declined"):
        checkout.place(order(method=fakes.FakePayments.DECLINED, key="K1"))
    assert stock_of(shop, chair) == 10 and carts.quantities(ADA) == {stool.id: 1}
    assert shop.orders == {}  # no PENDING order holds the chairs until the sweep


def test_a_declined_card_whose_release_meets_contention_is_402_with_everything_back(shop, checkout):
    chair = product(shop)
    carts = fakes.FakeCarts(shop)
    carts.put(ADA, chair.id, 2)
    shop.payments.during["authorize"] = lambda: shop.failures.append(retry.Contention())
    with pytest.raises(PaymentRefused, match="card_declined"):
        checkout.place(order(method=fakes.FakePayments.DECLINED))
    assert stock_of(shop, chair) == 10 and carts.quantities(ADA) == {chair.id: 2}
    assert shop.orders == {}


def test_a_declined_card_whose_release_keeps_failing_is_402_and_its_check_gives_the_units_back(
    shop, checkout
):
    chair = product(shop)
    shop.payments.during["authorize"] = lambda: shop.failures.extend([retry.Contention()] * 8)
    with pytest.raises(PaymentRefused, match="card_declined"):
        checkout.place(order((chair, 2), method=fakes.FakePayments.DECLINED))
    pending = next(iter(shop.orders.values()))[0]
    assert stock_of(shop, chair) == 8 and pending.status == model.PENDING
    # not in the in_flight index: the sweep does not see it, its reservation's check does
    assert fakes.sweeper(shop).sweep(now=pending.operation.since + 61).abandoned == 0
    assert fakes.check_reservations(shop, now=pending.operation.since + 61) == ["abandoned"]
    assert stock_of(shop, chair) == 10 and shop.orders == {}


def test_a_card_that_needs_authentication_is_402_and_its_authorization_cancelled(shop, checkout):
    chair = product(shop)
    with pytest.raises(PaymentRefused, match="authentication_required"):
        checkout.place(order((chair, 1), method=fakes.FakePayments.NEEDS_ACTION))
    assert shop.payments.authorized() == [] and stock_of(shop, chair) == 10


@pytest.mark.parametrize("price, quantity", [(49, 1), (10_000_000, 10)])
def test_a_total_the_provider_cannot_take_is_422_before_anything_happens(
    shop, checkout, price, quantity
):
    chair = product(shop, price=price, stock=20)
    with pytest.raises(errors.Unprocessable, match="total_cents"):
        checkout.place(order((chair, quantity)))
    assert shop.payments.calls == [] and stock_of(shop, chair) == 20


def test_a_sold_out_product_is_refused_before_anything_is_authorized(shop, checkout):
    chair = product(shop, stock=1)
    with pytest.raises(OutOfStock):
        checkout.place(order((chair, 2)))
    assert shop.payments.calls == [] and stock_of(shop, chair) == 1


def test_a_flash_sale_product_read_empty_is_sold_out_for_a_second_without_reading_its_buckets(
    shop, checkout
):
    kettle = product(shop, stock=FLASH_BUCKETS, flash=True)
    for _ in range(FLASH_BUCKETS):
        checkout.place(order((kettle, 1)))
    with pytest.raises(OutOfStock):
        checkout.place(order((kettle, 1)))
    reads = len(shop.level_reads)
    with pytest.raises(OutOfStock):
        checkout.place(order((kettle, 1)))
    assert len(shop.level_reads) == reads and len(calls(shop, "authorize")) == FLASH_BUCKETS


def test_the_provider_failing_is_503_with_the_stock_back_and_no_authorization_left(shop, checkout):
    chair = product(shop)
    shop.payments.faults["authorize"] = errors.Unavailable("Stripe is down")
    with pytest.raises(errors.Unavailable):
        checkout.place(order((chair, 2), key="K1"))
    assert stock_of(shop, chair) == 10 and shop.payments.authorized() == []
    # the key is free again
    assert checkout.place(order((chair, 2), key="K1")).order.status == model.PLACED


def test_the_provider_throttling_is_503_and_keeps_nothing_without_asking_it_anything_more(
    shop, checkout
):
    chair = product(shop)
    carts = fakes.FakeCarts(shop)
    carts.put(ADA, chair.id, 2)
    shop.payments.faults["authorize"] = NothingAuthorized("Stripe is throttling")
    with pytest.raises(NothingAuthorized):
        checkout.place(order(key="K1"))
    assert [name for name, _ in shop.payments.calls] == ["authorize"]  # no recover, no void
    assert stock_of(shop, chair) == 10 and carts.quantities(ADA) == {chair.id: 2}
    assert shop.orders == {}


def test_an_authorization_whose_answer_was_lost_is_found_and_cancelled_before_the_503(
    shop, checkout
):
    chair = product(shop)
    shop.payments.lost.add("authorize")
    with pytest.raises(errors.Unavailable):
        checkout.place(order((chair, 2)))
    assert len(shop.payments.intents) == 1 and shop.payments.authorized() == []
    assert calls(shop, "recover") and stock_of(shop, chair) == 10


def test_a_second_request_with_the_key_while_the_first_pays_is_409_and_one_payment_is_made(
    shop, checkout
):
    chair = product(shop)
    seen = []
    shop.payments.during["authorize"] = lambda: seen.append(
        _refused(lambda: checkout.place(order((chair, 1), key="K1")))
    )
    placed = checkout.place(order((chair, 1), key="K1"))
    assert isinstance(seen[0], errors.Conflict) and placed.order.status == model.PLACED
    assert len(shop.payments.intents) == 1 and stock_of(shop, chair) == 9


def test_the_same_key_with_another_body_while_the_first_pays_is_422(shop, checkout):
    chair = product(shop)
    seen = []
    shop.payments.during["authorize"] = lambda: seen.append(
        _refused(lambda: checkout.place(order((chair, 2), key="K1", body="another")))
    )
    checkout.place(order((chair, 1), key="K1"))
    assert isinstance(seen[0], errors.Unprocessable)


def test_a_replay_answers_the_first_order_and_calls_nobody(shop, checkout):
    chair = product(shop)
    first = checkout.place(order((chair, 1), key="K1"))
    again = checkout.place(order((chair, 1), key="K1"))
    assert again.replayed and again.order == first.order and len(calls(shop, "authorize")) == 1


def test_a_key_whose_request_died_while_paying_is_abandoned_and_placed_anew(shop, checkout):
    chair = product(shop)
    # no except clause catches it
    shop.payments.faults["authorize"] = SystemExit("the function was stopped")
    with pytest.raises(SystemExit):
        checkout.place(order((chair, 1), key="K1"))
    pending = next(iter(shop.orders.values()))[0]
    shop.orders[pending.id] = (
        pending.__class__(
            **{
                **pending.__dict__,
                "operation": model.Operation(model.AUTHORIZE, pending.operation.since - 61),
            }
        ),
        "",
        "body",
    )  # its lease ended
    placed = checkout.place(order((chair, 1), key="K1"))
    assert placed.order.status == model.PLACED and stock_of(shop, chair) == 9


def test_the_check_taking_a_slow_order_over_cancels_its_authorization_and_it_is_never_placed(
    shop, checkout
):
    chair = product(shop)

    def check_meanwhile():
        pending = next(o for o, _, _ in shop.orders.values() if o.status == model.PENDING)
        assert fakes.check_reservations(shop, now=pending.operation.since + 61) == ["abandoned"]

    shop.payments.during["authorize"] = check_meanwhile
    with pytest.raises(PaymentLost):
        checkout.place(order((chair, 1)))
    assert shop.payments.authorized() == [] and stock_of(shop, chair) == 10 and shop.orders == {}


class DynamoDBFailing(Exception):
    """What botocore raises when DynamoDB fails a write (no domain error, no retry signal)."""


def test_the_database_failing_after_authorizing_cancels_the_authorization_before_the_503(
    shop, checkout
):
    chair = product(shop)
    # the write that places the order fails
    shop.payments.during["authorize"] = lambda: shop.failures.append(DynamoDBFailing())
    with pytest.raises(errors.Unavailable, match="authorization is cancelled"):
        checkout.place(order((chair, 2), key="K1"))
    (made,) = shop.payments.intents.values()
    assert made.cancelled and calls(shop, "void") == [made.reference]
    assert stock_of(shop, chair) == 10 and shop.orders == {}
    assert checkout.place(order((chair, 2), key="K1")).order.status == model.PLACED


def test_the_database_failing_throughout_still_cancels_the_authorization_and_its_check_releases(
    shop, checkout, monkeypatch
):
    chair = product(shop)

    def claim_failing(*_):
        raise DynamoDBFailing()

    def failing_everywhere():
        shop.failures.append(DynamoDBFailing())
        monkeypatch.setattr(fakes.FakeOrders, "claim", claim_failing)

    shop.payments.during["authorize"] = failing_everywhere
    with pytest.raises(errors.Unavailable):
        checkout.place(order((chair, 2)))
    assert shop.payments.authorized() == [] and stock_of(shop, chair) == 8
    monkeypatch.undo()
    pending = next(iter(shop.orders.values()))[0]
    assert fakes.check_reservations(shop, now=pending.operation.since + 61) == ["abandoned"]
    assert stock_of(shop, chair) == 10 and shop.orders == {}


def test_a_placing_write_that_landed_but_lost_its_answer_is_the_order(shop, checkout):
    chair = product(shop)

    def answer_lost():
        raise DynamoDBFailing()

    shop.payments.during["authorize"] = lambda: shop.afterwards.append(answer_lost)
    placed = checkout.place(order((chair, 2)))
    assert placed.order.status == model.PLACED and shop.payments.authorized() != []
    assert calls(shop, "void") == [] and stock_of(shop, chair) == 8


# --- ship, cancel, refund ----------------------------------------------------------------------------------


@pytest.fixture
def placed(shop, checkout):
    chair = product(shop, stock=10)
    return checkout.place(order((chair, 3))).order, chair


def test_shipping_captures_once_and_ships(shop, fulfilment, placed):
    made, _ = placed
    shipped = fulfilment.ship(ShipOrder(made.id))
    assert shipped.status == model.SHIPPED and shipped.payment.status == "CAPTURED"
    assert shop.payments.intents[made.payment.reference].captured and calls(shop, "capture") == [
        made.payment.reference
    ]
    with pytest.raises(errors.Conflict, match="SHIPPED"):
        fulfilment.ship(ShipOrder(made.id))
    assert len(calls(shop, "capture")) == 1


def test_a_ship_racing_a_cancel_leaves_one_winner_and_the_payment_matching(
    shop, fulfilment, placed
):
    made, chair = placed
    seen = []
    shop.payments.during["capture"] = lambda: seen.append(
        _refused(lambda: fulfilment.cancel(CancelOrder(made.id, Requester(ADA))))
    )
    shipped = fulfilment.ship(ShipOrder(made.id))
    assert isinstance(seen[0], errors.Conflict) and calls(shop, "void") == []
    assert (
        shipped.status == model.SHIPPED and shop.payments.intents[made.payment.reference].captured
    )
    assert stock_of(shop, chair) == 7


def test_cancelling_voids_the_authorization_and_gives_the_units_back(shop, fulfilment, placed):
    made, chair = placed
    cancelled = fulfilment.cancel(CancelOrder(made.id, Requester(ADA)))
    assert cancelled.status == model.CANCELLED and cancelled.payment.status == "VOIDED"
    assert shop.payments.intents[made.payment.reference].cancelled and stock_of(shop, chair) == 10
    with pytest.raises(errors.NotFound):
        fulfilment.cancel(CancelOrder(made.id, Requester("U-EVE")))


def test_another_shoppers_cancel_is_404_and_records_nothing(shop, fulfilment, placed):
    made, _ = placed
    with pytest.raises(errors.NotFound):
        fulfilment.cancel(CancelOrder(made.id, Requester("U-EVE")))
    assert fakes.FakeOrders(shop).get(made.id).operation is None and calls(shop, "void") == []


def test_a_capture_refused_because_the_authorization_is_gone_cancels_the_order_and_is_402(
    shop, fulfilment, placed
):
    made, chair = placed
    shop.payments.expire(made.payment.reference)
    with pytest.raises(errors.PaymentRequired, match="cancelled"):
        fulfilment.ship(ShipOrder(made.id))
    now = fakes.FakeOrders(shop).get(made.id)
    assert (
        now.status == model.CANCELLED
        and now.payment.status == "VOIDED"
        and stock_of(shop, chair) == 10
    )


def test_refunding_refunds_the_capture_once_and_keeps_the_stock_out(shop, fulfilment, placed):
    made, chair = placed
    with pytest.raises(errors.Conflict, match="PLACED"):
        fulfilment.refund(RefundOrder(made.id))
    fulfilment.ship(ShipOrder(made.id))
    fulfilment.deliver(DeliverOrder(made.id))
    refunded = fulfilment.refund(RefundOrder(made.id))
    assert (
        refunded.status == model.REFUNDED
        and refunded.payment.status == "REFUNDED"
        and stock_of(shop, chair) == 7
    )
    with pytest.raises(errors.Conflict, match="REFUNDED"):
        fulfilment.refund(RefundOrder(made.id))
    assert len(calls(shop, "refund")) == 1


def test_a_capture_whose_answer_is_lost_is_503_and_the_next_ship_finishes_it_without_capturing_again(
    shop, fulfilment, placed
):
    made, _ = placed
    # captured, and neither its answer nor a re-read reached the shop
    shop.payments.lost.add("capture")
    with pytest.raises(errors.Unavailable):
        fulfilment.ship(ShipOrder(made.id))
    stuck = fakes.FakeOrders(shop).get(made.id)
    assert stuck.status == model.PLACED and stuck.operation.name == "capture"
    with pytest.raises(errors.Conflict, match="another request"):  # its lease has not ended
        fulfilment.ship(ShipOrder(made.id))
    _age(shop, made.id, 61)
    assert fulfilment.ship(ShipOrder(made.id)).status == model.SHIPPED
    assert len(calls(shop, "capture")) == 1


def test_a_ship_tried_again_after_a_capture_that_failed_uses_a_new_idempotency_key(
    shop, fulfilment, placed, monkeypatch
):
    from chalicelib.orders import fulfilment as module

    made, _ = placed
    keys, capture = [], shop.payments.capture
    now = iter(range(1_000_000, 1_000_100))  # a second later each time the shop looks
    monkeypatch.setattr(
        module, "time", type("Clock", (), {"time": staticmethod(lambda: next(now))})
    )

    def capture_failing_once(reference, key):
        keys.append(key)
        # Stripe answered 500 and stored that answer under the key; the intent is still authorized
        return capture(reference, key) if len(keys) > 1 else shop.payments.intents[reference]

    monkeypatch.setattr(shop.payments, "capture", capture_failing_once)
    with pytest.raises(errors.Unavailable, match="did not ship"):
        fulfilment.ship(ShipOrder(made.id))
    assert fulfilment.ship(ShipOrder(made.id)).status == model.SHIPPED
    assert keys == [f"{made.id}:capture:1000000", f"{made.id}:capture:1000001"]


def test_the_sweep_settles_operations_whose_requests_never_finished(shop, fulfilment, placed):
    made, chair = placed
    shop.payments.lost.add("void")
    with pytest.raises(errors.Unavailable):
        fulfilment.cancel(CancelOrder(made.id, Requester(ADA)))
    swept = fakes.sweeper(shop).sweep(now=fakes.FakeOrders(shop).get(made.id).operation.since + 61)
    now = fakes.FakeOrders(shop).get(made.id)
    assert (
        swept.settled == 1
        and now.status == model.CANCELLED
        and now.operation is None
        and stock_of(shop, chair) == 10
    )


def test_one_order_the_sweep_cannot_settle_is_logged_and_counted_and_the_others_are_settled(
    shop, checkout, fulfilment, monkeypatch
):
    from chalicelib import observability
    from chalicelib.orders.settlement import Swept

    counted, logged = [], []
    monkeypatch.setattr(observability, "count", lambda name, value=1: counted.append(name))
    monkeypatch.setattr(
        observability,
        "logger",
        lambda: type("Log", (), {"warning": lambda _, *a, **kw: logged.append((a, kw))})(),
    )
    chairs = [product(shop) for _ in range(3)]
    made = [checkout.place(order((chair, 1))).order for chair in chairs]
    for placed in made:
        shop.payments.lost.add("void")
        with pytest.raises(errors.Unavailable):
            fulfilment.cancel(CancelOrder(placed.id, Requester(ADA)))
    shop.payments.faults["intent"] = RuntimeError("Stripe answered something unreadable")
    since = fakes.FakeOrders(shop).get(made[0].id).operation.since
    assert fakes.sweeper(shop).sweep(now=since + 61) == Swept(abandoned=0, settled=2, failed=1)
    stuck = [o.id for o in made if fakes.FakeOrders(shop).get(o.id).status == model.PLACED]
    assert stuck == [made[0].id] and counted.count(observability.SWEEP_FAILED) == 1
    assert [kw["extra"]["order_id"] for _, kw in logged] == [made[0].id]
    # the next run settles it
    assert fakes.sweeper(shop).sweep(now=since + 62) == Swept(abandoned=0, settled=1, failed=0)


# --- the provider's events ------------------------------------------------------------------------------


def _event(kind, reference, event_id="evt_1"):
    subject = {"payment_intent": reference} if kind.startswith("charge.") else {"id": reference}
    return json.dumps({"id": event_id, "type": kind, "data": {"object": subject}}).encode()


def test_an_authorization_stripe_cancelled_cancels_the_order_once(shop, placed):
    made, chair = placed
    events = fakes.payment_events(shop)
    shop.payments.expire(made.payment.reference)
    body = _event("payment_intent.canceled", made.payment.reference)
    assert events.receive(body, "t=1,v1=valid") == "settled"
    assert events.receive(body, "t=1,v1=valid") == "unchanged"  # redelivered: nothing more
    assert (
        fakes.FakeOrders(shop).get(made.id).status == model.CANCELLED
        and stock_of(shop, chair) == 10
    )


def test_an_event_whose_body_lies_changes_nothing(shop, placed):
    made, _ = placed
    events = fakes.payment_events(shop)  # the intent is still authorized at the provider
    assert (
        events.receive(_event("payment_intent.canceled", made.payment.reference), "t=1,v1=valid")
        == "unchanged"
    )
    assert fakes.FakeOrders(shop).get(made.id).status == model.PLACED


def test_a_dashboard_refund_refunds_a_shipped_order_only_in_full(shop, fulfilment, placed):
    made, _ = placed
    fulfilment.ship(ShipOrder(made.id))
    events = fakes.payment_events(shop)
    shop.payments.refund_in_dashboard(made.payment.reference, 100)
    assert (
        events.receive(_event("charge.refunded", made.payment.reference, "evt_a"), "t=1,v1=valid")
        == "unchanged"
    )
    shop.payments.refund_in_dashboard(made.payment.reference, made.total_cents - 100)
    assert (
        events.receive(_event("charge.refunded", made.payment.reference, "evt_b"), "t=1,v1=valid")
        == "settled"
    )
    assert fakes.FakeOrders(shop).get(made.id).status == model.REFUNDED


def test_an_event_about_the_shops_own_void_arriving_mid_operation_finishes_it_once(
    shop, fulfilment, placed
):
    made, chair = placed
    events = fakes.payment_events(shop)
    outcomes = []

    def event_meanwhile():
        shop.payments.intents[made.payment.reference] = shop.payments._moved(
            made.payment.reference, "requires_capture", "canceled"
        )
        outcomes.append(
            events.receive(
                _event("payment_intent.canceled", made.payment.reference), "t=1,v1=valid"
            )
        )

    shop.payments.during["void"] = event_meanwhile
    cancelled = fulfilment.cancel(CancelOrder(made.id, Requester(ADA)))
    assert outcomes == ["settled"]  # the event finished the void; the request then found it done
    # the units back once
    assert cancelled.status == model.CANCELLED and stock_of(shop, chair) == 10


def test_events_that_are_not_acted_on_or_not_signed(shop, placed):
    made, _ = placed
    events = fakes.payment_events(shop)
    assert (
        events.receive(_event("payment_intent.succeeded", made.payment.reference), "t=1,v1=valid")
        == "ignored"
    )
    assert (
        events.receive(_event("payment_intent.canceled", "pi_unknown"), "t=1,v1=valid") == "ignored"
    )
    with pytest.raises(errors.InvalidInput, match="Stripe-Signature"):
        events.receive(_event("payment_intent.canceled", made.payment.reference), "t=1,v1=forged")


def _refused(call):
    try:
        call()
    except errors.ShopError as exc:
        return exc
    return None


def _age(shop, order_id, seconds):
    made, seq, body = shop.orders[order_id]
    op = made.operation
    shop.orders[order_id] = (
        made.__class__(
            **{**made.__dict__, "operation": model.Operation(op.name, op.since - seconds)}
        ),
        seq,
        body,
    )


def test_a_replay_answers_exactly_the_first_answer_even_when_the_clock_turns_while_paying(
    shop, checkout, monkeypatch
):
    import datetime
    from chalicelib import clock

    seconds = iter(range(100))
    start = datetime.datetime(2026, 12, 4, 12, 0, 0, tzinfo=datetime.timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: start + datetime.timedelta(seconds=next(seconds)))
    chair = product(shop)
    first = checkout.place(order((chair, 1), key="K-CLOCK"))
    again = checkout.place(order((chair, 1), key="K-CLOCK"))
    assert (
        again.replayed
        and again.order == first.order
        and first.order.updated_at == first.order.created_at
    )
