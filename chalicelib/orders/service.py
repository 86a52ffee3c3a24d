"""What the shop does with carts and orders.

Carts and checkouts read products' offers (name, price, flash-sale flag) through a warm cache: the checkout's
transaction checks every price it charges, and a stale offer only costs a retry with a fresh read.
"""
import time
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from chalicelib import clock, errors, ids, retry
from chalicelib.orders import model
from chalicelib.orders.model import Cart, Order, keyed_order_id, merged, priced
from chalicelib.products.model import Offer
from chalicelib.products.takes import Rotation, Take, takes_from_buckets

ATTEMPTS = 8


# --- offers -----------------------------------------------------------------------------------------

def offers_of(product_ids: Iterable[str], *, catalog, offers, fresh: bool = False) -> Dict[str, Offer]:
    """The products' offers, from the warm cache where it has them (all read again when `fresh`)."""
    wanted = list(dict.fromkeys(product_ids))
    found = {} if fresh else offers.get_many(wanted)
    missing = [p for p in wanted if p not in found]
    if missing:
        loaded = catalog.offers(missing)
        offers.put_many(loaded)
        found.update(loaded)
    return found


# --- the cart ---------------------------------------------------------------------------------------

def view_cart(user_id: str, *, carts, catalog, offers) -> Cart:
    """The cart at current names and prices; products deleted since they were added drop out."""
    quantities = carts.quantities(user_id)
    return _cart(quantities, catalog, offers)


def set_cart_quantity(user_id: str, product_id: str, quantity: int, *, carts, catalog, offers) -> Cart:
    """Put a product into the cart with this quantity (replacing any earlier quantity)."""
    if not (ids.looks_like_id(product_id) and offers_of([product_id], catalog=catalog, offers=offers)):
        raise errors.NotFound(f"product {product_id} does not exist")
    return _cart(carts.put(user_id, product_id, quantity), catalog, offers)


def remove_from_cart(user_id: str, product_id: str, *, carts, catalog, offers) -> Cart:
    """Take a product out of the cart (one that is not in it, or no product at all, changes nothing)."""
    lines = carts.remove(user_id, product_id) if ids.looks_like_id(product_id) else carts.quantities(user_id)
    return _cart(lines, catalog, offers)


def empty_cart(user_id: str, *, carts) -> None:
    carts.clear(user_id)


def _cart(quantities: Dict[str, int], catalog, offers) -> Cart:
    return Cart(priced(quantities, offers_of(quantities, catalog=catalog, offers=offers))) if quantities else Cart()


# --- placing an order -------------------------------------------------------------------------------

def place_order(user_id: str, requested: Optional[Sequence[Tuple[str, int]]], key: Optional[str],
                body_hash: str, *, checkout, catalog, stock, offers, cache, rotation: Rotation,
                sleep=time.sleep) -> Tuple[Order, bool]:
    """Take the stock and write the order in one transaction (from the cart when no lines are given).
    Returns the order and whether it is the earlier answer to the same idempotency key."""
    quantities = merged(requested) if requested is not None else None
    order_id = keyed_order_id(user_id, key) if key else None
    fresh, price_retried, short = False, False, set()
    failure: errors.ShopError = model.Contended()
    for attempt in retry.attempts(ATTEMPTS, sleep=sleep):
        cached = {} if fresh else offers.get_many(quantities or ())
        view = checkout.read(user_id, order_id, quantities is None, [p for p in quantities or () if p not in cached])
        if view.existing:
            return _replay(*view.existing, body_hash)
        offers.put_many(view.offers)
        wanted, cart_version, known = _wanted(quantities, view, {**cached, **view.offers}, catalog, offers, fresh)
        lines = priced(wanted, known)
        if not lines:
            raise errors.InvalidInput("none of the cart's products is sold any more")
        try:
            takes = plan(lines, known, stock.levels(short) if short else {}, rotation)
        except model.StockMoved:  # its flash sale ended since the offer was cached: no buckets to take from
            fresh = True
            continue
        if len(takes) + 1 + (cart_version is not None) > model.TRANSACTION_ITEMS:
            raise model.Contended()  # lines split over more buckets than a transaction holds: not a sold-out
        now = clock.now_iso()
        order = Order(id=order_id or ids.new_id(), user_id=user_id, status=model.PLACED, lines=lines,
                      created_at=now, updated_at=now)
        try:
            checkout.place(order, takes, cart_version, body_hash if key else None)
        except model.KeyTaken as taken:
            return _replay(taken.order, taken.body_hash, body_hash)
        except model.PriceChanged:
            if price_retried:
                raise
            price_retried = fresh = True
        except (model.ProductGone, model.StockMoved):
            fresh = True
        except model.BucketShort as exc:
            short |= exc.product_ids
            attempt.back_off()
        except (model.CartChanged, model.Contended) as exc:
            failure = exc
            attempt.back_off()
        else:
            cache.clear()
            return order, False
    raise failure  # a cart that keeps changing is a 409 to review it; only contention is a 503


def _wanted(quantities, view, known: Dict[str, Offer], catalog, offers, fresh: bool):
    """The lines to order, the cart version to empty (None for explicit lines) and the offers they need."""
    if quantities is not None:
        unknown = [p for p in quantities if p not in known]
        if unknown:
            raise errors.InvalidInput(f"field `items`: product {unknown[0]} does not exist")
        return quantities, None, known
    if not view.cart:
        raise errors.InvalidInput("the cart is empty: add products or give `items`")
    return view.cart, view.cart_version, offers_of(view.cart, catalog=catalog, offers=offers, fresh=fresh)


def plan(lines, known: Dict[str, Offer], levels: Dict[str, Dict[int, int]], rotation: Rotation) -> List[Take]:
    """Where each line's units come from: a product's own stock, or a flash-sale bucket (the next in this
    container's rotation; after a bucket ran short, the buckets as just read, maybe several)."""
    takes: List[Take] = []
    for line in lines:
        offer = known[line.product_id]
        if not offer.flash_sale:
            takes.append(Take(line.product_id, line.quantity, line.unit_price_cents))
        elif line.product_id in levels:
            takes += takes_from_buckets(offer, line.quantity, levels[line.product_id])
        else:
            takes.append(Take(line.product_id, line.quantity, line.unit_price_cents, rotation.next()))
    return takes


def _replay(order: Order, stored_hash: Optional[str], body_hash: str) -> Tuple[Order, bool]:
    if stored_hash != body_hash:
        raise errors.Unprocessable("this Idempotency-Key was used with a different request body")
    return order.as_placed, True


# --- reading and moving orders --------------------------------------------------------------------

def get_order(order_id: str, user_id: str, is_admin: bool, *, orders) -> Order:
    """The order, if the caller may see it: its owner, or an admin. Anyone else is told it does not exist."""
    order = orders.get(order_id) if ids.looks_like_id(order_id) else None
    if order is None or not (is_admin or order.user_id == user_id):
        raise errors.NotFound(f"order {order_id} does not exist")
    return order


def list_orders(user_id: str, limit: int, after: Optional[dict], *, orders):
    return orders.page_for_user(user_id, limit, after)


def list_all_orders(status: Optional[str], limit: int, after: Optional[dict], *, orders):
    return orders.page_all(status, limit, after)


def cancel_order(order_id: str, user_id: str, is_admin: bool, *, orders, checkout, catalog, offers, cache,
                 sleep=time.sleep) -> Order:
    """Cancel a PLACED order and give its units back, in one transaction (to wherever each product keeps
    its stock now; a product deleted since gets nothing back)."""
    fresh = False
    for attempt in retry.attempts(ATTEMPTS, sleep=sleep):
        order = get_order(order_id, user_id, is_admin, orders=orders)
        cancelled = order.moved("cancel", clock.now_iso())
        known = offers_of([line.product_id for line in order.lines], catalog=catalog, offers=offers, fresh=fresh)
        returns = [(l.product_id, l.quantity, known[l.product_id].flash_sale) for l in order.lines
                   if l.product_id in known]
        try:
            checkout.cancel(order, cancelled, returns)
        except (model.StockMoved, model.ProductGone):
            fresh = True
            continue
        except model.Contended:
            attempt.back_off()
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
