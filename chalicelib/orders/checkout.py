"""The checkout and the cancel: each one transaction across the products, orders and carts tables."""
from typing import List, Optional, Sequence, Tuple

from chalicelib import errors, ids, storage
from chalicelib.orders.model import CartChanged, CheckoutView, Contended, KeyTaken, Order
from chalicelib.orders.records import CartRecord, OrderRecord, order_of, quantities_of, record_of, status_shard
from chalicelib.products.takes import BucketShort, StockMoved, Take
from chalicelib.products.records import ProductRecord, product_of


class DynamoCheckout:
    def __init__(self, shared, stock) -> None:
        self._shared = shared
        self._stock = stock

    def read(self, user_id: str, order_id: Optional[str], with_cart: bool, product_ids: Sequence[str]) -> CheckoutView:
        """One BatchGetItem across the tables (strongly consistent): the order the idempotency key names,
        the cart, and the offers not in the warm cache. Nothing to read, no call."""
        wanted = ([(OrderRecord, order_id)] if order_id else []) + ([(CartRecord, user_id)] if with_cart else []) + \
                 [(ProductRecord, pid) for pid in product_ids]
        found = storage.read_together(self._shared, wanted)
        existing = found.pop(0) if order_id else None
        cart = found.pop(0) if with_cart else None
        return CheckoutView(existing=(order_of(existing), existing.body_hash) if existing else None,
                            cart=quantities_of(cart), cart_version=cart.version if cart else 0,
                            offers={r.id: product_of(r, 0).offer for r in found if isinstance(r, ProductRecord)})

    def place(self, order: Order, takes: List[Take], cart_version: Optional[int], body_hash: Optional[str]) -> None:
        """All or nothing: take every line's units; write the order (named by its idempotency key, if any);
        empty the cart it came from, if it has not changed since it was read."""
        tx = storage.Transaction(self._shared)
        for n, take in enumerate(takes):
            self._stock.take(tx, f"take {n}", take)
        tx.save("order", record_of(order, ids.new_id(), body_hash), condition=OrderRecord.id.does_not_exist(),
                return_old=True)
        if cart_version is not None:
            tx.update("cart", CartRecord(order.user_id), actions=[CartRecord.lines.set({}), CartRecord.version.add(1)],
                      condition=CartRecord.version == cart_version)
        failures = tx.commit()
        if not failures:
            return
        taken = failures.get("order")
        if taken and taken.condition_failed:
            record = taken.record(OrderRecord)
            raise KeyTaken(order_of(record), record.body_hash)
        refusals = [self._stock.refusal(take, failures[f"take {n}"]) for n, take in enumerate(takes)
                    if failures.get(f"take {n}") and failures[f"take {n}"].condition_failed]
        if refusals:  # a definite refusal first; else every short bucket at once, so one read serves them all
            final = [r for r in refusals if not isinstance(r, BucketShort)]
            raise final[0] if final else BucketShort(*sorted({p for r in refusals for p in r.product_ids}))
        if "cart" in failures and failures["cart"].condition_failed:
            raise CartChanged()
        raise Contended()

    def cancel(self, order: Order, cancelled: Order, returns: List[Tuple[str, int, bool]]) -> None:
        """Cancel and give each line's units back in one transaction: (product id, units, on flash sale)."""
        tx = storage.Transaction(self._shared)
        tx.update("order", OrderRecord(order.id), condition=OrderRecord.status == order.status, actions=[
            OrderRecord.status.set(cancelled.status), OrderRecord.updated_at.set(cancelled.updated_at),
            OrderRecord.status_shard.set(status_shard(cancelled.status, order.id))])
        for product_id, quantity, flash_sale in returns:
            self._stock.give_back(tx, product_id, product_id, quantity, flash_sale)
        failures = tx.commit()
        if not failures:
            return
        if "order" in failures and failures["order"].condition_failed:
            raise errors.Conflict(f"order {order.id} changed meanwhile; only a PLACED order can be cancelled")
        for product_id, _, _ in returns:
            failure = failures.get(product_id)
            if failure and failure.condition_failed:
                raise StockMoved(product_id)  # deleted, or its flag changed: read the offers again
        raise Contended()
