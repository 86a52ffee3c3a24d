"""What the shop does with carts and orders."""
import random
import time
from typing import Dict, List, Optional, Sequence, Tuple

from chalicelib import clock, errors, ids
from chalicelib.orders import model
from chalicelib.orders.model import MAX_LINES, Cart, Order, merged, priced, shortage
from chalicelib.orders.repository import key_id, order_from, order_item

ATTEMPTS = 5


# --- the cart ---------------------------------------------------------------------------------------

def view_cart(user_id: str, *, carts, products) -> Cart:
    """The cart at current names and prices; products deleted since they were added drop out."""
    quantities = carts.quantities(user_id)
    return Cart(priced(quantities, products.get_many(quantities))) if quantities else Cart()


def set_cart_quantity(user_id: str, product_id: str, quantity: int, *, carts, products) -> Cart:
    """Put a product into the cart with this quantity (replacing any earlier quantity)."""
    if not ids.looks_like_id(product_id):
        raise errors.NotFound(f"product {product_id} does not exist")
    before, version = carts.put(user_id, product_id, quantity)
    quantities = {**before, product_id: quantity}
    found = products.get_many(quantities)
    if product_id not in found:
        carts.undo_put(user_id, product_id, before.get(product_id), version)
        raise errors.NotFound(f"product {product_id} does not exist")
    if product_id not in before and len(before) >= MAX_LINES:
        carts.undo_put(user_id, product_id, None, version)
        raise errors.InvalidInput(f"a cart holds at most {MAX_LINES} different products")
    return Cart(priced(quantities, found))


def remove_from_cart(user_id: str, product_id: str, *, carts, products) -> Cart:
    quantities = carts.remove(user_id, product_id)
    return Cart(priced(quantities, products.get_many(quantities))) if quantities else Cart()


def empty_cart(user_id: str, *, carts) -> None:
    carts.clear(user_id)


# --- placing an order -------------------------------------------------------------------------------

def place_order(user_id: str, requested: Optional[Sequence[Tuple[str, int]]], key: Optional[str],
                body_hash: str, *, orders, cache, key_ttl_hours: int = 48, sleep=time.sleep) -> Tuple[Order, bool]:
    """Take the stock and write the order in one transaction (from the cart when no lines are given).
    Returns the order and whether it is the earlier answer to the same idempotency key."""
    quantities = merged(requested) if requested is not None else None
    price_retried = False
    last_failure: Exception = model.Contended()
    for attempt in range(ATTEMPTS):
        view = orders.read_for_checkout(user_id, list(quantities or ()), key, with_cart=quantities is None)
        if _live(view.replay):
            return _replay(view.replay, body_hash)
        cart_version = None
        wanted = quantities
        products = view.products
        if wanted is None:
            wanted, cart_version = view.cart, view.cart_version
            if not wanted:
                raise errors.InvalidInput("the cart is empty: add products or give `items`")
            products = orders.read_for_checkout(user_id, list(wanted), None, with_cart=False).products
        else:
            unknown = [p for p in wanted if p not in products]
            if unknown:
                raise errors.InvalidInput(f"field `items`: product {unknown[0]} does not exist")
        lines = priced(wanted, products)
        if not lines:
            raise errors.InvalidInput("none of the cart's products is sold any more")
        short = shortage(lines, products)
        if short:
            raise model.OutOfStock(short)
        now = clock.now_iso()
        order = Order(id=ids.new_id(), user_id=user_id, status=model.PLACED, lines=lines, created_at=now,
                      updated_at=now)
        record = _key_record(user_id, key, body_hash, order, key_ttl_hours) if key else None
        try:
            orders.place(order, cart_version, record)
        except model.KeyTaken:
            return _replay(orders.key_record(user_id, key), body_hash)
        except model.PriceChanged:
            if price_retried:
                raise
            price_retried = True
            continue
        except (model.CartChanged, model.Contended, model.ProductGone) as exc:
            last_failure = exc
            _back_off(attempt, sleep)
            continue
        cache.clear()
        return order, False
    raise last_failure  # a cart that keeps changing is a 409 to review it; only contention is a 503


def _key_record(user_id: str, key: str, body_hash: str, order: Order, ttl_hours: int) -> dict:
    return {"id": key_id(user_id, key), "body_hash": body_hash, "order": order_item(order),
            "expires_at": int(time.time()) + ttl_hours * 3600}


def _live(record: Optional[dict]) -> bool:
    return bool(record) and record.get("expires_at", 0) > time.time()


def _replay(record: dict, body_hash: str) -> Tuple[Order, bool]:
    if record["body_hash"] != body_hash:
        raise errors.Unprocessable("this Idempotency-Key was used with a different request body")
    return order_from(record["order"]), True


def _back_off(attempt: int, sleep) -> None:
    sleep(min(0.5, 0.02 * 2 ** attempt) * random.uniform(0.5, 1.0))


# --- reading and moving orders --------------------------------------------------------------------

def get_order(order_id: str, user_id: str, is_admin: bool, *, orders) -> Order:
    """The order, if the caller may see it: its owner, or an admin. Anyone else is told it does not exist."""
    order = orders.get(order_id) if ids.looks_like_id(order_id) else None
    if order is None or not (is_admin or order.user_id == user_id):
        raise errors.NotFound(f"order {order_id} does not exist")
    return order


def list_orders(user_id: str, limit: int, after: Optional[str], *, orders) -> Tuple[List[Order], bool]:
    return orders.page_for_user(user_id, limit, after)


def list_all_orders(status: Optional[str], limit: int, after: Optional[str], *, orders) -> Tuple[List[Order], bool]:
    return orders.page_all(status, limit, after)


def cancel_order(order_id: str, user_id: str, is_admin: bool, *, orders, products, cache,
                 sleep=time.sleep) -> Order:
    """Cancel a PLACED order and give its stock back, in one transaction."""
    for attempt in range(ATTEMPTS):
        order = get_order(order_id, user_id, is_admin, orders=orders)
        cancelled = order.moved("cancel", clock.now_iso())
        existing = products.get_many([line.product_id for line in order.lines])
        restock: Dict[str, int] = {l.product_id: l.quantity for l in order.lines if l.product_id in existing}
        try:
            orders.cancel(order, cancelled, restock)
        except model.Contended:
            _back_off(attempt, sleep)
            continue
        cache.clear()
        return cancelled
    raise model.Contended()


def advance_order(order_id: str, action: str, *, orders) -> Order:
    """Ship or deliver: one conditional update, so two racing moves cannot both win."""
    before, after = model.TRANSITIONS[action]
    moved = orders.transition(order_id, before, after, clock.now_iso()) if ids.looks_like_id(order_id) else None
    if moved is None:
        current = orders.get(order_id) if ids.looks_like_id(order_id) else None
        if current is None:
            raise errors.NotFound(f"order {order_id} does not exist")
        current.moved(action, clock.now_iso())  # raises the conflict that names the current status
        raise model.Contended()
    return moved


