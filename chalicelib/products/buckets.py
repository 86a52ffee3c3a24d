"""The flash-sale buckets' part of an admin's change to a product (in the change's transaction): filled when a
sale starts, emptied when it ends, re-priced and restocked bucket by bucket while it lasts."""

import random
from typing import Any, Dict, List, Mapping, Optional

from chalicelib.products.model import FLASH_BUCKETS, Product
from chalicelib.products.records import BucketRecord, ProductRecord, bucket_id
from chalicelib.products.takes import spread, takes_from_buckets


def move_stock(tx, before: Product, after: Product, levels: Mapping[int, int]) -> list:
    """Turning flash sale on puts the stock into buckets; off, back into the product's item. Each bucket
    must still hold what was read, so a sale in between makes the change start again."""
    if after.flash_sale:
        fill_buckets(tx, after, spread(after.stock))
        return [ProductRecord.flash_sale.set(True), ProductRecord.stock.set(0)]
    for bucket in range(FLASH_BUCKETS):
        tx.delete(
            f"bucket {bucket}",
            BucketRecord(bucket_id(before.id, bucket)),
            condition=BucketRecord.stock == levels.get(bucket, 0),
        )
    return [ProductRecord.flash_sale.set(False), ProductRecord.stock.set(after.stock)]


def change_buckets(
    tx,
    before: Product,
    after: Product,
    levels: Mapping[int, int],
    delta: Optional[int],
    exact: bool,
) -> None:
    """A flash-sale product's price goes to every bucket (each checks it); its stock changes bucket by bucket."""
    changes: Dict[int, list] = {b: [] for b in range(FLASH_BUCKETS)}
    conditions: Dict[int, Any] = {b: BucketRecord.id.exists() for b in range(FLASH_BUCKETS)}
    if after.price_cents != before.price_cents:
        for bucket in changes:
            changes[bucket].append(BucketRecord.price_cents.set(after.price_cents))
    if delta is not None:
        _add_to_buckets(changes, conditions, before, delta, levels)
    elif after.stock != before.stock or exact:
        for bucket, units in enumerate(spread(after.stock)):
            changes[bucket].append(BucketRecord.stock.set(units))
            if exact:
                conditions[bucket] &= BucketRecord.stock == levels.get(bucket, 0)
    for bucket, actions in changes.items():
        if actions:
            tx.update(
                f"bucket {bucket}",
                BucketRecord(bucket_id(before.id, bucket)),
                actions=actions,
                condition=conditions[bucket],
            )


def _add_to_buckets(
    changes: Dict[int, list],
    conditions: Dict[int, Any],
    before: Product,
    delta: int,
    levels: Mapping[int, int],
) -> None:
    """Units added spread over every bucket (from a random one on); units taken come from where they are, each
    bucket checking it still holds what is taken."""
    if delta > 0:
        for bucket, units in enumerate(spread(delta, start=random.randrange(FLASH_BUCKETS))):
            if units:
                changes[bucket].append(BucketRecord.stock.add(units))
        return
    for take in takes_from_buckets(before.offer, -delta, levels):
        bucket = take.bucket if take.bucket is not None else 0
        changes[bucket].append(BucketRecord.stock.add(-take.quantity))
        conditions[bucket] &= BucketRecord.stock >= take.quantity


def fill_buckets(tx, product: Product, shares: List[int]) -> None:
    for bucket, units in enumerate(shares):
        tx.save(
            f"bucket {bucket}",
            BucketRecord(
                bucket_id(product.id, bucket),
                product_id=product.id,
                price_cents=product.price_cents,
                stock=units,
            ),
            condition=BucketRecord.id.does_not_exist(),
        )
