"""What the shop does with its catalog. Reads go through the warm cache; every write empties it (and the
admins' writes the offers cache that carts and checkouts read)."""
from typing import List, Optional, Tuple

from chalicelib import clock, errors, ids, retry
from chalicelib.products.model import Category, Product, check

ATTEMPTS = 5


class PreconditionFailed(errors.PreconditionFailed):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id} has changed since that ETag; read it again")


def create_product(fields: dict, *, catalog, caches) -> Product:
    """Add a product to the catalog and count it in its category."""
    now = clock.now_iso()
    product = check(Product(id=ids.new_id(), created_at=now, updated_at=now, **fields))
    catalog.add(product)
    _forget(caches)
    return product


def update_product(product_id: str, changes: dict, *, catalog, caches, if_match=None) -> Product:
    """Apply a partial update: only the named fields are written. `stock_delta` adds to the stock as it is
    when written; with `if_match` (a test of the current ETag, see `etag_matches`) nothing is written unless
    the product is exactly as that ETag showed it. A concurrent change makes it read again and re-apply."""
    for attempt in retry.attempts(ATTEMPTS):
        current = _existing(product_id, catalog)
        if if_match is not None and not if_match(current.product):
            raise PreconditionFailed(product_id)
        after = current.product.changed(changes, clock.now_iso())
        try:
            catalog.update(current, after, delta=changes.get("stock_delta"), exact=if_match is not None)
        except errors.Conflict:
            if if_match is not None:
                raise PreconditionFailed(product_id)
            if attempt.last:  # sales keep changing it (turning a flash sale off needs its buckets still)
                raise errors.Unavailable(f"product {product_id} keeps changing; retry shortly")
            attempt.back_off()
            continue
        _forget(caches)
        return after


def delete_product(product_id: str, *, catalog, caches) -> None:
    """Remove a product from the catalog (with its flash-sale stock); orders keep their own copy of its name
    and price."""
    for attempt in retry.attempts(ATTEMPTS):
        current = _existing(product_id, catalog)
        try:
            catalog.remove(current)
        except errors.Conflict:
            if attempt.last:
                raise errors.Unavailable(f"product {product_id} keeps changing; retry shortly")
            attempt.back_off()
            continue
        _forget(caches)
        return


def get_product(product_id: str, *, catalog, cache, fresh: bool = False) -> Product:
    product = cache.get_or_load(("product", product_id), lambda: _lookup(product_id, catalog), fresh)
    if product is None:
        raise errors.NotFound(f"product {product_id} does not exist")
    return product


def list_products(category: Optional[str], limit: int, after: Optional[str], *, catalog, cache,
                  fresh: bool = False) -> Tuple[List[Product], Optional[str]]:
    return cache.get_or_load(("page", category, limit, after), lambda: catalog.page(category, limit, after), fresh)


def list_categories(*, catalog, cache, fresh: bool = False) -> List[Category]:
    return cache.get_or_load(("categories",), catalog.categories, fresh)


def _lookup(product_id: str, catalog) -> Optional[Product]:
    return catalog.get(product_id) if ids.looks_like_id(product_id) else None


def _existing(product_id: str, catalog):
    current = catalog.current(product_id) if ids.looks_like_id(product_id) else None
    if current is None:
        raise errors.NotFound(f"product {product_id} does not exist")
    return current


def _forget(caches) -> None:
    for cache in caches:
        cache.clear()
