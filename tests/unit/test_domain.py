import pytest

from chalicelib import errors
from chalicelib.notifications.model import notification_of
from chalicelib.orders import events
from chalicelib.orders import model
from chalicelib.orders.model import Line, Order
from chalicelib.products.model import Product, check


def _order(status="PLACED"):
    return Order(
        "O1",
        "U1",
        status,
        (Line("P1", "Chair", 1250, 2), Line("P2", "Lamp", 999, 1)),
        "2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00Z",
    )


def test_an_order_totals_its_lines_in_cents():
    assert _order().total_cents == 2 * 1250 + 999


@pytest.mark.parametrize(
    "status, action, after",
    [
        ("PLACED", "ship", "SHIPPED"),
        ("SHIPPED", "deliver", "DELIVERED"),
        ("PLACED", "cancel", "CANCELLED"),
    ],
)
def test_allowed_moves(status, action, after):
    assert _order(status).moved(action, "2026-11-27T11:00:00Z").status == after


@pytest.mark.parametrize(
    "status, action",
    [
        ("PLACED", "deliver"),
        ("SHIPPED", "ship"),
        ("SHIPPED", "cancel"),
        ("DELIVERED", "cancel"),
        ("CANCELLED", "ship"),
        ("DELIVERED", "deliver"),
    ],
)
def test_every_other_move_is_a_conflict_naming_the_status(status, action):
    with pytest.raises(errors.Conflict, match=status):
        _order(status).moved(action, "2026-11-27T11:00:00Z")


def test_merging_lines_adds_quantities_of_the_same_product():
    assert model.merged([("A", 2), ("B", 1), ("A", 3)]) == {"A": 5, "B": 1}


@pytest.mark.parametrize(
    "requested", [[], [("A", 60), ("A", 40)], [(f"P{i}", 1) for i in range(51)]]
)
def test_merging_refuses_empty_oversized_or_overfull_orders(requested):
    with pytest.raises(errors.InvalidInput):
        model.merged(requested)


def _product(pid, stock=5, price=100, name="Chair"):
    return Product(pid, name, "", "furniture", price, stock, None, "t", "t")


def test_pricing_drops_products_that_no_longer_exist_and_uses_current_prices():
    lines = model.priced({"A": 2, "GONE": 1}, {"A": _product("A", price=150)})
    assert lines == (Line("A", "Chair", 150, 2),) and lines[0].line_total_cents == 300


def test_a_flash_sale_line_takes_one_bucket_that_holds_it_all_when_there_is_one():
    import random
    from chalicelib.products.model import Offer
    from chalicelib.products.takes import takes_from_buckets

    offer = Offer("F", "Flash Lamp", 900, flash_sale=True)
    takes = takes_from_buckets(offer, 3, {0: 1, 1: 3, 2: 5}, random.Random(7))
    assert (
        len(takes) == 1
        and takes[0].bucket in (1, 2)
        and takes[0].quantity == 3
        and takes[0].unit_price_cents == 900
    )


def test_a_flash_sale_line_takes_from_several_buckets_when_no_one_holds_it_all():
    from chalicelib.products.model import Offer
    from chalicelib.products.takes import takes_from_buckets

    takes = takes_from_buckets(Offer("F", "Flash Lamp", 900, True), 5, {0: 1, 3: 2, 7: 2, 9: 0})
    assert sorted((t.bucket, t.quantity) for t in takes) == [(0, 1), (3, 2), (7, 2)]


def test_a_flash_sale_line_is_out_of_stock_only_when_all_buckets_together_hold_too_little():
    from chalicelib.products.model import Offer
    from chalicelib.products.takes import OutOfStock, takes_from_buckets

    with pytest.raises(OutOfStock, match="F"):
        takes_from_buckets(Offer("F", "Flash Lamp", 900, True), 5, {0: 1, 3: 2, 7: 1})


def test_stock_spreads_evenly_over_the_buckets_and_the_rotation_visits_each_in_turn():
    from chalicelib.products.takes import Rotation, spread

    assert spread(25, 24) == [2] + [1] * 23 and sum(spread(7, 24, start=20)) == 7
    assert spread(7, 24, start=20)[20:] == [1, 1, 1, 1] and spread(7, 24, start=20)[:3] == [1, 1, 1]
    rotation = Rotation(24, start=22)
    assert [rotation.next() for _ in range(4)] == [22, 23, 0, 1]


@pytest.mark.parametrize(
    "field, value",
    [
        ("price_cents", -1),
        ("price_cents", 100_000_001),
        ("name", " "),
        ("category", "Bad Slug"),
        ("image_url", "http://x"),
        ("stock", -1),
    ],
)
def test_product_rules_name_the_field(field, value):
    from dataclasses import replace

    with pytest.raises(errors.InvalidInput, match=f"`{field}`"):
        check(replace(_product("A"), **{field: value}))


def test_only_status_changes_of_orders_are_events():
    from dataclasses import replace

    placed = _order()
    event = events.event_of_change(None, placed)
    assert (event.id, event.type, event.item_count, event.total_cents, event.occurred_at) == (
        "O1.PLACED",
        "ORDER_PLACED",
        3,
        2 * 1250 + 999,
        placed.updated_at,
    )
    shipped = replace(placed, status="SHIPPED", updated_at="2026-11-28T09:00:00Z")
    assert events.event_of_change(placed, placed) is None
    assert events.event_of_change(placed, None) is None
    assert events.event_of_change(None, replace(placed, status=model.PENDING)) is None
    assert events.event_of_change(placed, shipped).occurred_at == "2026-11-28T09:00:00Z"
    assert (
        events.event_of_change(shipped, replace(shipped, status="REFUNDED")).type
        == "ORDER_REFUNDED"
    )


def test_an_event_reads_back_from_its_message_and_nothing_else_passes_for_one():
    event = events.event_of_change(None, _order())
    assert events.parse_event(event.payload()) == event
    without_user = {k: v for k, v in event.payload().items() if k != "user_id"}
    for payload in ({}, dict(event.payload(), type="ORDER_LOST"), without_user):
        with pytest.raises(errors.InvalidInput, match="not an order event"):
            events.parse_event(payload)


def test_notification_texts_show_money_and_the_order_as_the_storefront_does():
    event = events.OrderEvent(
        "01M90VXBYRE15GD7B6VA87AQGN.PLACED",
        "ORDER_PLACED",
        "01M90VXBYRE15GD7B6VA87AQGN",
        "U1",
        116700,
        1,
        "t",
    )
    notification = notification_of(event, "USD")
    assert notification.subject == "We received your order VA87AQGN"
    assert notification.message == (
        "Thank you! Your order VA87AQGN for 1 item, $1,167.00, is placed. "
        "We will let you know when it ships."
    )
    assert notification.order_id == "01M90VXBYRE15GD7B6VA87AQGN"


def test_money_is_shown_with_the_currencys_symbol_or_code():
    from chalicelib import display

    assert [display.money(c, "USD") for c in (0, 5, 99, 100, 123456789, -500)] == [
        "$0.00",
        "$0.05",
        "$0.99",
        "$1.00",
        "$1,234,567.89",
        "-$5.00",
    ]
    assert (display.money(16700, "EUR"), display.money(16700, "CHF")) == ("€167.00", "CHF 167.00")
    assert (display.count(1, "item"), display.count(2, "item")) == ("1 item", "2 items")


def test_orders_in_flight_spread_over_128_index_shards_evenly_enough_for_the_capacity_model():
    import collections

    from chalicelib import ids
    from chalicelib.orders.records import FLIGHT_SHARDS, flight_shard

    counts = collections.Counter(flight_shard(ids.new_id()) for _ in range(12_800))
    assert FLIGHT_SHARDS == 128 and set(counts) == {str(n) for n in range(128)}
    assert max(counts.values()) < 2 * 100  # no shard takes twice its share
