"""The order transaction on DynamoDB: the checkout's one read, and the unit of work that writes an order's stock
takes, the order, the cart (and for a cancel, the status and the units given back) in one TransactWriteItems.

Each item of the transaction is named when it is added, so a cancellation is read back by name: which take
was short, whether the key was taken, whether the cart or the status moved. The names stay in this module."""

import time
from typing import Dict, List, Optional, Sequence

from chalicelib import ids, storage
from chalicelib.orders.commands import IdempotencyKey
from chalicelib.orders.model import PENDING, AlreadyHandled, CheckoutView, Existing, Order, Pending
from chalicelib.orders.records import (
    CartRecord,
    EventRecord,
    OrderRecord,
    event_id,
    in_flight,
    order_of,
    payment_map,
    pending_record,
    quantities_of,
    shard,
    status_shard,
)
from chalicelib.orders.ports import OfferKeys, StockWrites
from chalicelib.products.takes import Take
from chalicelib.retry import BucketShort, CartChanged, Contention, StatusMoved, StockMoved

ORDER, CART, STATUS, EVENT = "order", "cart", "status", "event"
EVENT_KEEP_SECONDS = 30 * 24 * 3600  # Stripe retries an event for 3 days


class DynamoCheckout:
    def __init__(self, shared, stock: StockWrites, offers: OfferKeys) -> None:
        self._shared = shared
        self._stock = stock
        self._offers = offers

    def read(
        self, user_id: str, order_id: Optional[str], with_cart: bool, product_ids: Sequence[str]
    ) -> CheckoutView:
        """One BatchGetItem across the tables (strongly consistent): the order the idempotency key names,
        the cart, and the offers not in the warm cache. Nothing to read, no call."""
        wanted = (
            ([(OrderRecord, order_id)] if order_id else [])
            + ([(CartRecord, user_id)] if with_cart else [])
            + self._offers.offer_keys(product_ids)
        )
        found = storage.read_together(self._shared, wanted)
        existing = found.pop(0) if order_id else None
        cart = found.pop(0) if with_cart else None
        return CheckoutView(
            existing=Existing(order_of(existing), existing.body_hash) if existing else None,
            cart=quantities_of(cart),
            cart_version=cart.version if cart else 0,
            offers=self._offers.offers_in(found),
        )

    def begin(self) -> "DynamoOrderTransaction":
        return DynamoOrderTransaction(self._shared, self._stock)


class DynamoOrderTransaction:
    """All or nothing. `commit()` returns None when written, the order already placed when the idempotency key
    was taken; a final refusal (sold out) raises its error, anything worth another attempt a retry signal."""

    def __init__(self, shared, stock: StockWrites) -> None:
        self._tx = storage.Transaction(shared)
        self._stock = stock
        self._takes: List[Take] = []
        self._returns: List[str] = []
        self._moved: Optional[str] = None

    def __len__(self) -> int:
        return len(self._tx)

    def take(self, take: Take) -> None:
        self._stock.take(self._tx, f"take {len(self._takes)}", take)
        self._takes.append(take)

    def reserve(self, pending: Pending, key: Optional[IdempotencyKey]) -> None:
        """Write the order PENDING while its payment is authorized (on no list; in the index of operations in
        flight), named by its idempotency key if any: two requests with one key cannot both write it."""
        self._tx.save(
            ORDER,
            pending_record(pending, key.body_hash if key else None),
            condition=OrderRecord.id.does_not_exist(),
            return_old=True,
        )

    def discard(self, pending: Order) -> None:
        """Delete a PENDING order whose payment was refused or swept, if it is still as read."""
        self._tx.delete(
            STATUS,
            OrderRecord(pending.id),
            condition=(OrderRecord.status == PENDING) & in_flight(pending.operation),
        )
        self._moved = pending.id

    def restore_cart(self, user_id: str, lines: Dict[str, int], emptied: int) -> None:
        """Put back the lines a reservation took out of the cart, unless the shopper changed it since."""
        self._tx.update(
            CART,
            CartRecord(user_id),
            actions=[CartRecord.lines.set(lines), CartRecord.version.add(1)],
            condition=CartRecord.version == emptied,
        )

    def empty_cart(self, user_id: str, version: int) -> None:
        """Empty the cart the order came from, if it has not changed since it was read."""
        self._tx.update(
            CART,
            CartRecord(user_id),
            actions=[CartRecord.lines.set({}), CartRecord.version.add(1)],
            condition=CartRecord.version == version,
        )

    def move(self, before: Order, after: Order) -> None:
        """Move the order to its new status and payment, if it is still as read: the same status and the same
        payment operation in flight (or none); the operation ends with the move."""
        actions = [
            OrderRecord.status.set(after.status),
            OrderRecord.updated_at.set(after.updated_at),
            OrderRecord.status_shard.set(status_shard(after.status, before.id)),
        ]
        if before.status == PENDING:  # placed: onto the lists from now on
            actions += [
                OrderRecord.seq.set(ids.new_id()),
                OrderRecord.all_shard.set(shard(before.id)),
            ]
        if after.payment is not None:
            actions.append(OrderRecord.payment.set(payment_map(after.payment)))
        if before.operation is not None:
            actions += [
                OrderRecord.payment_op.remove(),
                OrderRecord.op_since.remove(),
                OrderRecord.flight_shard.remove(),
            ]
        self._tx.update(
            STATUS,
            OrderRecord(before.id),
            actions=actions,
            condition=(OrderRecord.status == before.status) & in_flight(before.operation),
        )
        self._moved = before.id

    def record_event(self, event: str, kind: str) -> None:
        """The provider's event acts once: its id is written with the change it causes."""
        self._tx.save(
            EVENT,
            EventRecord(
                event_id(event), type=kind, expires_at=int(time.time()) + EVENT_KEEP_SECONDS
            ),
            condition=EventRecord.id.does_not_exist(),
        )

    def give_back(self, product_id: str, quantity: int, flash_sale: bool) -> None:
        self._stock.give_back(
            self._tx, f"return {len(self._returns)}", product_id, quantity, flash_sale
        )
        self._returns.append(product_id)

    def commit(self) -> Optional[Existing]:
        failures = self._tx.commit()
        if not failures:
            return None
        taken = failures.get(ORDER)
        if taken and taken.condition_failed:
            record = taken.record(OrderRecord)
            return Existing(order_of(record), record.body_hash)
        raise self._refusal(failures)

    def _refusal(self, failures) -> Exception:
        """An event already acted on, a payment swept, then a definite refusal of a take; else every short bucket
        at once (so one read serves them all); then the cart, the status, the returns; else others were writing
        the same items."""
        if _condition_failed(failures, EVENT):
            return AlreadyHandled()
        refusals = [
            self._stock.refusal(take, failures[f"take {n}"])
            for n, take in enumerate(self._takes)
            if _condition_failed(failures, f"take {n}")
        ]
        final = [r for r in refusals if not isinstance(r, BucketShort)]
        if final:
            return final[0]
        if refusals:
            return BucketShort(
                *sorted({p for r in refusals if isinstance(r, BucketShort) for p in r.product_ids})
            )
        if _condition_failed(failures, CART):
            return CartChanged()
        if _condition_failed(failures, STATUS) and self._moved:
            return StatusMoved(self._moved)
        moved = [
            p for n, p in enumerate(self._returns) if _condition_failed(failures, f"return {n}")
        ]
        return StockMoved(moved[0]) if moved else Contention()


def _condition_failed(failures, name: str) -> bool:
    failure = failures.get(name)
    return bool(failure and failure.condition_failed)
