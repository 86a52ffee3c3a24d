"""Moving a placed order on, with its payment: ship (capture), cancel (void), refund, deliver.

A move that calls the payment provider records its operation on the order first (a conditional write: one
operation in flight per order, so two ships capture once and a ship racing a cancel leaves one winner), calls the
provider once, and settles the order from the payment's state as the provider reports it. `settle` is also what
the webhook and the sweep use, so a request that crashed between the provider and DynamoDB is finished (or
undone) by whichever comes next: a retry, the provider's event, or the sweep.
"""

import time
from typing import Callable, Dict, Optional, Sequence

from chalicelib import clock, errors, ids
from chalicelib.orders import model
from chalicelib.orders.commands import CancelOrder, DeliverOrder, RefundOrder, Requester, ShipOrder
from chalicelib.orders.model import Claim, Operation, Order
from chalicelib.orders.offers import Offers, give_back
from chalicelib.orders.ports import CheckoutStore, Forgettable, OrderRepository
from chalicelib.payments.model import Intent
from chalicelib.payments.ports import PaymentProvider
from chalicelib.retry import MOVING, Policy, Signals, StatusMoved


class PaymentGone(errors.PaymentRequired):
    def __init__(self, order_id: str) -> None:
        super().__init__(
            f"order {order_id} could not be shipped: its payment authorization is gone (cancelled or "
            "expired), so the order is cancelled"
        )


class Fulfilment:
    def __init__(
        self,
        orders: OrderRepository,
        store: CheckoutStore,
        offers: Offers,
        payments: PaymentProvider,
        *,
        caches: Sequence[Forgettable] = (),
        policy: Policy = MOVING,
    ) -> None:
        self._orders, self._store, self._offers, self._payments = orders, store, offers, payments
        self._caches = caches
        self._policy = policy

    def ship(self, command: ShipOrder) -> Order:
        """Capture the authorized amount; SHIPPED only with the capture done (402 when the authorization is gone,
        and the order is then cancelled)."""
        return self._move(command.order_id, "ship", Requester("", is_admin=True))

    def cancel(self, command: CancelOrder) -> Order:
        """Void the authorization and give the units back: CANCELLED, payment VOIDED."""
        return self._move(command.order_id, "cancel", command.requester)

    def refund(self, command: RefundOrder) -> Order:
        """Refund what was captured, in full: REFUNDED (the units are not given back: the goods have left)."""
        return self._move(command.order_id, "refund", Requester("", is_admin=True))

    def deliver(self, command: DeliverOrder) -> Order:
        """One conditional write, so two racing moves cannot both win; the loser is told the status it found."""
        return self._policy.run(lambda _: self._deliver_once(command.order_id))

    def _deliver_once(self, order_id: str) -> Order:
        move = model.TRANSITIONS["deliver"]
        moved = (
            self._orders.transition(order_id, move.sources[0], move.target, clock.now_iso())
            if ids.looks_like_id(order_id)
            else None
        )
        return moved or self._refused(order_id, "deliver", Requester("", is_admin=True))

    # --- a move with a provider operation ----------------------------------------------------------------

    def _move(self, order_id: str, action: str, requester: Requester) -> Order:
        order = self._policy.run(lambda _: self._claim(order_id, action, requester))
        if order.operation is None:  # an earlier request's operation, settled into just this move
            return order
        if order.payment is None:  # placed before payments: nothing to tell the provider
            return self._finish(order, order.moved(action, clock.now_iso()))
        intent = self._call(order, action)
        return _outcome(self.settle_latest(order, intent), action)

    def settle_latest(self, order: Order, intent: Intent, event: Optional[str] = None) -> Order:
        """`settle`, reading the order again when it changed meanwhile (the provider's event about this very
        operation may have settled it already)."""
        return self._policy.run(
            lambda signals: self.settle(self._latest(order, signals), intent, event)
        )

    def _latest(self, order: Order, signals: Signals) -> Order:
        """The order as read, or, after a failed attempt, as it is now (and the offers fresh, where a product's
        flash-sale flag moved the stock a cancel gives back)."""
        if signals.fresh:
            self._offers.forget()
        return self._visible(order.id, Requester("", is_admin=True)) if signals.seen else order

    def _claim(self, order_id: str, action: str, requester: Requester) -> Order:
        """Record the operation on the order (only the owner's or an admin's request may)."""
        move = model.TRANSITIONS[action]
        claim = Claim(
            Operation(move.operation or action, int(time.time())),
            move.sources,
            owner=None if requester.is_admin else requester.user_id,
        )
        claimed = self._orders.claim(order_id, claim) if ids.looks_like_id(order_id) else None
        return claimed or self._refused(order_id, action, requester)

    def _refused(self, order_id: str, action: str, requester: Requester) -> Order:
        """Why a move's conditional write failed: 404 for an order the requester may not see; 409 naming the status
        for one that cannot make the move, or one another request is moving right now; an operation left by a
        request that never finished is settled first, and the move tried again."""
        order = self._visible(order_id, requester)
        order.can(action)
        if order.operation is not None and not order.operation.stale(int(time.time())):
            raise errors.Conflict(
                f"order {order_id} is being changed by another request ({order.operation.name}); "
                "read it again shortly"
            )
        settled = self.settle_stale(order)
        if settled.status == model.TRANSITIONS[action].target and settled.operation is None:
            return settled  # the request that never finished did just this: finished now, it is the answer
        raise StatusMoved(order_id)

    def _call(self, order: Order, action: str) -> Intent:
        assert order.payment is not None and order.operation is not None
        call: Dict[str, Callable[[str, str], Intent]] = {
            "capture": self._payments.capture,
            "void": self._payments.void,
            "refund": self._payments.refund,
        }
        # the provider failing (and its payment unreadable) leaves the operation recorded: whether it happened is
        # unknown, and the next request after the lease, or the sweep, settles it from the payment's state then
        return call[order.operation.name](order.payment.reference, order.operation.key(order.id))

    # --- settling: from the payment's state as the provider reports it ------------------------------------

    def settle(self, order: Order, intent: Intent, event: Optional[str] = None) -> Order:
        """Bring the order where its payment is: an authorization gone cancels a PLACED order (its units back), a
        capture ships it, a full refund refunds a shipped or delivered one; otherwise an operation that did
        nothing is forgotten. `event` (the provider's event id) is recorded with the change, so it acts once."""
        action = _action_for(order, intent)
        if action is None:
            # an event never ends another request's operation: only that request or the sweep
            if event is None:
                self._orders.release(order)
            return order
        return self._finish(order, order.moved(action, clock.now_iso()), event)

    def settle_stale(self, order: Order, now: Optional[int] = None) -> Order:
        """Finish or undo an operation whose request never finished, from the payment's state now."""
        stale = order.operation is not None and order.operation.stale(now or int(time.time()))
        if stale and order.payment is not None:
            return self.settle_latest(order, self._payments.intent(order.payment.reference))
        return order

    def _finish(self, order: Order, moved: Order, event: Optional[str] = None) -> Order:
        tx = self._store.begin()
        tx.move(order, moved)
        if moved.status == model.CANCELLED:
            give_back(tx, order, self._offers)
        if event is not None:
            tx.record_event(event, moved.status)
        tx.commit()
        for cache in self._caches:
            cache.clear()
        return moved

    def _visible(self, order_id: str, requester: Requester) -> Order:
        order = self._orders.get(order_id) if ids.looks_like_id(order_id) else None
        if order is None or not (requester.is_admin or order.user_id == requester.user_id):
            raise errors.NotFound(f"order {order_id} does not exist")
        return order


def _action_for(order: Order, intent: Intent) -> Optional[str]:
    """The move that brings the order where the provider says its payment is (None: it is there already)."""
    if order.status == model.PLACED and intent.cancelled:
        return "cancel"
    if order.status == model.PLACED and intent.captured:
        return "ship"
    if order.status in (model.SHIPPED, model.DELIVERED) and intent.refunded:
        return "refund"
    return None


def _outcome(settled: Order, action: str) -> Order:
    """The answer to the request that asked for `action`, from where the order ended."""
    if settled.status == model.TRANSITIONS[action].target:
        return settled
    if action == "ship" and settled.status == model.CANCELLED:
        raise PaymentGone(settled.id)
    settled.can(action)  # 409 when it ended elsewhere (a capture had happened before this cancel)
    raise errors.Unavailable(
        f"the payment provider did not {action} order {settled.id}; retry shortly"
    )
