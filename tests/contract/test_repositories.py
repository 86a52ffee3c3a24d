"""One suite, two implementations: every repository behaves the same in memory (tests/unit/fakes.py, which
the service tests use) and on DynamoDB (moto's server), so the fakes cannot drift from what they stand for.
(The pattern of Chalice's todo-app sample: the same tests for the in-memory and the DynamoDB store.)"""

import time
import uuid
from dataclasses import dataclass, replace

import pytest

from chalicelib import errors, ids, retry
from chalicelib.notifications.model import Notification
from chalicelib.orders import model as orders
from chalicelib.orders.commands import IdempotencyKey
from chalicelib.orders.model import AlreadyHandled, Claim, Existing, Line, Operation, Order, Pending
from chalicelib.payments.model import Payment
from chalicelib.products.model import FLASH_BUCKETS, Product
from chalicelib.products.takes import OutOfStock, Take
from chalicelib.users.model import Profile
from tests.unit import fakes


@dataclass
class Parts:
    catalog: object
    stock: object
    carts: object
    orders: object
    checkout: object
    inbox: object
    users: object


@pytest.fixture(params=["memory", "dynamodb"])
def parts(request):
    if request.param == "memory":
        shop = fakes.FakeShop()
        return Parts(
            fakes.FakeCatalog(shop),
            fakes.FakeStock(shop),
            fakes.FakeCarts(shop),
            fakes.FakeOrders(shop),
            fakes.FakeCheckout(shop),
            fakes.FakeInbox(),
            fakes.FakeUsers(),
        )
    request.getfixturevalue("stack")
    from chalicelib import bootstrap

    s = bootstrap.services()
    # the orders' events reach the notification consumer, which mails their owners
    for user in FIXED_USERS:
        s.users.add(Profile(user, f"{user.lower()}@example.com", "Contract Shopper", "t"))
    return Parts(s.catalog, s.stock, s.carts, s.orders, s.checkout_store, s.inbox, s.users)


FIXED_USERS = ("U-contract", "U-c", "U-0", "U-1", "U-2")


def _user(parts):
    """A new shopper with a profile (an order's events are mailed to its owner)."""
    user = f"U-{uuid.uuid4().hex}"
    parts.users.add(Profile(user, f"{user.lower()}@example.com", "Contract Shopper", "t"))
    return user


def _category():
    return f"contract-{uuid.uuid4().hex[:8]}"


def _product(parts, stock=10, price=500, flash=False, category=None, name="Sturdy Stool"):
    product = Product(
        id=ids.new_id(),
        name=name,
        description="",
        category=category or _category(),
        price_cents=price,
        stock=stock,
        image_url=None,
        created_at="2026-11-27T10:00:00Z",
        updated_at="2026-11-27T10:00:00Z",
        flash_sale=flash,
    )
    parts.catalog.add(product)
    return product


def _order(product, quantity=1, user="U-contract", order_id=None, price=None):
    line = Line(product.id, product.name, product.price_cents if price is None else price, quantity)
    return Order(
        order_id or ids.new_id(),
        user,
        orders.PLACED,
        (line,),
        "2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00Z",
    )


def _take(product, quantity=1, bucket=None, price=None):
    return Take(product.id, quantity, product.price_cents if price is None else price, bucket)


def _stock(parts, product):
    return parts.catalog.get(product.id).stock


def _reserve(parts, order, takes, cart_version=None, key=None):
    """The checkout's transaction through the unit of work: the takes, the order PENDING, the cart it empties."""
    pending = Pending(
        replace(order, status=orders.PENDING, operation=Operation(orders.AUTHORIZE, 1000)),
        "pm_card_visa",
        "A1",
    )
    tx = parts.checkout.begin()
    for take in takes:
        tx.take(take)
    tx.reserve(pending, key)
    if cart_version is not None:
        tx.empty_cart(order.user_id, cart_version)
    return tx.commit(), pending


def _place(parts, order, takes, cart_version=None, key=None):
    """Reserve, then place with an authorized payment (what a checkout does around the provider's call)."""
    existing, pending = _reserve(parts, order, takes, cart_version, key)
    if existing:
        return existing
    tx = parts.checkout.begin()
    tx.move(
        pending.order,
        replace(order, payment=Payment("AUTHORIZED", order.total_cents, "USD", "pi_1")),
    )
    return tx.commit()


def _cancel(parts, order, cancelled, returns):
    tx = parts.checkout.begin()
    tx.move(order, cancelled)
    for product_id, quantity, flash_sale in returns:
        tx.give_back(product_id, quantity, flash_sale)
    return tx.commit()


# --- the catalog ------------------------------------------------------------------------------------


def test_a_product_reads_back_as_added_with_its_offer_page_and_count(parts):
    category = _category()
    first, second = (
        _product(parts, category=category),
        _product(parts, category=category, name="Tall Stool"),
    )
    assert parts.catalog.get(first.id) == first and parts.catalog.current(first.id).levels == {}
    assert parts.catalog.offers([first.id, "missing"]) == {first.id: first.offer}
    page, after = parts.catalog.page(category, 1, None)
    assert page == [first] and after == first.id
    assert parts.catalog.page(category, 1, after) == ([second], None)
    assert (category, 2) in [(c.name, c.product_count) for c in parts.catalog.categories()]


def test_an_update_writes_only_what_changed_and_never_undoes_a_sale_made_since_the_read(parts):
    product = _product(parts, stock=10)
    stale = parts.catalog.current(product.id)
    _place(parts, _order(product, 4), [_take(product, 4)])
    parts.catalog.update(
        stale, stale.product.changed({"description": "Oak"}, "2026-11-27T11:00:00Z")
    )
    assert parts.catalog.get(product.id).description == "Oak" and _stock(parts, product) == 6
    current = parts.catalog.current(product.id)
    parts.catalog.update(current, current.product.changed({"stock_delta": 5}, "t"), delta=5)
    assert _stock(parts, product) == 11


def test_an_exact_update_fails_when_the_product_changed_since_it_was_read(parts):
    product = _product(parts, stock=10)
    stale = parts.catalog.current(product.id)
    _place(parts, _order(product, 1), [_take(product)])
    with pytest.raises(retry.ProductChanged):
        parts.catalog.update(stale, stale.product.changed({"stock": 50}, "t"), exact=True)
    assert _stock(parts, product) == 9


def test_flash_sale_on_and_off_moves_every_unit_and_the_price_reaches_every_bucket(parts):
    product = _product(parts, stock=FLASH_BUCKETS + 5)
    current = parts.catalog.current(product.id)
    parts.catalog.update(current, current.product.changed({"flash_sale": True}, "t"))
    on = parts.catalog.current(product.id)
    assert (
        on.product.flash_sale
        and on.product.stock == FLASH_BUCKETS + 5
        and len(on.levels) == FLASH_BUCKETS
    )
    assert parts.stock.levels([product.id]) == {product.id: on.levels}
    parts.catalog.update(on, on.product.changed({"price_cents": 650}, "t"))
    with pytest.raises(retry.PriceMoved):
        _place(parts, _order(product, 1), [_take(product, 1, bucket=0)])
    priced = parts.catalog.current(product.id)
    _place(parts, _order(product, 2, price=650), [_take(product, 2, bucket=0, price=650)])
    parts.catalog.update(
        parts.catalog.current(product.id),
        parts.catalog.current(product.id).product.changed({"flash_sale": False}, "t"),
    )
    off = parts.catalog.current(product.id)
    assert (
        not off.product.flash_sale
        and off.product.stock == priced.product.stock - 2
        and off.levels == {}
    )


def test_removing_a_product_removes_its_buckets_and_its_count(parts):
    category = _category()
    product = _product(parts, stock=30, flash=True, category=category)
    parts.catalog.remove(parts.catalog.current(product.id))
    assert parts.catalog.get(product.id) is None and parts.stock.levels([product.id]) == {
        product.id: {}
    }
    assert category not in [c.name for c in parts.catalog.categories()]


# --- carts -------------------------------------------------------------------------------------------


def test_a_cart_holds_50_products_and_refuses_the_51st_unchanged(parts):
    user = f"U-{uuid.uuid4().hex}"
    assert parts.carts.quantities(user) == {} and parts.carts.remove(user, "P") == {}
    for n in range(orders.MAX_LINES):
        parts.carts.put(user, f"P{n:02d}", 1)
    assert parts.carts.put(user, "P07", 3)["P07"] == 3
    with pytest.raises(errors.InvalidInput, match="50"):
        parts.carts.put(user, "P99", 1)
    lines = parts.carts.quantities(user)
    assert len(lines) == 50 and "P99" not in lines
    assert "P00" not in parts.carts.remove(user, "P00")
    parts.carts.clear(user)
    assert parts.carts.quantities(user) == {}


def test_a_look_at_the_cart_tells_no_cart_from_an_emptied_one_and_finds_only_existing_offers(parts):
    product = _product(parts, stock=1)
    user = f"U-{uuid.uuid4().hex}"
    look = parts.carts.look(user, [product.id, "NO-SUCH-PRODUCT"])
    assert look.lines is None and look.offers == {product.id: product.offer}
    parts.carts.put(user, product.id, 2)
    assert parts.carts.look(user, []).lines == {product.id: 2}
    parts.carts.clear(user)
    assert parts.carts.look(user, [product.id]).lines == {}


def test_a_first_line_is_set_whether_or_not_the_cart_was_there_as_read(parts):
    fresh, raced = f"U-{uuid.uuid4().hex}", f"U-{uuid.uuid4().hex}"
    assert parts.carts.put(fresh, "P1", 2) == {"P1": 2}  # no cart, and not told so
    parts.carts.put(raced, "P1", 1)  # another request made the cart after this one looked
    assert parts.carts.put(raced, "P2", 4, new=True) == {"P1": 1, "P2": 4}
    assert parts.carts.quantities(raced) == {"P1": 1, "P2": 4}


# --- the checkout, orders and the cancel ---------------------------------------------------------------


def test_placing_takes_the_stock_writes_the_order_and_empties_the_cart_it_came_from(parts):
    product = _product(parts, stock=10)
    user = _user(parts)
    parts.carts.put(user, product.id, 3)
    view = parts.checkout.read(user, None, True, [product.id])
    assert view.cart == {product.id: 3} and view.offers == {product.id: product.offer}
    order = _order(product, 3, user=user)
    assert _place(parts, order, [_take(product, 3)], view.cart_version) is None
    assert _stock(parts, product) == 7 and parts.orders.get(order.id).lines == order.lines
    assert parts.carts.quantities(user) == {}
    assert [o.id for o in parts.orders.page_for_user(user, 10, None)[0]] == [order.id]


def test_an_order_named_by_a_key_is_written_once_and_found_by_its_key(parts):
    product = _product(parts, stock=10)
    user = _user(parts)
    order_id = orders.keyed_order_id(user, "KEY-1")
    order = _order(product, 1, user=user, order_id=order_id)
    assert _place(parts, order, [_take(product)], key=IdempotencyKey("KEY-1", "hash-1")) is None
    placed = parts.orders.get(order_id)
    taken = _place(
        parts,
        replace(order, created_at="later"),
        [_take(product)],
        key=IdempotencyKey("KEY-1", "hash-2"),
    )
    assert taken == Existing(placed, "hash-1")  # a replay is an answer, not an error
    assert parts.checkout.read(user, order_id, False, []).existing == Existing(placed, "hash-1")
    assert _stock(parts, product) == 9


@pytest.mark.parametrize("case", ["price", "stock", "gone", "flag", "cart"])
def test_a_refused_checkout_names_why_and_changes_nothing(parts, case):
    product = _product(parts, stock=2)
    user = _user(parts)
    parts.carts.put(user, product.id, 1)
    version = parts.checkout.read(user, None, True, []).cart_version
    take, expected = {
        "price": (_take(product, price=1), retry.PriceMoved),
        "stock": (_take(product, 3), OutOfStock),
        "gone": (Take(ids.new_id(), 1, 500), retry.StockMoved),
        "flag": (_take(product), retry.StockMoved),
        "cart": (_take(product), retry.CartChanged),
    }[case]
    if case == "flag":
        current = parts.catalog.current(product.id)
        parts.catalog.update(current, current.product.changed({"flash_sale": True}, "t"))
    with pytest.raises(expected):
        _place(parts, _order(product, take.quantity, user=user), [take], version + (case == "cart"))
    assert _stock(parts, product) == 2 and parts.carts.quantities(user) == {product.id: 1}
    assert parts.orders.page_for_user(user, 10, None) == ([], None)


def test_a_short_bucket_is_told_apart_from_a_sold_out_product(parts):
    product = _product(parts, stock=FLASH_BUCKETS, flash=True)  # one unit in every bucket
    with pytest.raises(retry.BucketShort):
        _place(parts, _order(product, 2), [_take(product, 2, bucket=5)])
    levels = parts.stock.levels([product.id])[product.id]
    assert sum(levels.values()) == FLASH_BUCKETS
    _place(parts, _order(product, 2), [_take(product, 1, bucket=5), _take(product, 1, bucket=6)])
    assert _stock(parts, product) == FLASH_BUCKETS - 2


def test_cancelling_gives_the_units_back_once_and_moves_the_order(parts):
    plain, flash = _product(parts, stock=5), _product(parts, stock=FLASH_BUCKETS, flash=True)
    order = Order(
        ids.new_id(),
        "U-c",
        orders.PLACED,
        (Line(plain.id, "a", 500, 2), Line(flash.id, "b", 500, 3)),
        "t",
        "t",
    )
    _place(
        parts, order, [_take(plain, 2), _take(flash, 1, 0), _take(flash, 1, 1), _take(flash, 1, 2)]
    )
    cancelled = order.moved("cancel", "t2")
    _cancel(parts, order, cancelled, [(plain.id, 2, False), (flash.id, 3, True)])
    assert _stock(parts, plain) == 5 and _stock(parts, flash) == FLASH_BUCKETS
    assert parts.orders.get(order.id).status == orders.CANCELLED
    with pytest.raises(retry.StatusMoved):
        _cancel(parts, order, cancelled, [(plain.id, 2, False)])
    assert _stock(parts, plain) == 5


def test_a_status_moves_only_from_the_status_it_must_have(parts):
    product = _product(parts)
    order = _order(product)
    _place(parts, order, [_take(product)])
    assert parts.orders.transition(order.id, orders.SHIPPED, orders.DELIVERED, "t") is None
    shipped = parts.orders.transition(order.id, orders.PLACED, orders.SHIPPED, "t2")
    assert shipped.status == orders.SHIPPED and parts.orders.get(order.id) == shipped
    assert parts.orders.transition(ids.new_id(), orders.PLACED, orders.SHIPPED, "t") is None


def test_the_admins_pages_hold_every_order_once_newest_first(parts):
    product = _product(parts, stock=100)
    made = []
    for n in range(9):
        order = _order(product, 1, user=f"U-{n % 3}")
        _place(parts, order, [_take(product)])
        made.append(order.id)
    parts.orders.transition(made[4], orders.PLACED, orders.SHIPPED, "t")
    for status, expected in (
        (None, made[::-1]),
        (orders.PLACED, [o for o in made[::-1] if o != made[4]]),
    ):
        seen, after, newer = [], None, []
        while True:
            page, after = parts.orders.page_all(status, 4, after)
            seen += [o.id for o in page]
            if after is None:
                break
            if len(newer) < 3:
                # placed while an admin pages: newer than every page, so on none
                order = _order(product, 1)
                _place(parts, order, [_take(product)])
                newer.append(order.id)
        assert [o for o in seen if o in made] == expected and len(seen) == len(set(seen))
        assert not set(newer) & set(seen)


def test_a_pending_order_is_on_no_list_until_it_is_placed(parts):
    product = _product(parts, stock=5)
    user = _user(parts)
    order = _order(product, 2, user=user)
    existing, pending = _reserve(parts, order, [_take(product, 2)])
    assert existing is None and _stock(parts, product) == 3
    assert parts.orders.get(order.id) is None and parts.orders.page_for_user(user, 10, None) == (
        [],
        None,
    )
    assert order.id not in [o.id for o in parts.orders.page_all(orders.PENDING, 100, None)[0]]
    assert parts.orders.pending(order.id) == pending
    tx = parts.checkout.begin()
    tx.move(pending.order, replace(order, payment=Payment("AUTHORIZED", 1000, "USD", "pi_9")))
    assert tx.commit() is None
    placed = parts.orders.get(order.id)
    assert placed.payment == Payment("AUTHORIZED", 1000, "USD", "pi_9") and placed.operation is None
    assert [o.id for o in parts.orders.page_for_user(user, 10, None)[0]] == [order.id]
    assert parts.orders.pending(order.id) is None


def test_a_pending_order_discarded_gives_its_units_and_its_cart_back(parts):
    product = _product(parts, stock=5)
    user = _user(parts)
    parts.carts.put(user, product.id, 2)
    version = parts.checkout.read(user, None, True, []).cart_version
    order = _order(product, 2, user=user)
    _, pending = _reserve(parts, order, [_take(product, 2)], version)
    assert parts.carts.quantities(user) == {} and _stock(parts, product) == 3
    tx = parts.checkout.begin()
    tx.discard(pending.order)
    tx.give_back(product.id, 2, False)
    tx.restore_cart(user, {product.id: 2}, version + 1)
    assert tx.commit() is None
    assert _stock(parts, product) == 5 and parts.carts.quantities(user) == {product.id: 2}
    assert parts.orders.pending(order.id) is None


def test_an_operation_is_claimed_once_released_or_taken_over_and_found_in_flight(parts):
    product = _product(parts)
    order = _order(product, user=_user(parts))
    _place(parts, order, [_take(product)])
    # times from now: an operation from long ago would be stale to the API tests' own sweep, which shares the
    # tables and would take it over in the middle of this test
    t = int(time.time())
    capture = Claim(Operation("capture", t), (orders.PLACED,))
    claimed = parts.orders.claim(order.id, capture)
    assert claimed.operation == Operation("capture", t) and claimed.status == orders.PLACED
    # one at a time
    assert parts.orders.claim(order.id, Claim(Operation("void", t + 1), (orders.PLACED,))) is None
    assert (
        parts.orders.claim(
            order.id, Claim(Operation("x", t + 2), (orders.SHIPPED,), replacing=claimed.operation)
        )
        is None
    )
    assert parts.orders.claim(ids.new_id(), capture) is None
    assert order.id in [o.id for o in parts.orders.in_flight_since(t + 1)]
    assert order.id not in [o.id for o in parts.orders.in_flight_since(t)]
    # not while in flight
    assert parts.orders.transition(order.id, orders.PLACED, orders.SHIPPED, "t") is None
    taken = parts.orders.claim(
        order.id, Claim(Operation("sweep", t + 1000), (orders.PLACED,), replacing=claimed.operation)
    )
    assert taken.operation == Operation("sweep", t + 1000)
    assert parts.orders.release(claimed) is False and parts.orders.release(taken) is True
    assert parts.orders.get(order.id).operation is None
    assert order.id not in [o.id for o in parts.orders.in_flight_since(10**10)]


def test_a_reservation_is_not_in_flight_until_taken_over_and_then_cannot_be_placed(parts):
    product = _product(parts)
    order = _order(product, user=_user(parts))
    _, pending = _reserve(parts, order, [_take(product)])
    # its check finds it (orders/checks.py), not the index: no index write for a reservation
    assert order.id not in [o.id for o in parts.orders.in_flight_since(10**10)]
    assert parts.orders.pending(order.id).order.operation == Operation(orders.AUTHORIZE, 1000)
    # taken over now: a take-over from long ago would be stale to the API tests' own sweep, which shares the
    # tables and would take it over again in the middle of this test
    now = int(time.time())
    sweep = Claim(
        Operation(orders.SWEEP, now), (orders.PENDING,), replacing=pending.order.operation
    )
    taken = parts.orders.claim(order.id, sweep)
    assert taken.operation == Operation(orders.SWEEP, now)
    assert order.id in [o.id for o in parts.orders.in_flight_since(now + 1)]
    tx = parts.checkout.begin()
    tx.move(pending.order, replace(order, payment=Payment("AUTHORIZED", 500, "USD", "pi_1")))
    with pytest.raises(retry.StatusMoved):
        tx.commit()
    assert parts.orders.pending(order.id).order.operation == Operation(orders.SWEEP, now)
    # whoever took it over releases it (nothing is left for the sweep)
    tx = parts.checkout.begin()
    tx.discard(taken)
    tx.give_back(product.id, 1, False)
    assert tx.commit() is None and parts.orders.pending(order.id) is None
    assert _stock(parts, product) == 10


def test_operations_in_flight_are_found_in_every_shard_of_the_index(parts):
    from chalicelib.orders.records import ORDER_SHARDS, flight_shard

    product = _product(parts, stock=50)
    user = _user(parts)
    t = int(time.time())  # not stale to the API tests' own sweep (see above)
    placed = [_order(product, user=user) for _ in range(12)]
    for order in placed:
        _place(parts, order, [_take(product)])
        assert parts.orders.claim(order.id, Claim(Operation("capture", t), (orders.PLACED,)))
    # most land past the admins' 32 shards: the sweep must look there too
    assert any(int(flight_shard(o.id)) >= ORDER_SHARDS for o in placed)
    found = {o.id for o in parts.orders.in_flight_since(t + 1)}
    assert {o.id for o in placed} <= found


def test_a_shoppers_claim_is_refused_on_another_shoppers_order(parts):
    product = _product(parts)
    order = _order(product, user=_user(parts))
    _place(parts, order, [_take(product)])
    assert (
        parts.orders.claim(order.id, Claim(Operation("void", 1), (orders.PLACED,), owner="U-eve"))
        is None
    )
    assert parts.orders.get(order.id).operation is None


def test_a_move_records_the_providers_event_once(parts):
    product = _product(parts)
    order = _order(product, user=_user(parts))
    _place(parts, order, [_take(product)])
    placed = parts.orders.get(order.id)
    tx = parts.checkout.begin()
    tx.move(placed, placed.moved("cancel", "t2"))
    tx.record_event("evt_contract_1", orders.CANCELLED)
    assert tx.commit() is None and parts.orders.get(order.id).payment.status == "VOIDED"
    again = parts.checkout.begin()
    # would fail anyway; the event says first
    again.move(parts.orders.get(order.id), placed.moved("cancel", "t3"))
    again.record_event("evt_contract_1", orders.CANCELLED)
    with pytest.raises(AlreadyHandled):
        again.commit()


# --- the inbox and profiles ------------------------------------------------------------------------------


def _notification(user, n):
    return Notification(
        f"2026112710000{n}-O{n}.PLACED", user, "ORDER_PLACED", f"O{n}", "s", "m", "t"
    )


def test_the_inbox_keeps_one_item_per_event_newest_first_and_private(parts):
    user = f"U-{uuid.uuid4().hex}"
    first = parts.inbox.add_once(_notification(user, 1))
    assert parts.inbox.add_once(replace(_notification(user, 1), subject="again")) == first
    parts.inbox.mark_emailed(user, first.id)
    assert parts.inbox.add_once(_notification(user, 1)).emailed is True
    parts.inbox.add_once(_notification(user, 2))
    page, after = parts.inbox.page_for_user(user, 1, None)
    assert [n.id for n in page] == [_notification(user, 2).id] and after
    assert [n.id for n in parts.inbox.page_for_user(user, 1, after)[0]] == [first.id]
    with pytest.raises(errors.NotFound):
        parts.inbox.mark_read(first.id, "someone-else")
    assert parts.inbox.mark_read(first.id, user).read is True


def test_a_profile_is_written_once_and_renamed_only_when_it_exists(parts):
    user = f"U-{uuid.uuid4().hex}"
    first = parts.users.add(Profile(user, "a@example.com", "Ada", "t"))
    assert parts.users.add(Profile(user, "b@example.com", "Bob", "t")) == first
    assert (
        parts.users.rename(user, "Ada L.").name == "Ada L."
        and parts.users.get(user).name == "Ada L."
    )
    with pytest.raises(errors.NotFound):
        parts.users.rename(f"U-{uuid.uuid4().hex}", "Nobody")


def test_a_shoppers_page_of_100_reads_every_order_in_one_batch_and_the_next_page_the_rest(parts):
    # the by_user index holds keys only: a page is its keys, then the orders read by key (BatchGetItem takes
    # at most 100 keys, the API's largest page); a reservation of the same shopper is on no page
    product = _product(parts, stock=200)
    user = _user(parts)
    placed = []
    for _ in range(101):
        order = _order(product, user=user)
        assert _place(parts, order, [_take(product)]) is None
        placed.append(order.id)
    _reserve(parts, _order(product, user=user), [_take(product)])
    first, after = parts.orders.page_for_user(user, 100, None)
    assert [o.id for o in first] == placed[:0:-1] and after is not None
    assert all(o.status == orders.PLACED and o.lines for o in first)
    rest, more = parts.orders.page_for_user(user, 100, after)
    assert [o.id for o in rest] == [placed[0]] and more is None
