"""Products as carts and checkouts see them (offers: name, price, flash-sale flag), through a warm cache, and
where an order's units come from.

A stale offer costs only a retry: the checkout's transaction checks every price it charges and where each
product keeps its stock, and a refusal makes it read the offers again."""

from typing import Dict, Iterable, List, Mapping, Sequence

from chalicelib.orders.model import Line, Order
from chalicelib.orders.ports import OfferCache, OfferSource, OrderTransaction
from chalicelib.products.model import Offer
from chalicelib.products.takes import Rotation, Take, takes_from_buckets


class Offers:
    def __init__(self, catalog: OfferSource, cache: OfferCache) -> None:
        self._catalog = catalog
        self._cache = cache

    def of(self, product_ids: Iterable[str], fresh: bool = False) -> Dict[str, Offer]:
        """The products' offers, from the warm cache where it has them (all read again when `fresh`); products
        that do not exist are missing from the answer."""
        wanted = list(dict.fromkeys(product_ids))
        found = {} if fresh else self.cached(wanted)
        missing = [p for p in wanted if p not in found]
        if missing:
            loaded = self._catalog.offers(missing)
            self.remember(loaded)
            found.update(loaded)
        return found

    def cached(self, product_ids: Iterable[str]) -> Dict[str, Offer]:
        return {str(k): v for k, v in self._cache.get_many(product_ids).items()}

    def remember(self, offers: Mapping[str, Offer]) -> None:
        self._cache.put_many(offers)

    def forget(self) -> None:
        self._cache.clear()


def plan(
    lines: Sequence[Line],
    known: Mapping[str, Offer],
    levels: Mapping[str, Mapping[int, int]],
    rotation: Rotation,
) -> List[Take]:
    """Where each line's units come from: a product's own stock, or a flash-sale bucket (the next in this
    container's rotation; after a bucket ran short, the buckets as just read, maybe several)."""
    takes: List[Take] = []
    for line in lines:
        offer = known[line.product_id]
        if not offer.flash_sale:
            takes.append(Take(line.product_id, line.quantity, line.unit_price_cents))
        elif line.product_id in levels:
            takes += takes_from_buckets(offer, line.quantity, levels[line.product_id])
        else:
            takes.append(
                Take(line.product_id, line.quantity, line.unit_price_cents, rotation.next())
            )
    return takes


def give_back(tx: OrderTransaction, order: Order, offers: Offers) -> None:
    """An order's units back, in the transaction, to wherever each product keeps its stock now (a product deleted
    since gets none)."""
    known = offers.of([line.product_id for line in order.lines])
    for line in order.lines:
        if line.product_id in known:
            tx.give_back(line.product_id, line.quantity, known[line.product_id].flash_sale)
