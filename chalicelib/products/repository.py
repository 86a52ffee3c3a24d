"""The catalog in the products table (item kinds: products/records.py)."""

from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from chalicelib import errors, storage
from chalicelib.retry import ProductChanged
from chalicelib.products.model import FLASH_BUCKETS, Category, Current, Offer, Product
from chalicelib.products import buckets
from chalicelib.products.takes import spread
from chalicelib.products.records import (
    LISTED,
    TALLY,
    BucketRecord,
    CatalogItem,
    CategoryRecord,
    ProductRecord,
    bucket_id,
    category_id,
    product_of,
    record_of,
)

STOCK_FIELDS = ["id", "kind", "stock", "flash_sale"]
# reads of a flash-sale product caught mid-way through a change, before it is answered 503
READ_ATTEMPTS = 4
FIELDS = ("name", "description", "category", "price_cents", "image_url")


class DynamoCatalog:
    def __init__(self, shared) -> None:
        self._shared = shared
        # products this container has seen on flash sale: read with their buckets in one call from then on
        self._flash: Set[str] = set()

    # --- reads ------------------------------------------------------------------------------------

    def current(self, product_id: str) -> Optional[Current]:
        """The product as it is now, strongly read: one GetItem for a product that is not on flash sale; for
        one that is, the product again with its 24 buckets in one BatchGetItem (only that call, once this
        container knows the flag). A sale that starts, ends or is deleted between or during the calls (a
        BatchGetItem is not isolated from a transaction) shows as buckets missing: read again."""
        for _ in range(READ_ATTEMPTS):
            known = product_id in self._flash
            found = self._with_buckets(product_id, [product_id]) if known else _alone(product_id)
            record = found.get(product_id)
            if not isinstance(record, ProductRecord) or not record.flash_sale:
                self._flash.discard(product_id)
                return (
                    None if record is None else Current(product_of(record, int(record.stock)), {})
                )
            self._flash.add(product_id)
            levels = _levels(product_id, found)
            if known and len(levels) == FLASH_BUCKETS:
                return Current(product_of(record, sum(levels.values())), levels)
        raise errors.Unavailable(
            f"product {product_id} is changing (its flash sale); retry shortly"
        )

    @staticmethod
    def _with_buckets(product_id: str, keys: List[str]) -> Dict[str, Any]:
        keys = keys + [bucket_id(product_id, b) for b in range(FLASH_BUCKETS)]
        return {r.id: r for r in CatalogItem.batch_get(keys, consistent_read=True)}

    def get(self, product_id: str) -> Optional[Product]:
        current = self.current(product_id)
        return current.product if current else None

    def offers(self, product_ids: Iterable[str]) -> Dict[str, Offer]:
        """What carts and checkouts need of these products, read strongly (one BatchGetItem per 100)."""
        keys = list(dict.fromkeys(product_ids))
        return self.offers_in(CatalogItem.batch_get(keys, consistent_read=True) if keys else [])

    @staticmethod
    def offer_keys(product_ids: Iterable[str]) -> List[Tuple[Any, str]]:
        """The items that hold these products' offers, for an orders adapter that reads them in one call with
        its own items (storage.read_together)."""
        return [(ProductRecord, pid) for pid in product_ids]

    @staticmethod
    def offers_in(records: Iterable[Any]) -> Dict[str, Offer]:
        """The offers among items read (what is not a product is left out)."""
        return {r.id: product_of(r, 0).offer for r in records if isinstance(r, ProductRecord)}

    def page(
        self, category: Optional[str], limit: int, after: Optional[str]
    ) -> Tuple[List[Product], Optional[str]]:
        """One Query for the page (no stock in the index), one BatchGetItem for its stock: the products' own
        items, and the buckets of those on flash sale. Returns the page and the id after which the next starts."""
        index, partition = (
            (ProductRecord.catalog, LISTED)
            if category is None
            else (ProductRecord.by_category, category)
        )
        start = (
            {"id": {"S": after}, ("listed" if category is None else "category"): {"S": partition}}
            if after
            else None
        )
        records = list(index.query(partition, limit=limit + 1, last_evaluated_key=start))
        shown = records[:limit]
        stock = self._stock_of(shown)
        products = [product_of(r, stock[r.id]) for r in shown if r.id in stock]
        return products, (shown[-1].id if len(records) > limit else None)

    def _stock_of(self, records: List[ProductRecord]) -> Dict[str, int]:
        flash = {r.id for r in records if r.flash_sale}
        found = self._read_stock([r.id for r in records], flash)
        items = {r.id: r for r in found.values() if isinstance(r, ProductRecord)}
        # turned on since indexed
        moved = {pid for pid, r in items.items() if r.flash_sale and pid not in flash}
        if moved:
            found.update(self._read_stock([], moved))
        # read mid-way through a sale's start or end: the product and its buckets once more
        torn = [
            pid
            for pid, r in items.items()
            if r.flash_sale and len(_levels(pid, found)) < FLASH_BUCKETS
        ]
        if torn:
            found.update(self._read_stock(torn, torn))
            items.update(
                {r.id: r for r in found.values() if isinstance(r, ProductRecord) and r.id in torn}
            )
        return {
            pid: (sum(_levels(pid, found).values()) if r.flash_sale else int(r.stock))
            for pid, r in items.items()
        }

    @staticmethod
    def _read_stock(product_ids: List[str], flash: Iterable[str]) -> Dict[str, CatalogItem]:
        keys = product_ids + [bucket_id(pid, b) for pid in flash for b in range(FLASH_BUCKETS)]
        return {
            r.id: r
            for r in CatalogItem.batch_get(
                keys, consistent_read=True, attributes_to_get=STOCK_FIELDS
            )
        }

    def categories(self) -> List[Category]:
        counts = CategoryRecord.counts.query(TALLY)
        return [Category(c.category_name, c.product_count) for c in counts if c.product_count > 0]

    # --- the admins' writes -----------------------------------------------------------------------

    def add(self, product: Product) -> None:
        tx = storage.Transaction(self._shared)
        tx.save("product", record_of(product), condition=ProductRecord.id.does_not_exist())
        if product.flash_sale:
            buckets.fill_buckets(tx, product, spread(product.stock))
        _count(tx, product.category, +1)
        if tx.commit():
            raise errors.Conflict(f"product {product.id} already exists")

    def update(
        self, current: Current, after: Product, delta: Optional[int] = None, exact: bool = False
    ) -> None:
        """Write what changed, nothing else. The product must still be as read: the same category and the same
        way of keeping stock (with `exact`, also the same revision and stock: an If-Match). `delta` adds to the
        stock as it is at that moment instead of setting it; units taken away must be there."""
        before, levels = current.product, current.levels
        changed = [f for f in FIELDS if getattr(after, f) != getattr(before, f)]
        actions = [
            getattr(ProductRecord, f).set(getattr(after, f))
            for f in changed
            if getattr(after, f) is not None
        ]
        actions += [
            getattr(ProductRecord, f).remove() for f in changed if getattr(after, f) is None
        ]
        actions += [
            ProductRecord.updated_at.set(after.updated_at),
            ProductRecord.revision.set(after.revision),
        ]
        condition = (
            ProductRecord.listed.exists()
            & (ProductRecord.category == before.category)
            & (ProductRecord.flash_sale == before.flash_sale)
        )
        if exact:
            condition &= ProductRecord.revision == before.revision
        tx = storage.Transaction(self._shared)
        if after.flash_sale != before.flash_sale:
            actions += buckets.move_stock(tx, before, after, levels)
            condition &= ProductRecord.stock == (0 if before.flash_sale else before.stock)
        elif after.flash_sale:
            buckets.change_buckets(tx, before, after, levels, delta, exact)
        elif delta is not None:
            actions.append(ProductRecord.stock.add(delta))
            if delta < 0:
                condition &= ProductRecord.stock >= -delta
        elif after.stock != before.stock or exact:
            actions.append(ProductRecord.stock.set(after.stock))
            if exact:
                condition &= ProductRecord.stock == before.stock
        tx.update("product", ProductRecord(before.id), actions=actions, condition=condition)
        if after.category != before.category:
            _count(tx, before.category, -1)
            _count(tx, after.category, +1)
        if tx.commit():
            raise ProductChanged(before.id)

    def remove(self, current: Current) -> None:
        product = current.product
        self._flash.discard(product.id)
        tx = storage.Transaction(self._shared)
        tx.delete(
            "product",
            ProductRecord(product.id),  # as read: its buckets are the ones deleted with it
            condition=ProductRecord.listed.exists()
            & (ProductRecord.category == product.category)
            & (ProductRecord.flash_sale == product.flash_sale),
        )
        for bucket in range(FLASH_BUCKETS if product.flash_sale else 0):
            tx.delete(f"bucket {bucket}", BucketRecord(bucket_id(product.id, bucket)))
        _count(tx, product.category, -1)
        if tx.commit():
            raise ProductChanged(product.id)


def _alone(product_id: str) -> Dict[str, Any]:
    try:
        return {product_id: CatalogItem.get(product_id, consistent_read=True)}
    except CatalogItem.DoesNotExist:
        return {}


def _levels(product_id: str, found: Mapping[str, Any]) -> Dict[int, int]:
    return {
        b: found[bucket_id(product_id, b)].stock
        for b in range(FLASH_BUCKETS)
        if bucket_id(product_id, b) in found
    }


def _count(tx, category: str, change: int) -> None:
    tx.update(
        f"count {category} {change:+d}",
        CategoryRecord(category_id(category)),
        actions=[
            CategoryRecord.product_count.add(change),
            CategoryRecord.tally.set(TALLY),
            CategoryRecord.category_name.set(category),
            CategoryRecord.kind.set(CategoryRecord),
        ],
    )
