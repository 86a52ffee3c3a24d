"""A reservation whose request never finished is found by its check, a message the outbox sends for every
reservation and the checker handles after the lease (orders/checks.py), not by the in_flight index: the check
abandons it (authorization cancelled, units back), or changes nothing when it was placed, discarded or reserved
again; the sweep still settles what a take-over left unfinished."""

import pytest

from chalicelib import errors, ids
from chalicelib.orders import model
from chalicelib.orders.commands import IdempotencyKey, PlaceOrder
from chalicelib.orders.events import ReservationMade, parse_reservation, reservation_of_change
from chalicelib.orders.model import Operation, Order
from chalicelib.orders.reservations import LeaseNotOver
from chalicelib.products.model import Product
from tests.unit import fakes

ADA = "U-ADA"


def chair(shop, stock=10):
    made = Product(ids.new_id(), "Crunchy Armchair", "", "chairs", 1000, stock, None, "t", "t")
    fakes.FakeCatalog(shop).add(made)
    return made


def order(product, quantity=1, key=None):
    return PlaceOrder(
        ADA, "pm_card_visa", ((product.id, quantity),), IdempotencyKey(key, "body") if key else None
    )


def crash_after_authorizing(shop, checkout, command) -> Order:
    """The request stops after Stripe authorized, before the placing write: the PENDING order it left."""
    stopped = SystemExit("the function was stopped before the placing write")
    shop.payments.during["authorize"] = lambda: shop.failures.append(stopped)
    with pytest.raises(SystemExit):
        checkout.place(command)
    return next(o for o, _, _ in shop.orders.values() if o.status == model.PENDING)


def stock_of(shop, product):
    return fakes.FakeCatalog(shop).get(product.id).stock


def test_a_crashed_reservation_is_not_in_flight_and_its_check_cancels_the_authorization(
    shop, checkout
):
    armchair = chair(shop)
    pending = crash_after_authorizing(shop, checkout, order(armchair, 2))
    (intent,) = shop.payments.authorized()
    later = pending.operation.since + 61
    assert fakes.FakeOrders(shop).in_flight_since(later) == []
    assert fakes.check_reservations(shop, now=later) == ["abandoned"]
    assert shop.payments.intents[intent.reference].cancelled
    assert stock_of(shop, armchair) == 10 and shop.orders == {}
    # Stripe asked once to look for it and once to cancel it, as the sweep did
    assert [n for n, _ in shop.payments.calls] == ["authorize", "recover", "void"]


def test_a_crash_before_stripe_authorized_is_checked_and_released_with_nothing_to_cancel(
    shop, checkout
):
    armchair = chair(shop)
    shop.payments.faults["authorize"] = SystemExit("the function was stopped before Stripe")
    with pytest.raises(SystemExit):
        checkout.place(order(armchair, 2))
    pending = next(iter(shop.orders.values()))[0]
    assert stock_of(shop, armchair) == 8
    assert fakes.check_reservations(shop, now=pending.operation.since + 61) == ["abandoned"]
    assert stock_of(shop, armchair) == 10 and shop.payments.authorized() == []
    assert "void" not in [n for n, _ in shop.payments.calls]


def test_a_check_before_the_lease_is_over_fails_and_changes_nothing(shop, checkout):
    armchair = chair(shop)
    pending = crash_after_authorizing(shop, checkout, order(armchair))
    with pytest.raises(LeaseNotOver):
        fakes.check_reservations(shop, now=pending.operation.since + 59)
    assert shop.orders[pending.id][0] == pending and len(shop.payments.authorized()) == 1


def test_the_check_of_a_placed_order_changes_nothing(shop, checkout):
    armchair = chair(shop)
    placed = checkout.place(order(armchair, 2)).order
    before = dict(shop.orders)
    calls = list(shop.payments.calls)
    assert fakes.check_reservations(shop, now=10**10) == ["moved"]
    assert shop.orders == before and shop.payments.calls == calls
    assert fakes.FakeOrders(shop).get(placed.id).status == model.PLACED


def test_a_placing_write_after_the_check_took_the_order_over_fails_and_never_both(shop, checkout):
    armchair = chair(shop)
    outcomes = []

    def check_meanwhile():
        pending = next(o for o, _, _ in shop.orders.values() if o.status == model.PENDING)
        outcomes.extend(fakes.check_reservations(shop, now=pending.operation.since + 61))

    shop.payments.during["authorize"] = check_meanwhile
    with pytest.raises(errors.Unavailable):
        checkout.place(order(armchair))
    assert outcomes == ["abandoned"] and shop.orders == {} and shop.payments.authorized() == []
    assert stock_of(shop, armchair) == 10


def test_a_check_after_the_placing_write_won_changes_nothing(shop, checkout):
    armchair = chair(shop)
    placed = checkout.place(order(armchair)).order
    # the check of its reservation, delivered late: its operation is gone with the placing
    made = ReservationMade(placed.id, model.AUTHORIZE, 1)
    assert fakes.reservations(shop).settle(made.order_id, made.reserved_as, 10**10) == "moved"
    assert fakes.FakeOrders(shop).get(placed.id).payment.status == "AUTHORIZED"


def test_a_reservation_made_again_under_the_same_key_is_checked_by_its_own_message(shop, checkout):
    armchair = chair(shop)
    crashed = crash_after_authorizing(shop, checkout, order(armchair, key="K1"))
    # a minute later (its lease over) the same key comes again: the first is abandoned, the order reserved anew
    first = Order(
        **{
            **crashed.__dict__,
            "operation": Operation(model.AUTHORIZE, crashed.operation.since - 61),
        }
    )
    shop.orders[first.id] = (first, "", "body")
    first_check = reservation_of_change(None, first)
    second = crash_after_authorizing(shop, checkout, order(armchair, key="K1"))
    assert second.id == first.id and second.operation != first_check.reserved_as
    settle = fakes.reservations(shop).settle
    later = second.operation.since + 61
    assert (
        settle(first.id, first_check.reserved_as, later) == "moved"
    )  # not the first one's any more
    assert stock_of(shop, armchair) == 9 and len(shop.payments.authorized()) == 1
    second_check = reservation_of_change(None, second)
    assert settle(second.id, second_check.reserved_as, later) == "abandoned"
    assert stock_of(shop, armchair) == 10 and shop.payments.authorized() == []


def test_a_take_over_whose_abandoning_failed_is_the_sweeps_and_its_check_lets_go(shop, checkout):
    armchair = chair(shop)
    pending = crash_after_authorizing(shop, checkout, order(armchair))
    later = pending.operation.since + 61
    shop.payments.faults["recover"] = errors.Unavailable("Stripe is away")
    with pytest.raises(errors.Unavailable):
        fakes.check_reservations(shop, now=later)
    # taken over (under the sweep's operation): its message, received again, leaves it to the sweep
    assert fakes.check_reservations(shop, now=later) == ["moved"]
    swept = fakes.sweeper(shop).sweep(now=later + 61)
    assert swept.abandoned == 1 and shop.payments.authorized() == [] and shop.orders == {}


# --- what the outbox sends ---------------------------------------------------------------------------------


def _order(status, operation):
    return Order("O1", ADA, status, (), "t", "t", operation=operation)


def test_the_outbox_sends_a_check_for_each_reservation_and_for_nothing_else():
    reserved = _order(model.PENDING, Operation(model.AUTHORIZE, 100))
    again = _order(model.PENDING, Operation(model.AUTHORIZE, 200))
    taken = _order(model.PENDING, Operation(model.SWEEP, 200))
    placed = _order(model.PLACED, None)
    events, checks = fakes.FakeQueue(), fakes.FakeCheckQueue()
    fakes.publisher(events, checks).publish(
        [
            (None, reserved),
            (reserved, reserved),  # the same reservation written again: no second check
            (reserved, taken),  # a take-over: the in_flight index has it
            (reserved, placed),
            (reserved, None),
            (None, again),
        ]
    )
    assert [c.payload() for c in checks.checks] == [
        {"order_id": "O1", "operation": model.AUTHORIZE, "since": 100},
        {"order_id": "O1", "operation": model.AUTHORIZE, "since": 200},
    ]
    assert [e.id for e in events.events] == ["O1.PLACED"]
    assert parse_reservation(checks.checks[0].payload()) == checks.checks[0]


def test_a_check_the_queue_refuses_fails_the_batch_so_the_stream_delivers_it_again():
    checks = fakes.FakeCheckQueue()
    checks.down = True
    with pytest.raises(RuntimeError):
        fakes.publisher(fakes.FakeQueue(), checks).publish(
            [(None, _order(model.PENDING, Operation(model.AUTHORIZE, 100)))]
        )


@pytest.mark.parametrize("body", [{}, {"order_id": "O1", "operation": "authorize"}, {"since": "x"}])
def test_a_message_that_is_no_reservation_is_refused(body):
    with pytest.raises(errors.InvalidInput):
        parse_reservation(body)


def test_a_retry_that_read_the_crashed_reservation_never_abandons_the_one_made_again_meanwhile(
    shop, checkout
):
    # Two retries with one key after a crash (a client retrying on its timeout, say), both reading the crashed
    # reservation, its lease over. A abandons it and reserves the order again (a new operation, its lease just
    # begun); B, which read the crashed one, reads the order again (`Orders._existing`: `pending`) and abandons
    # whatever reservation is there now, without looking whether it is still the one it read: A's, while A is
    # authorizing. A's placing write then finds it taken: A answers 503 with a live request's reservation lost.
    from chalicelib.orders.model import Existing

    armchair = chair(shop)
    crashed = crash_after_authorizing(shop, checkout, order(armchair, key="K1"))
    stale = Order(
        **{
            **crashed.__dict__,
            "operation": Operation(model.AUTHORIZE, crashed.operation.since - 61),
        }
    )
    shop.orders[stale.id] = (stale, "", "body")
    read_by_b = Existing(stale, "body")  # what B's one read found, before A went on
    outcomes = []

    def b_goes_on():
        try:
            checkout._existing(read_by_b, IdempotencyKey("K1", "body"))
        except Exception as exc:  # StatusMoved (read again) or a 409 are both fine for B
            outcomes.append(type(exc).__name__)

    shop.payments.during["authorize"] = b_goes_on
    placed = checkout.place(order(armchair, key="K1")).order  # A; fails: PaymentLost (503)
    assert placed.status == model.PLACED and stock_of(shop, armchair) == 9
    assert len(shop.payments.authorized()) == 1
