"""Units taken and given back inside the orders' transactions, and the flash-sale buckets' levels.

A take from a product's own item checks that it still exists, is not on flash sale, holds enough and is
still at the price charged; a take from a bucket checks the bucket's stock and its copy of the price. Either
way no order reads or checks an item that every order of a flash sale would share.
"""

import random
from typing import Dict, Iterable

from chalicelib.products.model import FLASH_BUCKETS
from chalicelib.products.takes import OutOfStock, Take
from chalicelib.retry import BucketShort, PriceMoved, StockMoved
from chalicelib.products.records import BucketRecord, CatalogItem, ProductRecord, bucket_id


class DynamoStock:
    def __init__(self, shared) -> None:
        self._shared = shared  # the connection its models are bound through

    def take(self, tx, name: str, take: Take) -> None:
        if take.bucket is None:
            tx.update(
                name,
                ProductRecord(take.product_id),
                actions=[ProductRecord.stock.add(-take.quantity)],
                condition=(
                    ProductRecord.listed.exists()
                    & (ProductRecord.flash_sale == False)  # noqa: E712
                    & (ProductRecord.stock >= take.quantity)
                    & (ProductRecord.price_cents == take.unit_price_cents)
                ),
                return_old=True,
            )
        else:
            tx.update(
                name,
                BucketRecord(bucket_id(take.product_id, take.bucket)),
                actions=[BucketRecord.stock.add(-take.quantity)],
                condition=(
                    (BucketRecord.stock >= take.quantity)
                    & (BucketRecord.price_cents == take.unit_price_cents)
                ),
                return_old=True,
            )

    def refusal(self, take: Take, failure) -> Exception:
        """Why a take's condition failed, from the item as it was: sold out (final), or a signal to try again."""
        record = failure.record(CatalogItem)
        if record is None or (take.bucket is None and record.flash_sale):
            # deleted, or it keeps its stock elsewhere now: read it again
            return StockMoved(take.product_id)
        if record.price_cents != take.unit_price_cents:
            return PriceMoved(take.product_id)
        return OutOfStock(take.product_id) if take.bucket is None else BucketShort(take.product_id)

    def give_back(self, tx, name: str, product_id: str, quantity: int, flash_sale: bool) -> None:
        """Return units (a cancelled order's): never to a product deleted since, and always to where the
        product keeps its stock now (a flag changed meanwhile fails the condition, and the cancel reads again)."""
        if flash_sale:
            tx.update(
                name,
                BucketRecord(bucket_id(product_id, random.randrange(FLASH_BUCKETS))),
                actions=[BucketRecord.stock.add(quantity)],
                condition=BucketRecord.id.exists(),
            )
        else:
            tx.update(
                name,
                ProductRecord(product_id),
                actions=[ProductRecord.stock.add(quantity)],
                condition=ProductRecord.listed.exists() & (ProductRecord.flash_sale == False),
            )  # noqa: E712

    def levels(self, product_ids: Iterable[str]) -> Dict[str, Dict[int, int]]:
        """Every bucket's stock of these flash-sale products, read strongly (one BatchGetItem per 100 keys)."""
        ids = list(dict.fromkeys(product_ids))
        keys = [bucket_id(pid, b) for pid in ids for b in range(FLASH_BUCKETS)]
        found = (
            {r.id: int(r.stock) for r in BucketRecord.batch_get(keys, consistent_read=True)}
            if keys
            else {}
        )
        return {
            pid: {
                b: found[bucket_id(pid, b)]
                for b in range(FLASH_BUCKETS)
                if bucket_id(pid, b) in found
            }
            for pid in ids
        }
