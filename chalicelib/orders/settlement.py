"""Payments the shop did not finish itself: the provider's events (the webhook) and the sweep.

The webhook acts on the payment as the provider reports it when asked, never on the event's body: the event only
says which payment to look at. The sweep settles every operation whose request never finished (found in the
orders' sparse index of operations in flight): a capture, void or refund is finished or forgotten from the
payment's state; a PENDING order there (one taken over whose abandoning did not finish) has its authorization
cancelled and its units given back, as its reservation's check does (orders/checks.py) for one never taken over."""

import time
from collections import Counter
from dataclasses import dataclass
from typing import Literal, Optional

from chalicelib import ids, observability
from chalicelib.orders import model
from chalicelib.orders.model import AlreadyHandled, Order
from chalicelib.orders.fulfilment import Fulfilment
from chalicelib.orders.ports import OrderRepository
from chalicelib.orders.reservations import Reservations
from chalicelib.payments.model import OPERATION_LEASE_SECONDS, PAYMENT_INTENT
from chalicelib.payments.ports import PaymentProvider

# the provider's events the shop acts on (others, and events about payments it does not know, are ignored)
ACTED_ON = ("payment_intent.canceled", "charge.refunded")
Outcome = Literal["settled", "unchanged", "duplicate", "ignored"]


class PaymentEvents:
    def __init__(
        self, payments: PaymentProvider, orders: OrderRepository, fulfilment: Fulfilment
    ) -> None:
        self._payments, self._orders, self._fulfilment = payments, orders, fulfilment

    def receive(self, payload: bytes, signature: str) -> Outcome:
        """Verify the event (a 400 otherwise) and bring its order where its payment is now: "settled",
        "unchanged" (already there, or a partial refund), "duplicate" (acted on before) or "ignored"."""
        event = self._payments.event(payload, signature)
        if (
            event.type not in ACTED_ON
            or event.reference is None
            or not PAYMENT_INTENT.fullmatch(event.reference)
        ):
            return "ignored"
        intent = self._payments.intent(event.reference)
        order = (
            self._orders.get(intent.order_id)
            if intent.order_id and ids.looks_like_id(intent.order_id)
            else None
        )
        if order is None or order.payment is None or order.payment.reference != intent.reference:
            return "ignored"
        try:
            settled = self._fulfilment.settle_latest(order, intent, event.id)
        except AlreadyHandled:
            return "duplicate"
        return "settled" if settled.status != order.status else "unchanged"


@dataclass(frozen=True)
class Swept:
    abandoned: int  # PENDING orders whose authorization was cancelled and units given back
    settled: int  # capture, void or refund operations finished or forgotten
    failed: int = 0  # orders that could not be settled this run (the next run tries again)


class Sweeper:
    def __init__(
        self, orders: OrderRepository, reservations: Reservations, fulfilment: Fulfilment
    ) -> None:
        self._orders, self._reservations, self._fulfilment = orders, reservations, fulfilment

    def sweep(self, now: Optional[int] = None) -> Swept:
        """Settle every payment operation recorded more than a lease ago and never finished."""
        now = now or int(time.time())
        done: Counter = Counter()
        for order in self._orders.in_flight_since(now - OPERATION_LEASE_SECONDS):
            try:
                done[self._settle(order, now)] += 1
            except Exception as exc:  # one order failing never keeps the sweep from the others
                done["failed"] += 1
                observability.count(observability.SWEEP_FAILED)
                observability.logger().warning(
                    "order not swept",
                    extra={"order_id": order.id, "error": type(exc).__name__},
                    exc_info=True,
                )
        return Swept(done["abandoned"], done["settled"], done["failed"])

    def _settle(self, order: Order, now: int) -> str:
        if order.status != model.PENDING:
            self._fulfilment.settle_stale(order, now)
            return "settled"
        if order.operation is None:
            return "moved"
        return self._reservations.settle(order.id, order.operation, now)
