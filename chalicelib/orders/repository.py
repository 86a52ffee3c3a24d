"""Orders in the orders table: reads, the shopper's and the admins' lists, and the lifecycle moves."""
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional, Tuple

from chalicelib import storage
from chalicelib.orders.model import Order
from chalicelib.orders.records import ORDER_SHARDS, OrderRecord, order_of, status_shard

Position = Optional[dict]


class DynamoOrders:
    def __init__(self, shared) -> None:
        self._shared = shared  # the connection its models are bound through

    def get(self, order_id: str) -> Optional[Order]:
        try:
            return order_of(OrderRecord.get(order_id, consistent_read=True))
        except OrderRecord.DoesNotExist:
            return None

    def page_for_user(self, user_id: str, limit: int, after: Position) -> Tuple[List[Order], Position]:
        """One Query of the shopper's index, newest first, reading limit + 1 to know whether more follow."""
        start = {"user_id": {"S": user_id}, "seq": {"S": after["seq"]}, "id": {"S": after["id"]}} if after else None
        records = list(OrderRecord.by_user.query(user_id, scan_index_forward=False, limit=limit + 1,
                                                 last_evaluated_key=start))
        last = records[limit - 1] if len(records) > limit else None
        return [order_of(r) for r in records[:limit]], ({"seq": last.seq, "id": last.id} if last else None)

    def page_all(self, status: Optional[str], limit: int, after: Position) -> Tuple[List[Order], Position]:
        """Every shard of the admins' index queried at once (keys only, `limit + 1` each), merged newest first;
        then one BatchGetItem for the page's orders. The next page is what is older than this page's last order,
        in every shard: an order placed meanwhile (newer than all of them) never lands on a later page."""
        index, attribute = (OrderRecord.all_orders, "all_shard") if status is None else (OrderRecord.by_status, "status_shard")
        below = (after or {}).get("seq")

        def query(n: int):
            key = str(n) if status is None else f"{status}#{n}"
            older = OrderRecord.seq < below if below else None
            return list(index.query(key, range_key_condition=older, scan_index_forward=False, limit=limit + 1))

        with ThreadPoolExecutor(max_workers=16) as pool:
            found = pool.map(lambda n: contextvars.copy_context().run(query, n), range(ORDER_SHARDS))
            merged = sorted((r for records in found for r in records), key=lambda r: r.seq, reverse=True)
        page = merged[:limit]
        full = {r.id: r for r in OrderRecord.batch_get([r.id for r in page], consistent_read=True)} if page else {}
        orders = [order_of(full[r.id]) for r in page if r.id in full]
        if status is not None:
            orders = [o for o in orders if o.status == status]  # moved on since the index was read
        return orders, ({"seq": page[-1].seq} if len(merged) > limit else None)

    def transition(self, order_id: str, before: str, after: str, at: str) -> Optional[Order]:
        """Move an order from one status to the next; None when it was not in `before` (or does not exist)."""
        record = OrderRecord(order_id)
        moved = storage.unless_condition_fails(lambda: record.update(
            actions=[OrderRecord.status.set(after), OrderRecord.status_shard.set(status_shard(after, order_id)),
                     OrderRecord.updated_at.set(at)],
            condition=OrderRecord.status == before))
        return order_of(record) if moved else None


def order_of_image(raw: Optional[dict]) -> Optional[Order]:
    """An order as the table's stream shows it (DynamoDB's attribute shapes); None for no image."""
    return order_of(OrderRecord.from_raw_data(raw)) if raw and "status" in raw else None
