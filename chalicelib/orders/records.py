"""The orders and carts tables' items as PynamoDB models (private to the orders package).

An order carries `seq` (time-ordered: every list is newest first by it), `user_id` (the shopper's index) and
two shard keys for the admins' indexes, `all_shard = <n>` and `status_shard = <STATUS>#<n>` with
n = hash(id) mod ORDER_SHARDS, so no constant key takes every order's index write.
"""

import hashlib
from typing import Any, Optional

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.orders.model import PENDING, Line, Operation, Order, Pending
from chalicelib.payments.model import Payment

# an index partition takes 1,000 WCU/s; a PLACED shard takes about 1.7 index writes per order (in, then out
# when shipped or cancelled): 32 shards carry about 18,000 orders/s; an admin page queries every shard
ORDER_SHARDS = 32
# the in_flight index takes about 1.4 index writes per order over its life (measured: in and out for the capture
# at shipping, more for a cancel or refund; a reservation is not in it, unless a take-over put it there: its
# delayed check finds it, orders/checks.py). With reservations in it (3.4 writes), 32 shards carried about 7,000
# orders/s and 128 about 28,000; only the sweep queries them all, every few minutes
FLIGHT_SHARDS = 128


class LineMap(MapAttribute):
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    unit_price_cents = NumberAttribute()
    quantity = NumberAttribute()


class PaymentMap(MapAttribute):
    status = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute()
    reference = UnicodeAttribute()


class UserIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_user_keys"
        # the page reads the orders themselves: a change of an order writes no entry here
        projection = KeysOnlyProjection()

    user_id = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute(range_key=True)


class RetiredUserIndex(GlobalSecondaryIndex):
    """`by_user` as released (every attribute projected), read by nothing: kept in the template for one release
    (CloudFormation cannot change an index in place); the next release deletes it (docs/deploying.md)."""

    class Meta:
        index_name = "by_user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute(range_key=True)


class AllOrdersIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "all_orders"
        projection = KeysOnlyProjection()

    all_shard = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute(range_key=True)


class StatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_status"
        projection = KeysOnlyProjection()

    status_shard = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute(range_key=True)


class InFlightIndex(GlobalSecondaryIndex):
    """Orders with a payment operation in flight (sparse: only they carry `flight_shard`), oldest first per shard:
    the sweep settles those whose request never finished. A reservation (a PENDING order being authorized) is
    not in it: its delayed check finds it (orders/checks.py); a PENDING order taken over is."""

    class Meta:
        index_name = "in_flight"
        projection = KeysOnlyProjection()

    flight_shard = UnicodeAttribute(hash_key=True)
    op_since = NumberAttribute(range_key=True)


class OrderRecord(Model):
    class Meta:
        table_name = "orders"

    table_setting = "orders_table"  # the setting that names its table

    id = UnicodeAttribute(hash_key=True)
    # the index keys: absent while the order is PENDING, so it is on no list until it is placed
    seq = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()
    all_shard = UnicodeAttribute(null=True)
    status_shard = UnicodeAttribute(null=True)
    lines = ListAttribute(of=LineMap)
    total_cents = NumberAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # the hash of the request body that placed it, where it was placed with an idempotency key
    body_hash = UnicodeAttribute(null=True)
    payment = PaymentMap(null=True)
    # while PENDING: how its payment is being authorized (what abandoning it needs to find the authorization)
    payment_method = UnicodeAttribute(null=True)
    attempt = UnicodeAttribute(null=True)
    # a payment operation in flight (authorize, capture, void, refund, sweep), since when (epoch seconds), and
    # its index shard (none for a reservation's authorize: its delayed check finds it instead)
    payment_op = UnicodeAttribute(null=True)
    op_since = NumberAttribute(null=True)
    flight_shard = UnicodeAttribute(null=True)

    by_user = UserIndex()
    by_user_retired = RetiredUserIndex()  # read by nothing; deleted by the next release
    all_orders = AllOrdersIndex()
    by_status = StatusIndex()
    in_flight = InFlightIndex()


class CartRecord(Model):
    class Meta:
        table_name = "carts"

    table_setting = "carts_table"  # the setting that names its table

    user_id = UnicodeAttribute(hash_key=True)
    # product id -> quantity (a path in updates)
    lines: "MapAttribute[str, Any]" = MapAttribute(default=dict)
    version = NumberAttribute(default=0)


class EventRecord(Model):
    """A payment provider's event acted on, written in the same transaction as the change it caused (the
    payments table, items expire with its TTL)."""

    class Meta:
        table_name = "payments"

    table_setting = "payments_table"  # the setting that names its table

    id = UnicodeAttribute(hash_key=True)  # event#<the provider's event id>
    type = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # epoch seconds: the table's TTL attribute


MODELS = (OrderRecord, CartRecord, EventRecord)


def event_id(event: str) -> str:
    return f"event#{event}"


def in_flight(operation: Optional[Operation]):
    """The condition that exactly this payment operation is in flight on the order (None: none at all)."""
    if operation is None:
        return OrderRecord.payment_op.does_not_exist()
    return (OrderRecord.payment_op == operation.name) & (OrderRecord.op_since == operation.since)


def shard(order_id: str) -> str:
    return str(_hash(order_id) % ORDER_SHARDS)


def _hash(order_id: str) -> int:
    return int.from_bytes(hashlib.sha256(order_id.encode()).digest()[:4], "big")


def flight_shard(order_id: str) -> str:
    """The order's shard of the in_flight index (0..127; an order recorded under 32 shards is in 0..31: found)."""
    return str(_hash(order_id) % FLIGHT_SHARDS)


def status_shard(status: str, order_id: str) -> str:
    return f"{status}#{shard(order_id)}"


def record_of(order: Order, seq: str, body_hash: Optional[str] = None) -> OrderRecord:
    record = OrderRecord(
        order.id,
        user_id=order.user_id,
        status=order.status,
        lines=[
            LineMap(
                product_id=l.product_id,
                name=l.name,
                unit_price_cents=l.unit_price_cents,
                quantity=l.quantity,
            )
            for l in order.lines
        ],
        total_cents=order.total_cents,
        created_at=order.created_at,
        updated_at=order.updated_at,
        body_hash=body_hash,
        payment=payment_map(order.payment) if order.payment else None,
    )
    if order.status != PENDING:
        record.seq, record.all_shard, record.status_shard = (
            seq,
            shard(order.id),
            status_shard(order.status, order.id),
        )
    if order.operation is not None:
        record.payment_op, record.op_since = order.operation.name, order.operation.since
    return record


def pending_record(pending: Pending, body_hash: Optional[str]) -> OrderRecord:
    """A reservation: its operation (the lease) recorded, but not in the in_flight index (two index writes per
    order saved): the check the outbox sends for it finds it if its request never finishes."""
    record = record_of(pending.order, "", body_hash)
    record.payment_method, record.attempt = pending.payment_method, pending.attempt
    return record


def pending_of(record: OrderRecord) -> Pending:
    return Pending(order_of(record), record.payment_method or "", record.attempt or "")


def payment_map(payment: Payment) -> PaymentMap:
    return PaymentMap(
        status=payment.status,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        reference=payment.reference,
    )


def order_of(record: OrderRecord) -> Order:
    paid = record.payment
    return Order(
        id=record.id,
        user_id=record.user_id,
        status=record.status,
        lines=tuple(
            Line(l.product_id, l.name, int(l.unit_price_cents), int(l.quantity))
            for l in record.lines
        ),
        created_at=record.created_at,
        updated_at=record.updated_at,
        payment=Payment(paid.status, int(paid.amount_cents), paid.currency, paid.reference)
        if paid
        else None,
        operation=Operation(record.payment_op, int(record.op_since or 0))
        if record.payment_op
        else None,
    )


def quantities_of(cart: Optional[CartRecord]) -> dict:
    return dict(cart.lines.as_dict()) if cart is not None and cart.lines else {}
