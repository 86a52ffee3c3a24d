"""Placing an order, and reading orders: `Checkout`, built once with its collaborators by the composition root
(bootstrap.py), a method per use case.

Placing reserves, then pays. One transaction (ports.OrderTransaction) takes every line's units, writes the order
PENDING and empties the cart it came from; so a sold-out product, a changed price or a changed cart is found before
anything is authorized, and whatever makes that attempt worth repeating is a retry signal for the one policy
(chalicelib/retry.py). Then the payment provider authorizes the total, once; the order becomes PLACED with its
payment, or, refused, is discarded with its units and cart given back (orders/reservations.py)."""

import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

from chalicelib import clock, errors, ids
from chalicelib.orders import model
from chalicelib.orders.commands import IdempotencyKey, PlaceOrder, Requester
from chalicelib.orders.model import CheckoutView, Existing, Line, Operation, Order, Pending, Placed
from chalicelib.orders.offers import Offers, plan
from chalicelib.orders.ports import (
    CheckoutStore,
    Forgettable,
    OfferCache,
    OrderRepository,
    Position,
    StockLevels,
)
from chalicelib.orders.reservations import Reservations
from chalicelib.paging import PageRequest
from chalicelib.payments.model import (
    NothingAuthorized,
    PaymentRefused,
    check_amount,
    check_method,
)
from chalicelib.payments.ports import PaymentProvider
from chalicelib.products.model import Offer
from chalicelib.products.takes import OutOfStock, Rotation
from chalicelib.retry import Busy, PLACING, Policy, Signals, StatusMoved


@dataclass(frozen=True)
class _Basket:
    """What an attempt orders: the lines, the offers they were priced from, the cart (and its version) to empty
    (none for explicit lines)."""

    lines: Tuple[Line, ...]
    offers: Dict[str, Offer]
    cart: Optional[Dict[str, int]]
    cart_version: int


@dataclass(frozen=True)
class _Reserved:
    pending: Pending
    basket: _Basket


class Checkout:
    def __init__(
        self,
        store: CheckoutStore,
        orders: OrderRepository,
        offers: Offers,
        stock: StockLevels,
        reservations: Reservations,
        payments: PaymentProvider,
        *,
        sold_out: OfferCache,
        caches: Sequence[Forgettable] = (),
        rotation: Optional[Rotation] = None,
        policy: Policy = PLACING,
    ) -> None:
        self._store, self._orders, self._offers, self._stock = store, orders, offers, stock
        self._reservations, self._payments = reservations, payments
        self._caches = caches  # the catalog's warm answers (with stock): stale once units are taken or returned
        self._sold_out = (
            sold_out  # flash-sale products found sold out in the last second (a warm cache)
        )
        self._rotation = rotation or Rotation()
        self._policy = policy

    # --- placing ----------------------------------------------------------------------------------------

    def place(self, command: PlaceOrder) -> Placed:
        """Hold the stock and authorize the total, then place the order (from the cart when no lines are
        given); a request repeated with its idempotency key gets the first answer."""
        check_method(command.payment_method)
        wanted = model.merged(command.lines) if command.lines is not None else None
        reserved = self._policy.run(lambda signals: self._reserve_once(command, wanted, signals))
        if isinstance(reserved, Placed):
            return reserved
        return Placed(self._pay(reserved))

    def _reserve_once(
        self, command: PlaceOrder, wanted: Optional[Dict[str, int]], signals: Signals
    ) -> Union[Placed, _Reserved]:
        view = self._read(command, wanted, signals.fresh)
        if view.existing:
            return self._existing(view.existing, command.idempotency)
        basket = self._basket(wanted, view, signals.fresh)
        pending = Pending(_new_order(command, basket.lines), command.payment_method, ids.new_id())
        tx = self._store.begin()
        for take in plan(
            basket.lines, basket.offers, self._levels(basket, signals), self._rotation
        ):
            tx.take(take)
        tx.reserve(pending, command.idempotency)
        if basket.cart is not None:
            tx.empty_cart(command.user_id, basket.cart_version)
        if len(tx) > model.TRANSACTION_ITEMS:
            raise Busy()  # lines split over more buckets than a transaction holds: not a sold-out
        existing = tx.commit()
        if existing:
            return self._existing(existing, command.idempotency)
        self._forget()
        return _Reserved(pending, basket)

    def _pay(self, reserved: _Reserved) -> Order:
        """Authorize the held order's total once; a refusal gives the units and the cart back (402); a provider
        that surely did nothing (throttled, unreachable) too, at once (503); one that may have acted leaves the
        order to be abandoned (503: at once if the provider answers again, else by its check or the sweep)."""
        pending, basket = reserved.pending, reserved.basket
        try:
            intent = self._payments.authorize(self._reservations.authorization(pending))
        except PaymentRefused:
            # the refusal is the answer: a cart changed meanwhile stays as it is, and units that cannot be given
            # back now are the reservation's check's to give back
            self._reservations.release_quietly(pending, basket.cart, basket.cart_version + 1)
            self._forget()
            raise
        except NothingAuthorized:
            # throttled or unreachable: nothing to look for at the provider, the reservation simply goes
            self._reservations.release_quietly(pending, basket.cart, basket.cart_version + 1)
            self._forget()
            raise
        except errors.Unavailable:
            self._abandon_quietly(pending)
            raise
        return self._reservations.place(pending, intent)

    def _forget(self) -> None:
        for cache in self._caches:
            cache.clear()

    def _abandon_quietly(self, pending: Pending) -> None:
        try:
            self._reservations.abandon(pending)
            self._forget()
        except errors.Unavailable:
            pass  # the provider is still away: its check (or the sweep, once taken over) abandons it

    def _read(
        self, command: PlaceOrder, wanted: Optional[Dict[str, int]], fresh: bool
    ) -> CheckoutView:
        """The key's order, the cart (when it is the source) and the offers the warm cache lacks, in one read."""
        cached = {} if fresh else self._offers.cached(wanted or ())
        order_id = (
            model.keyed_order_id(command.user_id, command.idempotency.key)
            if command.idempotency
            else None
        )
        view = self._store.read(
            command.user_id, order_id, wanted is None, [p for p in wanted or () if p not in cached]
        )
        self._offers.remember(view.offers)
        return CheckoutView(view.existing, view.cart, view.cart_version, {**cached, **view.offers})

    def _basket(self, wanted: Optional[Dict[str, int]], view: CheckoutView, fresh: bool) -> _Basket:
        if wanted is None:
            if not view.cart:
                raise errors.InvalidInput("the cart is empty: add products or give `items`")
            wanted, cart, known = view.cart, view.cart, self._offers.of(view.cart, fresh)
        else:
            unknown = [p for p in wanted if p not in view.offers]
            if unknown:
                raise errors.InvalidInput(f"field `items`: product {unknown[0]} does not exist")
            cart, known = None, view.offers
        lines = model.priced(wanted, known)
        if not lines:
            raise errors.InvalidInput("none of the cart's products is sold any more")
        check_amount(sum(line.line_total_cents for line in lines))
        return _Basket(lines, known, cart, view.cart_version)

    def _levels(self, basket: _Basket, signals: Signals) -> Dict[str, Dict[int, int]]:
        """The flash-sale buckets' levels where a bucket ran short; a product known to have none left (this last
        second) is sold out without a read, and one read empty is known so for the next second."""
        sold_out = self._sold_out.get_many([line.product_id for line in basket.lines])
        if sold_out:
            raise OutOfStock(str(next(iter(sold_out))))
        levels = self._stock.levels(signals.short) if signals.short else {}
        self._sold_out.put_many(
            {
                p: basket.offers[p]
                for p, found in levels.items()
                if found and not any(found.values())
            }
        )
        return levels

    def _existing(self, existing: Existing, key: Optional[IdempotencyKey]) -> Placed:
        """An order already written under the key: the first answer again, or (still PENDING) a 409 while its
        request runs; one whose request never finished is abandoned and the order placed anew."""
        if key is None or existing.body_hash != key.body_hash:
            raise errors.Unprocessable(
                "this Idempotency-Key was used with a different request body"
            )
        order = existing.order
        if order.status != model.PENDING:
            return Placed(order.as_placed, replayed=True)
        if order.operation is not None and not order.operation.stale(int(time.time())):
            raise errors.Conflict(
                "a request with this Idempotency-Key is still being processed; retry shortly"
            )
        pending = self._orders.pending(order.id)
        # only the reservation read here, whose lease is over: one made again meanwhile is its request's
        if pending is not None and pending.order.operation == order.operation:
            self._reservations.abandon(pending)
        raise StatusMoved(order.id)  # read again: the key is free now

    # --- reading ----------------------------------------------------------------------------------------

    def find(self, order_id: str, requester: Requester) -> Order:
        """The order, if the requester may see it: its owner, or an admin. Anyone else is told it does not exist."""
        order = self._orders.get(order_id) if ids.looks_like_id(order_id) else None
        if order is None or not (requester.is_admin or order.user_id == requester.user_id):
            raise errors.NotFound(f"order {order_id} does not exist")
        return order

    def history(self, user_id: str, request: PageRequest) -> Tuple[List[Order], Position]:
        """A page of the shopper's orders, newest first."""
        return self._orders.page_for_user(user_id, request.limit, request.after)

    def everything(
        self, status: Optional[str], request: PageRequest
    ) -> Tuple[List[Order], Position]:
        """A page of all users' orders (of one status when given), newest first."""
        return self._orders.page_all(status, request.limit, request.after)


def _new_order(command: PlaceOrder, lines: Tuple[Line, ...]) -> Order:
    now = clock.now_iso()
    order_id = (
        model.keyed_order_id(command.user_id, command.idempotency.key)
        if command.idempotency
        else ids.new_id()
    )
    return Order(
        id=order_id,
        user_id=command.user_id,
        status=model.PENDING,
        lines=lines,
        created_at=now,
        updated_at=now,
        operation=Operation(model.AUTHORIZE, int(time.time())),
    )
