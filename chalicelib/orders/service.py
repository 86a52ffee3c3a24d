"""The order use cases: `Checkout` places, cancels, ships and delivers orders, one method per command. It is built
once, with its collaborators, by the composition root (bootstrap.py).

Placing composes one transaction (ports.OrderTransaction: the stock takes, the order, the cart) and commits it;
whatever makes an attempt worth repeating is a retry signal, and one policy (chalicelib/retry.py) decides."""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from chalicelib import clock, errors, ids
from chalicelib.paging import PageRequest
from chalicelib.orders import model
from chalicelib.orders.commands import CancelOrder, DeliverOrder, IdempotencyKey, PlaceOrder, Requester, ShipOrder
from chalicelib.orders.model import CheckoutView, Existing, Line, Order, Placed
from chalicelib.orders.offers import Offers, plan
from chalicelib.orders.ports import CheckoutStore, Forgettable, OrderRepository, Position, StockLevels
from chalicelib.products.model import Offer
from chalicelib.products.takes import Rotation
from chalicelib.retry import Busy, Policy, Signals, StatusMoved


@dataclass(frozen=True)
class _Basket:
    """What an attempt orders: the lines, the offers they were priced from, the cart version to empty (None for
    explicit lines)."""
    lines: Tuple[Line, ...]
    offers: Dict[str, Offer]
    cart_version: Optional[int]


class Checkout:
    def __init__(self, store: CheckoutStore, orders: OrderRepository, offers: Offers, stock: StockLevels, *,
                 caches: Sequence[Forgettable] = (), rotation: Optional[Rotation] = None,
                 policy: Policy = Policy()) -> None:
        self._store, self._orders, self._offers, self._stock = store, orders, offers, stock
        self._caches = caches
        self._rotation = rotation or Rotation()
        self._policy = policy

    # --- placing ----------------------------------------------------------------------------------------

    def place(self, command: PlaceOrder) -> Placed:
        """Take the stock and write the order in one transaction (from the cart when no lines are given); a
        request repeated with its idempotency key gets the first answer."""
        wanted = model.merged(command.lines) if command.lines is not None else None
        return self._policy.run(lambda signals: self._place_once(command, wanted, signals))

    def _place_once(self, command: PlaceOrder, wanted: Optional[Dict[str, int]], signals: Signals) -> Placed:
        view = self._read(command, wanted, signals.fresh)
        if view.existing:
            return _replay(view.existing, command.idempotency)
        basket = self._basket(wanted, view, signals.fresh)
        order = _new_order(command, basket.lines)
        tx = self._store.begin()
        for take in plan(basket.lines, basket.offers, self._levels(signals), self._rotation):
            tx.take(take)
        tx.add_order(order, command.idempotency)
        if basket.cart_version is not None:
            tx.empty_cart(order.user_id, basket.cart_version)
        if len(tx) > model.TRANSACTION_ITEMS:
            raise Busy()  # lines split over more buckets than a transaction holds: not a sold-out
        existing = tx.commit()
        if existing:
            return _replay(existing, command.idempotency)
        self._forget()
        return Placed(order)

    def _read(self, command: PlaceOrder, wanted: Optional[Dict[str, int]], fresh: bool) -> CheckoutView:
        """The key's order, the cart (when it is the source) and the offers the warm cache lacks, in one read."""
        cached = {} if fresh else self._offers.cached(wanted or ())
        order_id = model.keyed_order_id(command.user_id, command.idempotency.key) if command.idempotency else None
        view = self._store.read(command.user_id, order_id, wanted is None, [p for p in wanted or () if p not in cached])
        self._offers.remember(view.offers)
        return CheckoutView(view.existing, view.cart, view.cart_version, {**cached, **view.offers})

    def _basket(self, wanted: Optional[Dict[str, int]], view: CheckoutView, fresh: bool) -> _Basket:
        if wanted is None:
            if not view.cart:
                raise errors.InvalidInput("the cart is empty: add products or give `items`")
            wanted, version, known = view.cart, view.cart_version, self._offers.of(view.cart, fresh)
        else:
            unknown = [p for p in wanted if p not in view.offers]
            if unknown:
                raise errors.InvalidInput(f"field `items`: product {unknown[0]} does not exist")
            version, known = None, view.offers
        lines = model.priced(wanted, known)
        if not lines:
            raise errors.InvalidInput("none of the cart's products is sold any more")
        return _Basket(lines, known, version)

    def _levels(self, signals: Signals) -> Dict[str, Dict[int, int]]:
        return self._stock.levels(signals.short) if signals.short else {}

    # --- moving orders ----------------------------------------------------------------------------------

    def cancel(self, command: CancelOrder) -> Order:
        """Cancel a PLACED order and give its units back in one transaction (to wherever each product keeps
        its stock now; a product deleted since gets nothing back)."""
        return self._policy.run(lambda signals: self._cancel_once(command, signals.fresh))

    def _cancel_once(self, command: CancelOrder, fresh: bool) -> Order:
        order = self.find(command.order_id, command.requester)
        cancelled = order.moved("cancel", clock.now_iso())
        known = self._offers.of([line.product_id for line in order.lines], fresh)
        tx = self._store.begin()
        tx.move(order, cancelled)
        for line in order.lines:
            if line.product_id in known:
                tx.give_back(line.product_id, line.quantity, known[line.product_id].flash_sale)
        tx.commit()
        self._forget()
        return cancelled

    def ship(self, command: ShipOrder) -> Order:
        return self._advance(command.order_id, "ship")

    def deliver(self, command: DeliverOrder) -> Order:
        return self._advance(command.order_id, "deliver")

    def _advance(self, order_id: str, action: str) -> Order:
        """One conditional write, so two racing moves cannot both win; the loser is told the status it found."""
        return self._policy.run(lambda _: self._advance_once(order_id, action))

    def _advance_once(self, order_id: str, action: str) -> Order:
        before, after = model.TRANSITIONS[action]
        now = clock.now_iso()
        moved = self._orders.transition(order_id, before, after, now) if ids.looks_like_id(order_id) else None
        if moved is not None:
            return moved
        self._get(order_id).moved(action, now)  # 404, or 409 naming the status it is in now
        raise StatusMoved(order_id)  # back in `before` when read: try again

    # --- reading ----------------------------------------------------------------------------------------

    def find(self, order_id: str, requester: Requester) -> Order:
        """The order, if the requester may see it: its owner, or an admin. Anyone else is told it does not exist."""
        order = self._get(order_id)
        if not (requester.is_admin or order.user_id == requester.user_id):
            raise _missing(order_id)
        return order

    def _get(self, order_id: str) -> Order:
        order = self._orders.get(order_id) if ids.looks_like_id(order_id) else None
        if order is None:
            raise _missing(order_id)
        return order

    def history(self, user_id: str, request: PageRequest) -> Tuple[List[Order], Position]:
        """A page of the shopper's orders, newest first."""
        return self._orders.page_for_user(user_id, request.limit, request.after)

    def everything(self, status: Optional[str], request: PageRequest) -> Tuple[List[Order], Position]:
        """A page of all users' orders (of one status when given), newest first."""
        return self._orders.page_all(status, request.limit, request.after)

    def _forget(self) -> None:
        for cache in self._caches:
            cache.clear()


def _new_order(command: PlaceOrder, lines: Tuple[Line, ...]) -> Order:
    now = clock.now_iso()
    order_id = model.keyed_order_id(command.user_id, command.idempotency.key) if command.idempotency else ids.new_id()
    return Order(id=order_id, user_id=command.user_id, status=model.PLACED, lines=lines, created_at=now,
                 updated_at=now)


def _missing(order_id: str) -> errors.NotFound:
    return errors.NotFound(f"order {order_id} does not exist")


def _replay(existing: Existing, key: Optional[IdempotencyKey]) -> Placed:
    if key is None or existing.body_hash != key.body_hash:
        raise errors.Unprocessable("this Idempotency-Key was used with a different request body")
    return Placed(existing.order.as_placed, replayed=True)
