"""The order service against in-memory fakes of its repositories (proved equal to DynamoDB's in tests/contract):
replays, changed prices, contention, changed carts and flash-sale buckets."""
import pytest

from chalicelib import errors, ids
from chalicelib.cache import NoCache, WarmCache
from chalicelib.orders import model, service
from chalicelib.products.model import FLASH_BUCKETS, Product
from chalicelib.products.takes import Rotation
from tests.unit import fakes

USER = "U-ADA"


class Shop:
    def __init__(self):
        self.store = fakes.FakeShop()
        self.catalog = fakes.FakeCatalog(self.store)
        self.stock = fakes.FakeStock(self.store)
        self.carts = fakes.FakeCarts(self.store)
        self.orders = fakes.FakeOrders(self.store)
        self.checkout = fakes.FakeCheckout(self.store)
        self.offers = WarmCache(30)
        self.sleeps = []

    def product(self, stock=10, price=1000, flash=False, name="Crunchy Armchair"):
        product = Product(ids.new_id(), name, "", "chairs", price, stock, None, "t", "t", flash_sale=flash)
        self.catalog.add(product)
        return product

    def place(self, lines=None, key=None, body="body", rotation=None):
        return service.place_order(USER, lines, key, body, checkout=self.checkout, catalog=self.catalog,
                                   stock=self.stock, offers=self.offers, cache=NoCache(),
                                   rotation=rotation or Rotation(start=0), sleep=self.sleeps.append)

    def stock_of(self, product):
        return self.catalog.get(product.id).stock

    def change_price(self, product, price):
        current = self.catalog.current(product.id)
        self.catalog.update(current, current.product.changed({"price_cents": price}, "t2"))


@pytest.fixture
def shop():
    return Shop()


def test_a_replayed_key_returns_the_first_answer_and_takes_nothing(shop):
    chair = shop.product()
    first, replayed = shop.place([(chair.id, 2)], key="K1")
    assert replayed is False
    shop.orders.transition(first.id, model.PLACED, model.SHIPPED, "later")
    again, replayed = shop.place([(chair.id, 2)], key="K1")
    assert replayed is True and again == first  # the answer as it was given, not the order as it is now
    assert shop.stock_of(chair) == 8 and len(shop.checkout.placed) == 1


def test_a_key_reused_with_another_body_is_422(shop):
    chair = shop.product()
    shop.place([(chair.id, 1)], key="K1", body="one")
    with pytest.raises(errors.Unprocessable):
        shop.place([(chair.id, 2)], key="K1", body="two")


def test_a_duplicate_that_loses_the_race_answers_with_the_winners_order(shop):
    chair = shop.product()
    winner = model.Order(model.keyed_order_id(USER, "K1"), USER, model.PLACED,
                         (model.Line(chair.id, chair.name, 1000, 1),), "t0", "t0")
    shop.checkout.meanwhile.append(lambda: shop.store.orders.__setitem__(winner.id, (winner, "s", "body")))
    order, replayed = shop.place([(chair.id, 1)], key="K1")
    assert replayed is True and order == winner and shop.stock_of(chair) == 10


def test_a_price_changed_after_the_read_is_charged_at_the_new_price(shop):
    chair = shop.product(price=1000)
    shop.offers.put_many({chair.id: chair.offer})  # a warm container's offer
    shop.change_price(chair, 1500)  # by an admin, served by another container
    order, _ = shop.place([(chair.id, 2)])
    assert order.total_cents == 3000 and shop.stock_of(chair) == 8


def test_a_price_that_keeps_changing_is_a_409_to_review_the_order(shop):
    chair = shop.product(price=1000)
    prices, place = iter([1100, 1200]), shop.checkout.place

    def place_after_a_price_change(*args):
        shop.change_price(chair, next(prices))
        return place(*args)

    shop.checkout.place = place_after_a_price_change
    with pytest.raises(model.PriceChanged):
        shop.place([(chair.id, 1)])
    assert shop.stock_of(chair) == 10


def test_contention_is_retried_with_backoff_then_503(shop):
    chair = shop.product()
    shop.checkout.failures = [model.Contended(), model.Contended()]
    order, _ = shop.place([(chair.id, 1)])
    assert len(shop.sleeps) == 2 and shop.stock_of(chair) == 9
    shop.checkout.failures = [model.Contended()] * service.ATTEMPTS
    with pytest.raises(model.Contended):
        shop.place([(chair.id, 1)])
    assert shop.stock_of(chair) == 9 and isinstance(model.Contended(), errors.Unavailable)


def test_a_cart_that_changes_during_checkout_is_read_again_and_ordered_as_it_is_now(shop):
    chair, lamp = shop.product(), shop.product(name="Brass Lamp")
    shop.carts.put(USER, chair.id, 1)
    shop.checkout.meanwhile.append(lambda: shop.carts.put(USER, lamp.id, 2))
    order, _ = shop.place()
    assert {(l.product_id, l.quantity) for l in order.lines} == {(chair.id, 1), (lamp.id, 2)}
    assert shop.carts.quantities(USER) == {}


def test_a_cart_that_keeps_changing_is_a_409_not_a_503(shop):
    chair = shop.product()
    shop.carts.put(USER, chair.id, 1)
    shop.checkout.failures = [model.CartChanged()] * service.ATTEMPTS
    with pytest.raises(model.CartChanged):
        shop.place()


def test_a_flash_sale_line_takes_the_next_bucket_of_the_rotation_and_touches_no_shared_item(shop):
    kettle = shop.product(stock=FLASH_BUCKETS * 3, flash=True)
    rotation = Rotation(start=FLASH_BUCKETS - 1)
    for _ in range(3):
        shop.place([(kettle.id, 1)], rotation=rotation)
    assert [takes[0].bucket for _, takes in shop.checkout.placed] == [FLASH_BUCKETS - 1, 0, 1]
    assert shop.stock.reads == [] and shop.stock_of(kettle) == FLASH_BUCKETS * 3 - 3


def test_a_short_bucket_reads_the_buckets_and_takes_from_several(shop):
    kettle = shop.product(stock=FLASH_BUCKETS, flash=True)  # one unit in each bucket
    order, _ = shop.place([(kettle.id, 4)])
    assert shop.stock.reads == [[kettle.id]]
    final_takes = shop.checkout.placed[-1][1]
    assert sum(t.quantity for t in final_takes) == 4 and len({t.bucket for t in final_takes}) == 4
    assert shop.stock_of(kettle) == FLASH_BUCKETS - 4 and order.lines[0].quantity == 4


def test_a_flash_sale_product_is_sold_out_only_when_all_its_buckets_are(shop):
    kettle = shop.product(stock=3, flash=True)
    with pytest.raises(model.OutOfStock):
        shop.place([(kettle.id, 4)])
    assert shop.place([(kettle.id, 3)])[0].lines[0].quantity == 3 and shop.stock_of(kettle) == 0


def test_a_flag_turned_on_since_the_offer_was_cached_moves_the_line_to_the_buckets(shop):
    chair = shop.product(stock=30)
    shop.offers.put_many({chair.id: chair.offer})
    current = shop.catalog.current(chair.id)
    shop.catalog.update(current, current.product.changed({"flash_sale": True}, "t2"))
    shop.place([(chair.id, 2)])
    assert shop.checkout.placed[-1][1][0].bucket is not None and shop.stock_of(chair) == 28


def test_cancelling_returns_units_where_the_product_keeps_them_now(shop):
    chair = shop.product(stock=10)
    order, _ = shop.place([(chair.id, 3)])
    current = shop.catalog.current(chair.id)
    shop.catalog.update(current, current.product.changed({"flash_sale": True}, "t2"))
    cancelled = service.cancel_order(order.id, USER, False, orders=shop.orders, checkout=shop.checkout,
                                     catalog=shop.catalog, offers=shop.offers, cache=NoCache(), sleep=shop.sleeps.append)
    assert cancelled.status == model.CANCELLED and shop.stock_of(chair) == 10


def test_the_service_knows_no_storage():
    import sys
    import subprocess
    imported = subprocess.run([sys.executable, "-c", "import sys, chalicelib.orders.service; print(sorted(sys.modules))"],
                              capture_output=True, text=True, check=True).stdout
    assert "pynamodb" not in imported and "chalicelib.orders.records" not in imported



def test_lines_split_over_more_buckets_than_a_transaction_holds_are_503_not_sold_out(shop):
    kettles = [shop.product(stock=FLASH_BUCKETS, flash=True, name=f"Kettle {n}") for n in range(50)]
    with pytest.raises(model.Contended):  # every bucket holds 1: each line of 2 takes two buckets, 100 + the order
        shop.place([(k.id, 2) for k in kettles])
    assert all(shop.stock_of(k) == FLASH_BUCKETS for k in kettles)
    order, _ = shop.place([(k.id, 2) for k in kettles[:49]])  # 98 takes and the order fit
    assert len(shop.checkout.placed[-1][1]) == 98 and order.total_cents == 49 * 2 * 1000


def test_a_flash_sale_ended_between_a_short_bucket_and_the_retry_is_no_sold_out(shop):
    kettle = shop.product(stock=FLASH_BUCKETS, flash=True)  # one unit a bucket: a line of 2 finds its bucket short
    place = shop.checkout.place

    def end_the_sale_after_the_first_try(*args):
        if len(shop.stock.reads) == 0 and shop.store.buckets:
            shop.checkout.place = place
            try:
                return place(*args)
            finally:
                current = shop.catalog.current(kettle.id)
                shop.catalog.update(current, current.product.changed({"flash_sale": False}, "t2"))
        return place(*args)

    shop.checkout.place = end_the_sale_after_the_first_try
    order, _ = shop.place([(kettle.id, 2)])
    assert order.lines[0].quantity == 2 and shop.stock_of(kettle) == FLASH_BUCKETS - 2
    assert shop.checkout.placed[-1][1][0].bucket is None  # taken from the product's own stock
