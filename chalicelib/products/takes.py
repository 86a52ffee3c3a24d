"""Where an order's units come from: a product's own stock, or its flash-sale buckets; and why a take can be
refused. Standard library only."""
import itertools
import random
from dataclasses import dataclass
from typing import List, Mapping, Optional

from chalicelib import errors
from chalicelib.products.model import FLASH_BUCKETS, Offer


class Refused(errors.Conflict):
    """Why a product's units could not be taken, naming the product."""
    message = "product {} could not be taken"

    def __init__(self, product_id: str) -> None:
        super().__init__(self.message.format(product_id))
        self.product_id = product_id


class OutOfStock(Refused):
    message = "not enough stock of product {}"


class PriceChanged(Refused):
    message = "the price of product {} changed while ordering; review the order and retry"


class ProductGone(Refused):
    message = "product {} is no longer sold"


class BucketShort(Refused):
    """Flash-sale buckets an order chose held too little: read those products' buckets and choose again."""
    message = "a stock bucket of product {} ran short"

    def __init__(self, *product_ids: str) -> None:
        super().__init__(", ".join(product_ids))
        self.product_ids = set(product_ids)


class StockMoved(Refused):
    """A product's flash-sale flag changed since its offer was read (its stock moved): read it again."""
    message = "product {} changed how it keeps its stock"


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


def takes_from_buckets(offer: Offer, quantity: int, levels: Mapping[int, int], rng=random) -> List[Take]:
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
    takes, left = [], quantity
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
