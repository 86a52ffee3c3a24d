"""Products and per-category counts in the products table.

A product item carries `listed = "product"` (the `catalog` index: every product in id order) and its
`category` (the `by_category` index). A category's count is an item of its own (`tally = "category"`, the
`category_counts` index), changed in the same transaction as the product write that changes it.
"""
from typing import Dict, Iterable, List, Optional, Tuple

from chalicelib import dynamo, errors
from chalicelib.products.model import Category, Product

FIELDS = ("id", "name", "description", "category", "price_cents", "stock", "image_url", "created_at", "updated_at")


class DynamoProducts:
    def __init__(self, client, table: str) -> None:
        self._db = client
        self._table = table

    def get(self, product_id: str) -> Optional[Product]:
        found = self._db.get_item(TableName=self._table, Key=dynamo.key(id=product_id),
                                  ConsistentRead=True).get("Item")
        return product_from(found) if found and "listed" in found else None

    def get_many(self, product_ids: Iterable[str]) -> Dict[str, Product]:
        """Up to 100 products in one BatchGetItem (more calls only for keys DynamoDB left unprocessed)."""
        keys = [dynamo.key(id=i) for i in dict.fromkeys(product_ids)]
        found: Dict[str, Product] = {}
        while keys:
            answer = self._db.batch_get_item(RequestItems={self._table: {"Keys": keys, "ConsistentRead": True}})
            for raw in answer["Responses"].get(self._table, []):
                if "listed" in raw:
                    product = product_from(raw)
                    found[product.id] = product
            keys = answer.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
        return found

    def add(self, product: Product) -> None:
        self._db.transact_write_items(TransactItems=[
            {"Put": {"TableName": self._table, "Item": _item(product),
                     "ConditionExpression": "attribute_not_exists(id)"}},
            self._count(product.category, +1),
        ])

    def update(self, before: Product, after: Product) -> None:
        """Write the fields that changed (never the whole item: a sale may have changed the stock since it
        was read) if the product still exists in the category it was read in; move its count along."""
        changed = {f: getattr(after, f) for f in FIELDS if getattr(after, f) != getattr(before, f)}
        removed = [f for f, v in changed.items() if v is None]
        names = {f"#{f}": f for f in changed}
        assignments = ", ".join(f"#{f} = :{f}" for f, v in changed.items() if v is not None)
        expression = f"SET {assignments}" + (f" REMOVE {', '.join('#' + f for f in removed)}" if removed else "")
        items = [{"Update": {"TableName": self._table, "Key": dynamo.key(id=before.id),
                             "UpdateExpression": expression,
                             "ConditionExpression": "attribute_exists(listed) AND #category_seen = :category_seen",
                             "ExpressionAttributeNames": {**names, "#category_seen": "category"},
                             "ExpressionAttributeValues": dynamo.values(
                                 category_seen=before.category,
                                 **{f: v for f, v in changed.items() if v is not None})}}]
        if after.category != before.category:
            items += [self._count(before.category, -1), self._count(after.category, +1)]
        self._transact(items, before.id)

    def remove(self, product: Product) -> None:
        self._transact([
            {"Delete": {"TableName": self._table, "Key": dynamo.key(id=product.id),
                        "ConditionExpression": "attribute_exists(listed) AND category = :seen",
                        "ExpressionAttributeValues": dynamo.values(seen=product.category)}},
            self._count(product.category, -1),
        ], product.id)

    def page(self, category: Optional[str], limit: int, after: Optional[str]) -> Tuple[List[Product], bool]:
        """One Query: `limit` products after the given id, and whether more follow (it reads limit + 1)."""
        if category is None:
            index, partition = "catalog", {"listed": "product"}
        else:
            index, partition = "by_category", {"category": category}
        (name, value), = partition.items()
        request = {"TableName": self._table, "IndexName": index, "Limit": limit + 1,
                   "KeyConditionExpression": "#p = :p", "ExpressionAttributeNames": {"#p": name},
                   "ExpressionAttributeValues": dynamo.values(p=value)}
        if after:
            request["ExclusiveStartKey"] = dynamo.key(id=after, **partition)
        items = self._db.query(**request)["Items"]
        return [product_from(raw) for raw in items[:limit]], len(items) > limit

    def categories(self) -> List[Category]:
        answer = self._db.query(TableName=self._table, IndexName="category_counts",
                                KeyConditionExpression="tally = :t", ExpressionAttributeValues=dynamo.values(t="category"))
        counts = [dynamo.plain(raw) for raw in answer["Items"]]
        return [Category(c["category_name"], c["product_count"]) for c in counts if c["product_count"] > 0]

    def _count(self, category: str, change: int) -> dict:
        return {"Update": {"TableName": self._table, "Key": dynamo.key(id=f"category#{category}"),
                           "UpdateExpression": "SET tally = :t, category_name = :c ADD product_count :d",
                           "ExpressionAttributeValues": dynamo.values(t="category", c=category, d=change)}}

    def _transact(self, items: list, product_id: str) -> None:
        try:
            self._db.transact_write_items(TransactItems=items)
        except self._db.exceptions.TransactionCanceledException as exc:
            if any(r.get("Code") == "ConditionalCheckFailed" for r in dynamo.cancellation_reasons(exc)):
                raise errors.Conflict(f"product {product_id} was changed meanwhile; read it again") from exc
            raise


def _item(product: Product) -> dict:
    values = {f: getattr(product, f) for f in FIELDS}
    values["listed"] = "product"
    return dynamo.item(values)


def product_from(raw: dict) -> Product:
    values = dynamo.plain(raw)
    return Product(**{f: values.get(f) for f in FIELDS if f != "description"},
                   description=values.get("description", ""))
