"""What the shop does with its catalog. Reads go through the warm cache; every write empties it."""
from typing import List, Optional, Tuple

from chalicelib import clock, errors, ids
from chalicelib.products.model import Category, Product, check

ATTEMPTS = 3


def create_product(fields: dict, *, products, cache) -> Product:
    """Add a product to the catalog and count it in its category."""
    now = clock.now_iso()
    product = check(Product(id=ids.new_id(), created_at=now, updated_at=now, **fields))
    products.add(product)
    cache.clear()
    return product


def update_product(product_id: str, changes: dict, *, products, cache) -> Product:
    """Apply a partial update; a concurrent category move makes it read again and re-apply (a few times)."""
    for attempt in range(ATTEMPTS):
        before = _existing(product_id, products)
        after = before.changed(changes, clock.now_iso())
        try:
            products.update(before, after)
        except errors.Conflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        cache.clear()
        return after


def delete_product(product_id: str, *, products, cache) -> None:
    """Remove a product from the catalog; orders keep their own copy of its name and price."""
    for attempt in range(ATTEMPTS):
        product = _existing(product_id, products)
        try:
            products.remove(product)
        except errors.Conflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        cache.clear()
        return


def get_product(product_id: str, *, products, cache, fresh: bool = False) -> Product:
    product = cache.get_or_load(("product", product_id), lambda: _lookup(product_id, products), fresh)
    if product is None:
        raise errors.NotFound(f"product {product_id} does not exist")
    return product


def list_products(category: Optional[str], limit: int, after: Optional[str], *, products, cache,
                  fresh: bool = False) -> Tuple[List[Product], bool]:
    return cache.get_or_load(("page", category, limit, after),
                             lambda: products.page(category, limit, after), fresh)


def list_categories(*, products, cache, fresh: bool = False) -> List[Category]:
    return cache.get_or_load(("categories",), products.categories, fresh)


def _lookup(product_id: str, products) -> Optional[Product]:
    return products.get(product_id) if ids.looks_like_id(product_id) else None


def _existing(product_id: str, products) -> Product:
    product = _lookup(product_id, products)
    if product is None:
        raise errors.NotFound(f"product {product_id} does not exist")
    return product
