"""Where an order's units come from: a product's own stock, or its flash-sale buckets; and the one final refusal
of a take (the others are retry signals, chalicelib/retry.py). Standard library only."""

import itertools
import random
from dataclasses import dataclass
from typing import List, Mapping, Optional

from chalicelib import errors
from chalicelib.retry import StockMoved
from chalicelib.products.model import FLASH_BUCKETS, Offer


class OutOfStock(errors.Conflict):
    """Not enough units of a product (all its buckets together, for a flash-sale product): a final answer."""

    def __init__(self, product_id: str) -> None:
        super().__init__(f"not enough stock of product {product_id}")
        self.product_id = product_id


@dataclass(frozen=True)
class Take:
    """Units to take from one place: a product's own stock (bucket None) or one of its flash-sale buckets."""

    product_id: str
    quantity: int
    unit_price_cents: int
    bucket: Optional[int] = None


def spread(total: int, buckets: int = FLASH_BUCKETS, start: int = 0) -> List[int]:
    """`total` units over the buckets as evenly as they go; the odd units from bucket `start` on."""
    base, extra = divmod(total, buckets)
    return [base + (1 if (i - start) % buckets < extra else 0) for i in range(buckets)]


def takes_from_buckets(
    offer: Offer, quantity: int, levels: Mapping[int, int], rng: random.Random = random.Random()
) -> List[Take]:
    """Where to take a line of a flash-sale product, given every bucket's stock as last read: one bucket that
    holds it all if any (chosen at random, so concurrent orders spread), else the fullest buckets. Raises
    OutOfStock only when all the buckets together hold too little (StockMoved when there are none: the product
    is no longer on flash sale)."""
    if not levels:
        raise StockMoved(offer.id)
    if sum(levels.values()) < quantity:
        raise OutOfStock(offer.id)
    whole = [b for b, level in levels.items() if level >= quantity]
    if whole:
        return [Take(offer.id, quantity, offer.price_cents, rng.choice(whole))]
    takes: List[Take] = []
    left = quantity
    for bucket in sorted(levels, key=lambda b: (-levels[b], rng.random())):
        if left == 0:
            break
        part = min(left, levels[bucket])
        if part:
            takes.append(Take(offer.id, part, offer.price_cents, bucket))
            left -= part
    return takes


class Rotation:
    """Round robin over the buckets from a random start: the orders one container sends spread evenly."""

    def __init__(self, buckets: int = FLASH_BUCKETS, start: Optional[int] = None) -> None:
        self._buckets = buckets
        self._counter = itertools.count(random.randrange(buckets) if start is None else start)

    def next(self) -> int:
        return next(self._counter) % self._buckets
