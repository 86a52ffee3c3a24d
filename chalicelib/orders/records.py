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

from chalicelib.orders.model import Line, Order

# an index partition takes 1,000 WCU/s; a PLACED shard takes about 1.7 index writes per order (in, then out
# when shipped or cancelled): 32 shards carry about 18,000 orders/s; an admin page queries every shard
ORDER_SHARDS = 32


class LineMap(MapAttribute):
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    unit_price_cents = NumberAttribute()
    quantity = NumberAttribute()


class UserIndex(GlobalSecondaryIndex):
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


class OrderRecord(Model):
    class Meta:
        table_name = "orders"

    table_setting = "orders_table"  # the setting that names its table

    id = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()
    all_shard = UnicodeAttribute()
    status_shard = UnicodeAttribute()
    lines = ListAttribute(of=LineMap)
    total_cents = NumberAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # the hash of the request body that placed it, where it was placed with an idempotency key
    body_hash = UnicodeAttribute(null=True)

    by_user = UserIndex()
    all_orders = AllOrdersIndex()
    by_status = StatusIndex()


class CartRecord(Model):
    class Meta:
        table_name = "carts"

    table_setting = "carts_table"  # the setting that names its table

    user_id = UnicodeAttribute(hash_key=True)
    lines: "MapAttribute[str, Any]" = MapAttribute(default=dict)  # product id -> quantity (a path in updates)
    version = NumberAttribute(default=0)


MODELS = (OrderRecord, CartRecord)


def shard(order_id: str) -> str:
    return str(int.from_bytes(hashlib.sha256(order_id.encode()).digest()[:4], "big") % ORDER_SHARDS)


def status_shard(status: str, order_id: str) -> str:
    return f"{status}#{shard(order_id)}"


def record_of(order: Order, seq: str, body_hash: Optional[str] = None) -> OrderRecord:
    return OrderRecord(order.id, seq=seq, user_id=order.user_id, status=order.status, all_shard=shard(order.id),
                       status_shard=status_shard(order.status, order.id),
                       lines=[LineMap(product_id=l.product_id, name=l.name, unit_price_cents=l.unit_price_cents,
                                      quantity=l.quantity) for l in order.lines],
                       total_cents=order.total_cents, created_at=order.created_at, updated_at=order.updated_at,
                       body_hash=body_hash)


def order_of(record: OrderRecord) -> Order:
    return Order(id=record.id, user_id=record.user_id, status=record.status,
                 lines=tuple(Line(l.product_id, l.name, int(l.unit_price_cents), int(l.quantity)) for l in record.lines),
                 created_at=record.created_at, updated_at=record.updated_at)


def quantities_of(cart: Optional[CartRecord]) -> dict:
    return dict(cart.lines.as_dict()) if cart is not None and cart.lines else {}
