"""Carts, orders and idempotency records in the orders table, and the checkout transaction.

Item kinds by id: an order is its own id (and carries `kind = "order"` for the newest-first index of all
orders); a cart is `cart#<user>`; an idempotency record is `key#<hash of user and key>` and expires by TTL.
Only orders carry `status`, so the table's stream turns only order writes into events.
"""
import hashlib
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from chalicelib import dynamo, errors
from chalicelib.orders import model
from chalicelib.orders.model import Line, Order

CART_PREFIX = "q_"


def cart_id(user_id: str) -> str:
    return f"cart#{user_id}"


def key_id(user_id: str, key: str) -> str:
    return "key#" + hashlib.sha256(f"{user_id}\n{key}".encode()).hexdigest()


@dataclass(frozen=True)
class CheckoutView:
    """What one BatchGetItem read before a checkout: products, the cart and an earlier answer to the key."""
    products: Dict[str, object]
    cart: Dict[str, int]
    cart_version: int
    replay: Optional[dict]


class DynamoCarts:
    def __init__(self, client, table: str) -> None:
        self._db = client
        self._table = table

    def quantities(self, user_id: str) -> Dict[str, int]:
        found = self._db.get_item(TableName=self._table, Key=dynamo.key(id=cart_id(user_id)),
                                  ConsistentRead=True).get("Item")
        return _quantities(dynamo.plain(found)) if found else {}

    def put(self, user_id: str, product_id: str, quantity: int) -> Tuple[Dict[str, int], int]:
        """Set one line; returns the lines before the change and the cart's new version."""
        answer = self._db.update_item(
            TableName=self._table, Key=dynamo.key(id=cart_id(user_id)), ReturnValues="ALL_OLD",
            UpdateExpression="SET #q = :q ADD version :one", ExpressionAttributeNames={"#q": CART_PREFIX + product_id},
            ExpressionAttributeValues=dynamo.values(q=quantity, one=1))
        before = dynamo.plain(answer.get("Attributes", {}))
        return _quantities(before), before.get("version", 0) + 1

    def undo_put(self, user_id: str, product_id: str, previous: Optional[int], version: int) -> None:
        """Take back a put that turned out invalid, unless the cart has changed since."""
        names = {"#q": CART_PREFIX + product_id}
        change = "REMOVE #q" if previous is None else "SET #q = :previous"
        values = dynamo.values(version=version, one=1, **({} if previous is None else {"previous": previous}))
        try:
            self._db.update_item(TableName=self._table, Key=dynamo.key(id=cart_id(user_id)),
                                 UpdateExpression=f"{change} ADD version :one", ConditionExpression="version = :version",
                                 ExpressionAttributeNames=names, ExpressionAttributeValues=values)
        except Exception as exc:
            if not dynamo.is_condition_failure(exc):
                raise

    def remove(self, user_id: str, product_id: str) -> Dict[str, int]:
        answer = self._db.update_item(
            TableName=self._table, Key=dynamo.key(id=cart_id(user_id)), ReturnValues="ALL_NEW",
            UpdateExpression="REMOVE #q ADD version :one", ExpressionAttributeNames={"#q": CART_PREFIX + product_id},
            ExpressionAttributeValues=dynamo.values(one=1))
        return _quantities(dynamo.plain(answer.get("Attributes", {})))

    def clear(self, user_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=dynamo.key(id=cart_id(user_id)))


class DynamoOrders:
    def __init__(self, client, orders_table: str, products_table: str) -> None:
        self._db = client
        self._table = orders_table
        self._products_table = products_table

    # --- reads ------------------------------------------------------------------------------------

    def get(self, order_id: str) -> Optional[Order]:
        found = self._db.get_item(TableName=self._table, Key=dynamo.key(id=order_id), ConsistentRead=True).get("Item")
        return order_from(dynamo.plain(found)) if found and "status" in found else None

    def page_for_user(self, user_id: str, limit: int, after: Optional[str]) -> Tuple[List[Order], bool]:
        return self._page("by_user", "user_id", user_id, limit, after)

    def page_all(self, status: Optional[str], limit: int, after: Optional[str]) -> Tuple[List[Order], bool]:
        if status is None:
            return self._page("all_orders", "kind", "order", limit, after)
        return self._page("by_status", "status", status, limit, after)

    def _page(self, index: str, attribute: str, value: str, limit: int, after: Optional[str]):
        request = {"TableName": self._table, "IndexName": index, "Limit": limit + 1, "ScanIndexForward": False,
                   "KeyConditionExpression": "#a = :v", "ExpressionAttributeNames": {"#a": attribute},
                   "ExpressionAttributeValues": dynamo.values(v=value)}
        if after:
            request["ExclusiveStartKey"] = dynamo.key(id=after, **{attribute: value})
        items = self._db.query(**request)["Items"]
        return [order_from(dynamo.plain(raw)) for raw in items[:limit]], len(items) > limit

    def read_for_checkout(self, user_id: str, product_ids, key: Optional[str], with_cart: bool) -> CheckoutView:
        """One BatchGetItem across both tables: the products, and the cart and key record when asked."""
        from chalicelib.products.repository import product_from
        own = ([dynamo.key(id=cart_id(user_id))] if with_cart else []) + \
              ([dynamo.key(id=key_id(user_id, key))] if key else [])
        request = {}
        if product_ids:
            request[self._products_table] = {"Keys": [dynamo.key(id=p) for p in product_ids], "ConsistentRead": True}
        if own:
            request[self._table] = {"Keys": own, "ConsistentRead": True}
        found = self._batch_get(request) if request else {}
        products = {p.id: p for p in (product_from(raw) for raw in found.get(self._products_table, []) if "listed" in raw)}
        mine = {raw["id"]["S"]: dynamo.plain(raw) for raw in found.get(self._table, [])}
        cart = mine.get(cart_id(user_id), {})
        return CheckoutView(products=products, cart=_quantities(cart), cart_version=cart.get("version", 0),
                            replay=mine.get(key_id(user_id, key)) if key else None)

    def key_record(self, user_id: str, key: str) -> Optional[dict]:
        found = self._db.get_item(TableName=self._table, Key=dynamo.key(id=key_id(user_id, key)),
                                  ConsistentRead=True).get("Item")
        return dynamo.plain(found) if found else None

    def _batch_get(self, request: dict) -> Dict[str, list]:
        found: Dict[str, list] = {}
        while request:
            answer = self._db.batch_get_item(RequestItems=request)
            for table, items in answer["Responses"].items():
                found.setdefault(table, []).extend(items)
            request = answer.get("UnprocessedKeys") or {}
        return found

    # --- writes -----------------------------------------------------------------------------------

    def place(self, order: Order, cart_version: Optional[int], key_record: Optional[dict]) -> None:
        """The checkout, all or nothing: for every line take the stock if there is enough and the price is
        still the one charged; write the order; empty the cart it came from (if unchanged); claim the key."""
        items = [{"Update": {
            "TableName": self._products_table, "Key": dynamo.key(id=line.product_id),
            "UpdateExpression": "SET stock = stock - :q",
            "ConditionExpression": "attribute_exists(listed) AND stock >= :q AND price_cents = :p",
            "ExpressionAttributeValues": dynamo.values(q=line.quantity, p=line.unit_price_cents),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}} for line in order.lines]
        items.append({"Put": {"TableName": self._table, "Item": dynamo.item(order_item(order)),
                              "ConditionExpression": "attribute_not_exists(id)"}})
        if cart_version is not None:
            items.append({"Delete": {"TableName": self._table, "Key": dynamo.key(id=cart_id(order.user_id)),
                                     "ConditionExpression": "version = :v",
                                     "ExpressionAttributeValues": dynamo.values(v=cart_version)}})
        if key_record is not None:
            # an expired record may linger until DynamoDB's TTL sweep removes it: it no longer counts
            items.append({"Put": {"TableName": self._table, "Item": dynamo.item(key_record),
                                  "ConditionExpression": "attribute_not_exists(id) OR expires_at < :now",
                                  "ExpressionAttributeValues": dynamo.values(now=int(time.time()))}})
        try:
            self._db.transact_write_items(TransactItems=items)
        except self._db.exceptions.TransactionCanceledException as exc:
            raise _checkout_failure(order, dynamo.cancellation_reasons(exc), cart_version is not None,
                                    key_record is not None) from exc

    def transition(self, order_id: str, before: str, after: str, at: str) -> Optional[Order]:
        """Move an order from one status to the next; None when it was not in `before` (or does not exist)."""
        try:
            answer = self._db.update_item(
                TableName=self._table, Key=dynamo.key(id=order_id), ReturnValues="ALL_NEW",
                UpdateExpression="SET #s = :after, previous_status = :before, updated_at = :at",
                ConditionExpression="#s = :before", ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=dynamo.values(before=before, after=after, at=at))
        except Exception as exc:
            if dynamo.is_condition_failure(exc):
                return None
            raise
        return order_from(dynamo.plain(answer["Attributes"]))

    def cancel(self, order: Order, cancelled: Order, restock: Dict[str, int]) -> None:
        """Cancel and return each line's stock in one transaction; products deleted since are not revived."""
        items = [{"Update": {
            "TableName": self._table, "Key": dynamo.key(id=order.id),
            "UpdateExpression": "SET #s = :after, previous_status = :before, updated_at = :at",
            "ConditionExpression": "#s = :before", "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": dynamo.values(before=order.status, after=cancelled.status,
                                                       at=cancelled.updated_at)}}]
        items += [{"Update": {"TableName": self._products_table, "Key": dynamo.key(id=product_id),
                              "UpdateExpression": "ADD stock :q", "ConditionExpression": "attribute_exists(listed)",
                              "ExpressionAttributeValues": dynamo.values(q=quantity)}}
                  for product_id, quantity in sorted(restock.items())]
        try:
            self._db.transact_write_items(TransactItems=items)
        except self._db.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in dynamo.cancellation_reasons(exc)]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise errors.Conflict(f"order {order.id} changed meanwhile; only a PLACED order can be cancelled") from exc
            raise model.Contended() from exc


def _checkout_failure(order: Order, reasons: list, with_cart: bool, with_key: bool) -> Exception:
    lines = len(order.lines)
    failed = [i for i, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"]
    if with_key and len(reasons) == lines + 1 + with_cart + 1 and (lines + 1 + with_cart) in failed:
        return model.KeyTaken("another request with this idempotency key came first")
    for i in failed:
        if i < lines:
            line = order.lines[i]
            current = dynamo.plain(reasons[i].get("Item") or {})
            if "listed" not in current:
                return model.ProductGone(line.product_id)
            if current.get("price_cents") != line.unit_price_cents:
                return model.PriceChanged(line.product_id)
            return model.OutOfStock(line.product_id)
        if with_cart and i == lines + 1:
            return model.CartChanged()
    return model.Contended()


def order_item(order: Order) -> dict:
    return {"id": order.id, "kind": "order", "user_id": order.user_id, "status": order.status,
            "lines": [{"product_id": l.product_id, "name": l.name, "unit_price_cents": l.unit_price_cents,
                       "quantity": l.quantity} for l in order.lines],
            "total_cents": order.total_cents, "created_at": order.created_at, "updated_at": order.updated_at}


def order_from(values: dict) -> Order:
    return Order(id=values["id"], user_id=values["user_id"], status=values["status"],
                 lines=tuple(Line(**line) for line in values["lines"]), created_at=values["created_at"],
                 updated_at=values["updated_at"])


def _quantities(values: dict) -> Dict[str, int]:
    return {k[len(CART_PREFIX):]: v for k, v in values.items() if k.startswith(CART_PREFIX)}
