"""Stock held for an order while its payment is authorized: the PENDING order is placed once the payment is
authorized, or discarded (its units given back, its cart restored) when the payment is refused; one whose request
never finished is abandoned by its reservation's check (orders/checks.py), the sweep (once taken over) or a retry
with its key, which first takes it over, so that the request, should it still be running, cannot place it any
more."""

import time
from typing import Dict, Literal, Optional

from chalicelib import errors, observability
from chalicelib.orders import model
from chalicelib.orders.model import Claim, Operation, Order, Pending
from chalicelib.orders.offers import Offers, give_back
from chalicelib.orders.ports import CheckoutStore, OrderRepository
from chalicelib.payments.model import AUTHORIZED, Authorization, Intent, Payment
from chalicelib.payments.ports import PaymentProvider
from chalicelib.retry import CartChanged, PLACING, Policy, Signals, StatusMoved


class PaymentLost(errors.Unavailable):
    """Its check took the order over before its payment was recorded (its request ran past the lease): nothing
    was ordered, and the authorization is cancelled."""

    def __init__(self) -> None:
        super().__init__("the order could not be completed in time; nothing was charged, retry")


class OrderNotRecorded(errors.Unavailable):
    """The order could not be written once its payment was authorized: the authorization is cancelled."""

    def __init__(self) -> None:
        super().__init__(
            "the order could not be recorded; its payment authorization is cancelled and nothing was "
            "charged, retry shortly"
        )


class LeaseNotOver(Exception):
    """The reservation's request may still be running (its lease is not over): look again later."""


Settled = Literal["abandoned", "moved"]


class Reservations:
    def __init__(
        self,
        orders: OrderRepository,
        store: CheckoutStore,
        offers: Offers,
        payments: PaymentProvider,
        currency: str,
        policy: Policy = PLACING,
    ) -> None:
        self._orders, self._store, self._offers, self._payments = orders, store, offers, payments
        self._currency = currency
        self._policy = policy

    def authorization(self, pending: Pending) -> Authorization:
        order = pending.order
        return Authorization(
            order.id,
            order.user_id,
            order.total_cents,
            self._currency,
            pending.payment_method,
            pending.attempt,
        )

    def place(self, pending: Pending, intent: Intent) -> Order:
        """The PENDING order PLACED with its authorized payment, unless its check took it over meanwhile (then the
        authorization is cancelled and the caller told to retry)."""
        order = pending.order
        payment = Payment(AUTHORIZED, order.total_cents, self._currency, intent.reference)
        # placed as of its creation: the answer, its replays and the order as stored all say the same time
        placed = Order(
            order.id,
            order.user_id,
            model.PLACED,
            order.lines,
            order.created_at,
            order.created_at,
            payment,
        )
        tx = self._store.begin()
        tx.move(order, placed)
        try:
            tx.commit()
        except StatusMoved as swept:
            self._payments.void(intent.reference, _void_key(pending))
            raise PaymentLost() from swept
        except Exception as exc:
            return self._placed_after_all(pending, intent, exc)
        return placed

    def _placed_after_all(self, pending: Pending, intent: Intent, exc: Exception) -> Order:
        """The placing write failed (DynamoDB): the order if it was written after all (its answer lost); else
        the authorization is cancelled before the 503 and the reservation released (or left to its check)."""
        order = pending.order
        try:
            taken = self._take_over(order)
            found = None if taken else self._orders.get(order.id)
        except Exception:
            # DynamoDB still failing: most likely never written, and nothing may stay held
            taken = found = None
        if found is not None and found.payment and found.payment.reference == intent.reference:
            return found
        try:
            self._payments.void(intent.reference, _void_key(pending))
        except errors.Unavailable:
            pass  # its check (or the sweep, once taken over) finds it and cancels it within minutes
        if taken is not None:
            self.release_quietly(Pending(taken, pending.payment_method, pending.attempt))
        observability.logger().warning(
            "order not placed", extra={"order_id": order.id, "error": type(exc).__name__}
        )
        raise OrderNotRecorded() from exc

    def _take_over(self, order: Order) -> Optional[Order]:
        """The PENDING order taken over (its request can no longer place it); None when it moved."""
        claim = Claim(
            Operation(model.SWEEP, int(time.time())), (model.PENDING,), replacing=order.operation
        )
        return self._orders.claim(order.id, claim)

    def release(
        self, pending: Pending, cart: Optional[Dict[str, int]] = None, emptied: int = 0
    ) -> None:
        """Give the held units back and forget the PENDING order; put its lines back into the cart it emptied,
        unless the shopper changed the cart since (then the cart stays as they made it, and the units come back
        all the same). Contention is tried again; an order taken over meanwhile is its taker's to release."""
        self._policy.run(lambda signals: self._release_once(pending, cart, emptied, signals))

    def _release_once(
        self, pending: Pending, cart: Optional[Dict[str, int]], emptied: int, signals: Signals
    ) -> None:
        if signals.fresh:
            self._offers.forget()  # a product's flash-sale flag moved: give back where it keeps stock now
        tx = self._store.begin()
        tx.discard(pending.order)
        give_back(tx, pending.order, self._offers)
        if cart and not signals.count(CartChanged):
            tx.restore_cart(pending.order.user_id, cart, emptied)
        try:
            tx.commit()
        except StatusMoved:
            pass  # no longer this request's PENDING order: whoever took it over releases it

    def release_quietly(
        self, pending: Pending, cart: Optional[Dict[str, int]] = None, emptied: int = 0
    ) -> None:
        """`release`, never failing its caller (whose answer is already decided): what cannot be released now,
        its check releases within minutes."""
        try:
            self.release(pending, cart, emptied)
        except Exception as exc:
            observability.count(observability.RELEASE_DEFERRED)
            observability.logger().warning(
                "reservation left to its check",
                extra={"order_id": pending.order.id, "error": type(exc).__name__},
            )

    def settle(self, order_id: str, reserved_as: Operation, now: int) -> Settled:
        """A PENDING order whose request may never have finished, under this operation: "abandoned" once that
        operation's lease is over; "moved" when it is not PENDING under it any more (placed, discarded, reserved
        again, taken over, gone); LeaseNotOver while its request may still be running."""
        pending = self._orders.pending(order_id)
        if pending is None or pending.order.operation != reserved_as:
            return "moved"
        if not reserved_as.stale(now):
            raise LeaseNotOver(order_id)
        return "abandoned" if self.abandon(pending) else "moved"

    def abandon(self, pending: Pending) -> bool:
        """Take over a PENDING order whose request never finished: cancel any authorization its request made,
        then release it. False when it moved meanwhile (its request placed or released it after all)."""
        taken = self._take_over(pending.order)
        if taken is None:
            return False
        intent = self._payments.recover(self.authorization(pending))
        if intent is not None and not intent.cancelled:
            self._payments.void(intent.reference, _void_key(pending))
        self.release(Pending(taken, pending.payment_method, pending.attempt))
        return True


def _void_key(pending: Pending) -> str:
    """One key for every cancel of one attempt's authorization (the request's, the check's, the sweep's): Stripe acts once."""
    return f"{pending.order.id}:void:{pending.attempt}"
