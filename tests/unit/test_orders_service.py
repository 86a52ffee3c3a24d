"""The order use cases (Orders, with its Checkout and Fulfilment) against in-memory fakes of their ports (proved
equal to DynamoDB's in tests/contract): replays, changed prices, contention, changed carts, flash-sale buckets,
and the queries."""

import pytest

from chalicelib import errors, ids, retry
from chalicelib.orders import model
from chalicelib.orders.commands import (
    AllOrders,
    CancelOrder,
    FindOrder,
    IdempotencyKey,
    OrderHistory,
    PlaceOrder,
    Requester,
    ShipOrder,
)
from chalicelib.orders.use_cases import Orders
from chalicelib.paging import PageRequest
from chalicelib.products.model import FLASH_BUCKETS, Product
from chalicelib.products.takes import OutOfStock, Rotation
from tests.unit import fakes

USER = "U-ADA"


@pytest.fixture
def orders(shop):
    return fakes.orders(shop)


def product(shop, stock=10, price=1000, flash=False, name="Crunchy Armchair"):
    made = Product(ids.new_id(), name, "", "chairs", price, stock, None, "t", "t", flash_sale=flash)
    fakes.FakeCatalog(shop).add(made)
    return made


def order(*lines, key=None, body="body"):
    """PlaceOrder for these (product, quantity) lines, or for the cart when none are given."""
    return PlaceOrder(
        USER,
        "pm_card_visa",
        tuple((p.id, q) for p, q in lines) or None,
        IdempotencyKey(key, body) if key else None,
    )


def stock_of(shop, made):
    return fakes.FakeCatalog(shop).get(made.id).stock


def change(shop, made, **changes):
    catalog = fakes.FakeCatalog(shop)
    current = catalog.current(made.id)
    catalog.update(current, current.product.changed(changes, "t2"))


def test_a_replayed_key_returns_the_first_answer_and_takes_nothing(shop, orders):
    chair = product(shop)
    first = orders.place(order((chair, 2), key="K1"))
    assert first.replayed is False
    fakes.FakeOrders(shop).transition(first.order.id, model.PLACED, model.SHIPPED, "later")
    again = orders.place(order((chair, 2), key="K1"))
    # the answer as given, not the order as it is now
    assert again.replayed is True and again.order == first.order
    assert stock_of(shop, chair) == 8 and len(shop.placed) == 1


def test_a_key_reused_with_another_body_is_422(shop, orders):
    chair = product(shop)
    orders.place(order((chair, 1), key="K1", body="one"))
    with pytest.raises(errors.Unprocessable):
        orders.place(order((chair, 2), key="K1", body="two"))


def test_a_duplicate_that_loses_the_race_answers_with_the_winners_order(shop, orders):
    chair = product(shop)
    winner = model.Order(
        model.keyed_order_id(USER, "K1"),
        USER,
        model.PLACED,
        (model.Line(chair.id, chair.name, 1000, 1),),
        "t0",
        "t0",
    )
    shop.meanwhile.append(lambda: shop.orders.__setitem__(winner.id, (winner, "s", "body")))
    placed = orders.place(order((chair, 1), key="K1"))
    assert placed.replayed is True and placed.order == winner and stock_of(shop, chair) == 10


def test_a_price_changed_after_the_read_is_charged_at_the_new_price(shop, orders):
    chair = product(shop, price=1000)
    shop.offer_cache.put_many({chair.id: chair.offer})  # a warm container's offer
    change(shop, chair, price_cents=1500)  # by an admin, served by another container
    placed = orders.place(order((chair, 2)))
    assert placed.order.total_cents == 3000 and stock_of(shop, chair) == 8


def test_a_price_that_keeps_changing_is_a_409_to_review_the_order(shop, orders):
    chair = product(shop, price=1000)
    shop.meanwhile.append(
        lambda: (
            change(shop, chair, price_cents=1100),
            shop.meanwhile.append(lambda: change(shop, chair, price_cents=1200)),
        )
    )
    with pytest.raises(errors.Conflict, match="price"):
        orders.place(order((chair, 1)))
    assert stock_of(shop, chair) == 10


def test_contention_is_retried_with_backoff_then_503(shop, orders):
    chair = product(shop)
    shop.failures = [retry.Contention(), retry.Contention()]
    orders.place(order((chair, 1)))
    assert len(shop.sleeps) == 2 and stock_of(shop, chair) == 9
    shop.failures = [retry.Contention()] * retry.PLACING.attempts
    with pytest.raises(errors.Unavailable):
        orders.place(order((chair, 1)))
    assert stock_of(shop, chair) == 9 and len(shop.sleeps) == 2 + retry.PLACING.attempts - 1


def test_a_cart_that_changes_during_checkout_is_read_again_and_ordered_as_it_is_now(shop, orders):
    chair, lamp = product(shop), product(shop, name="Brass Lamp")
    carts = fakes.FakeCarts(shop)
    carts.put(USER, chair.id, 1)
    shop.meanwhile.append(lambda: carts.put(USER, lamp.id, 2))
    placed = orders.place(order())
    assert {(line.product_id, line.quantity) for line in placed.order.lines} == {
        (chair.id, 1),
        (lamp.id, 2),
    }
    assert carts.quantities(USER) == {}


def test_a_cart_that_keeps_changing_is_a_409_not_a_503(shop, orders):
    chair = product(shop)
    fakes.FakeCarts(shop).put(USER, chair.id, 1)
    shop.failures = [retry.CartChanged()] * retry.PLACING.attempts
    with pytest.raises(errors.Conflict, match="cart changed"):
        orders.place(order())


def test_a_flash_sale_line_takes_the_next_bucket_of_the_rotation_and_touches_no_shared_item(shop):
    kettle = product(shop, stock=FLASH_BUCKETS * 3, flash=True)
    orders = fakes.orders(shop, rotation=Rotation(start=FLASH_BUCKETS - 1))
    for _ in range(3):
        orders.place(order((kettle, 1)))
    assert [takes[0].bucket for _, takes in shop.placed] == [FLASH_BUCKETS - 1, 0, 1]
    assert shop.level_reads == [] and stock_of(shop, kettle) == FLASH_BUCKETS * 3 - 3


def test_a_short_bucket_reads_the_buckets_and_takes_from_several(shop, orders):
    kettle = product(shop, stock=FLASH_BUCKETS, flash=True)  # one unit in each bucket
    placed = orders.place(order((kettle, 4)))
    assert shop.level_reads == [[kettle.id]]
    final_takes = shop.placed[-1][1]
    assert sum(t.quantity for t in final_takes) == 4 and len({t.bucket for t in final_takes}) == 4
    assert stock_of(shop, kettle) == FLASH_BUCKETS - 4 and placed.order.lines[0].quantity == 4


def test_a_flash_sale_product_is_sold_out_only_when_all_its_buckets_are(shop, orders):
    kettle = product(shop, stock=3, flash=True)
    with pytest.raises(OutOfStock):
        orders.place(order((kettle, 4)))
    assert (
        orders.place(order((kettle, 3))).order.lines[0].quantity == 3
        and stock_of(shop, kettle) == 0
    )


def test_a_flag_turned_on_since_the_offer_was_cached_moves_the_line_to_the_buckets(shop, orders):
    chair = product(shop, stock=30)
    shop.offer_cache.put_many({chair.id: chair.offer})
    change(shop, chair, flash_sale=True)
    orders.place(order((chair, 2)))
    assert shop.placed[-1][1][0].bucket is not None and stock_of(shop, chair) == 28


def test_cancelling_returns_units_where_the_product_keeps_them_now(shop, orders):
    chair = product(shop, stock=10)
    placed = orders.place(order((chair, 3)))
    change(shop, chair, flash_sale=True)
    cancelled = orders.cancel(CancelOrder(placed.order.id, Requester(USER)))
    assert cancelled.status == model.CANCELLED and stock_of(shop, chair) == 10


def test_the_service_knows_no_storage():
    import sys
    import subprocess

    imported = subprocess.run(
        [sys.executable, "-c", "import sys, chalicelib.orders.service; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "pynamodb" not in imported and "chalicelib.orders.records" not in imported


def test_lines_split_over_more_buckets_than_a_transaction_holds_are_503_not_sold_out(shop, orders):
    kettles = [
        product(shop, stock=FLASH_BUCKETS, flash=True, name=f"Kettle {n}") for n in range(50)
    ]
    # every bucket holds 1: each line of 2 takes two buckets, 100 + the order
    with pytest.raises(errors.Unavailable):
        orders.place(order(*[(k, 2) for k in kettles]))
    assert all(stock_of(shop, k) == FLASH_BUCKETS for k in kettles)
    placed = orders.place(order(*[(k, 2) for k in kettles[:49]]))  # 98 takes and the order fit
    assert len(shop.placed[-1][1]) == 98 and placed.order.total_cents == 49 * 2 * 1000


def test_a_flash_sale_ended_between_a_short_bucket_and_the_retry_is_no_sold_out(shop, orders):
    # one unit a bucket: a line of 2 finds its bucket short
    kettle = product(shop, stock=FLASH_BUCKETS, flash=True)
    shop.afterwards.append(lambda: change(shop, kettle, flash_sale=False))
    placed = orders.place(order((kettle, 2)))
    assert placed.order.lines[0].quantity == 2 and stock_of(shop, kettle) == FLASH_BUCKETS - 2
    assert shop.placed[-1][1][0].bucket is None  # taken from the product's own stock


def test_an_order_is_found_by_its_owner_and_an_admin_and_by_nobody_else(shop, orders):
    placed = orders.place(order((product(shop), 1))).order
    assert orders.find(FindOrder(placed.id, Requester(USER))) == placed
    assert orders.find(FindOrder(placed.id, Requester("U-ADMIN", is_admin=True))) == placed
    with pytest.raises(errors.NotFound):
        orders.find(FindOrder(placed.id, Requester("U-BOB")))


def test_the_history_pages_the_shoppers_own_orders_and_everything_filters_by_status(shop, orders):
    chair = product(shop)
    first, second = (orders.place(order((chair, 1))).order for _ in range(2))
    orders.ship(ShipOrder(first.id))
    page, after = orders.history(OrderHistory(USER, PageRequest(limit=1)))
    assert len(page) == 1 and after is not None
    rest, _ = orders.history(OrderHistory(USER, PageRequest(limit=1, after=after)))
    assert {o.id for o in page + rest} == {first.id, second.id}
    assert orders.history(OrderHistory("U-BOB", PageRequest()))[0] == []
    shipped, _ = orders.everything(AllOrders(model.SHIPPED, PageRequest()))
    assert [o.id for o in shipped] == [first.id]


def test_a_move_never_builds_the_checkout_nor_placing_the_fulfilment(shop):
    """The composition root gives Orders its parts as it builds them: a function that only moves orders does
    not load the checkout's code on its cold start (nor one that only places them the moves')."""
    placed = fakes.checkout(shop).place(order((product(shop), 1))).order
    unbuilt = "this use case needs no such part"
    moving = Orders(lambda: pytest.fail(unbuilt), lambda: fakes.fulfilment(shop))
    assert moving.cancel(CancelOrder(placed.id, Requester(USER))).status == model.CANCELLED
    placing = Orders(lambda: fakes.checkout(shop), lambda: pytest.fail(unbuilt))
    assert placing.place(order((product(shop), 1))).order.status == model.PLACED


def test_the_use_cases_module_loads_neither_the_checkout_nor_the_moves():
    import subprocess
    import sys

    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, chalicelib.orders.use_cases; print(sorted(sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "chalicelib.orders.service" not in imported
    assert "chalicelib.orders.fulfilment" not in imported
