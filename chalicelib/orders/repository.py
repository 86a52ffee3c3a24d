"""Orders in the orders table: reads, the shopper's and the admins' lists, and the lifecycle moves."""

import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, List, Mapping, Optional, Tuple, TypeVar

from chalicelib import storage
from chalicelib.orders.events import Change
from chalicelib.orders.model import PENDING, Claim, Order, Pending
from chalicelib.orders.records import (
    FLIGHT_SHARDS,
    ORDER_SHARDS,
    OrderRecord,
    in_flight,
    order_of,
    pending_of,
    flight_shard,
    status_shard,
)

Position = Optional[dict]

T = TypeVar("T")


class DynamoOrders:
    def __init__(self, shared) -> None:
        self._shared = shared  # the connection its models are bound through

    def get(self, order_id: str) -> Optional[Order]:
        """The order, unless there is none or it is still PENDING (an order nobody placed yet)."""
        try:
            record = OrderRecord.get(order_id, consistent_read=True)
        except OrderRecord.DoesNotExist:
            return None
        return order_of(record) if record.status != PENDING else None

    def page_for_user(
        self, user_id: str, limit: int, after: Position
    ) -> Tuple[List[Order], Position]:
        """One Query of the shopper's index (keys only), newest first, reading limit + 1 to know whether more
        follow; then one BatchGetItem for the page's orders."""
        start = (
            {"user_id": {"S": user_id}, "seq": {"S": after["seq"]}, "id": {"S": after["id"]}}
            if after
            else None
        )
        keys = list(
            OrderRecord.by_user.query(
                user_id, scan_index_forward=False, limit=limit + 1, last_evaluated_key=start
            )
        )
        last = keys[limit - 1] if len(keys) > limit else None
        return _whole([r.id for r in keys[:limit]]), (
            {"seq": last.seq, "id": last.id} if last else None
        )

    def page_all(
        self, status: Optional[str], limit: int, after: Position
    ) -> Tuple[List[Order], Position]:
        """Every shard of the admins' index queried at once (keys only, `limit + 1` each), merged newest first;
        then one BatchGetItem for the page's orders. The next page is what is older than this page's last order,
        in every shard: an order placed meanwhile (newer than all of them) never lands on a later page."""
        index, attribute = (
            (OrderRecord.all_orders, "all_shard")
            if status is None
            else (OrderRecord.by_status, "status_shard")
        )
        below = (after or {}).get("seq")

        def query(n: int):
            key = str(n) if status is None else f"{status}#{n}"
            older = OrderRecord.seq < below if below else None
            return list(
                index.query(
                    key, range_key_condition=older, scan_index_forward=False, limit=limit + 1
                )
            )

        with ThreadPoolExecutor(max_workers=16) as pool:
            found = pool.map(_in_this_context(query, ORDER_SHARDS), range(ORDER_SHARDS))
            merged = sorted(
                (r for records in found for r in records), key=lambda r: r.seq, reverse=True
            )
        page = merged[:limit]
        orders = _whole([r.id for r in page])
        if status is not None:
            orders = [o for o in orders if o.status == status]  # moved on since the index was read
        return orders, ({"seq": page[-1].seq} if len(merged) > limit else None)

    def transition(self, order_id: str, before: str, after: str, at: str) -> Optional[Order]:
        """Move an order from one status to the next; None when it was not in `before` (or does not exist, or a
        payment operation is in flight on it)."""
        record = OrderRecord(order_id)
        moved = storage.unless_condition_fails(
            lambda: record.update(
                actions=[
                    OrderRecord.status.set(after),
                    OrderRecord.status_shard.set(status_shard(after, order_id)),
                    OrderRecord.updated_at.set(at),
                ],
                condition=(OrderRecord.status == before) & OrderRecord.payment_op.does_not_exist(),
            )
        )
        return order_of(record) if moved else None

    def claim(self, order_id: str, claim: Claim) -> Optional[Order]:
        """Record a payment operation on the order before the provider is called, if the order is as the claim
        requires. The order as it is now, or None when the condition failed."""
        condition = OrderRecord.status.is_in(*claim.sources) & in_flight(claim.replacing)
        if claim.owner is not None:
            condition &= OrderRecord.user_id == claim.owner
        record = OrderRecord(order_id)
        claimed = storage.unless_condition_fails(
            lambda: record.update(
                actions=[
                    OrderRecord.payment_op.set(claim.operation.name),
                    OrderRecord.op_since.set(claim.operation.since),
                    OrderRecord.flight_shard.set(flight_shard(order_id)),
                ],
                condition=condition,
            )
        )
        return order_of(record) if claimed else None

    def pending(self, order_id: str) -> Optional[Pending]:
        """A PENDING order with how its payment is being authorized (None for any other)."""
        try:
            record = OrderRecord.get(order_id, consistent_read=True)
        except OrderRecord.DoesNotExist:
            return None
        return pending_of(record) if record.status == PENDING else None

    def release(self, order: Order) -> bool:
        """Forget an operation that did nothing at the provider (the order stays as it was)."""
        if order.operation is None:
            return True
        condition = in_flight(order.operation)
        return storage.unless_condition_fails(
            lambda: OrderRecord(order.id).update(
                actions=[
                    OrderRecord.payment_op.remove(),
                    OrderRecord.op_since.remove(),
                    OrderRecord.flight_shard.remove(),
                ],
                condition=condition,
            )
        )

    def in_flight_since(self, before: int) -> List[Order]:
        """Orders whose payment operation was recorded before `before` (epoch seconds) and is not done: every
        shard of the sparse index at once, then one read of the orders."""

        def query(n: int) -> list:
            return list(
                OrderRecord.in_flight.query(
                    str(n), range_key_condition=OrderRecord.op_since < before
                )
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            found = [
                r
                for records in pool.map(
                    _in_this_context(query, FLIGHT_SHARDS), range(FLIGHT_SHARDS)
                )
                for r in records
            ]
        ids = list(dict.fromkeys(r.id for r in found))
        return (
            [order_of(r) for r in OrderRecord.batch_get(ids, consistent_read=True)] if ids else []
        )


def _in_this_context(work: Callable[[int], T], shards: int) -> Callable[[int], T]:
    """`work` for a pool's threads, each call in a copy of the calling thread's context (the operation being
    served, which its calls are charged to), taken here: a copy taken in the worker would be the worker's own."""
    contexts = [contextvars.copy_context() for _ in range(shards)]
    return lambda n: contexts[n].run(work, n)


def changes_in(stream_event: Mapping[str, Any]) -> List[Change]:
    """The orders table's stream records as the orders before and after each write (images in DynamoDB's
    attribute shapes; an image that is no order, or none, is None)."""
    images = (record.get("dynamodb", {}) for record in stream_event.get("Records", []))
    return [
        (_order_of_image(i.get("OldImage")), _order_of_image(i.get("NewImage"))) for i in images
    ]


def _order_of_image(raw: Optional[dict]) -> Optional[Order]:
    return order_of(OrderRecord.from_raw_data(raw)) if raw and "status" in raw else None


def _whole(order_ids: List[str]) -> List[Order]:
    """The orders of a page in its order, read in one strongly consistent BatchGetItem (an order gone since the
    index was read is left out)."""
    if not order_ids:
        return []
    found = {r.id: r for r in OrderRecord.batch_get(order_ids, consistent_read=True)}
    return [order_of(found[i]) for i in order_ids if i in found]
