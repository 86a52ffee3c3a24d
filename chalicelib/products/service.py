"""What the shop does with its catalog, built once with its collaborators (bootstrap.py). Reads go through the
warm cache; every write empties it (and the offers cache that carts and checkouts read)."""

from typing import Callable, List, Mapping, Optional, Sequence, Tuple

from chalicelib import clock, errors, ids
from chalicelib.paging import PageRequest
from chalicelib.products.model import Category, Current, Product, check
from chalicelib.products.ports import CatalogRepository, Forgettable, ReadCache
from chalicelib.retry import PRODUCT_WRITES, Policy, ProductChanged

# a test of the product as it is now: an If-Match header's ETags
Precondition = Callable[[Product], bool]


class PreconditionFailed(errors.PreconditionFailed):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id} has changed since that ETag; read it again")


class Products:
    def __init__(
        self,
        catalog: CatalogRepository,
        cache: ReadCache,
        *,
        forget: Sequence[Forgettable] = (),
        policy: Policy = PRODUCT_WRITES,
    ) -> None:
        self._catalog = catalog
        self._cache = cache
        self._forget_on_write = (cache, *forget)
        self._policy = policy

    # --- reads ------------------------------------------------------------------------------------------

    def get(self, product_id: str, fresh: bool = False) -> Product:
        product = self._cache.get_or_load(
            ("product", product_id), lambda: self._lookup(product_id), fresh
        )
        if product is None:
            raise errors.NotFound(f"product {product_id} does not exist")
        return product

    def page(
        self, category: Optional[str], request: PageRequest, fresh: bool = False
    ) -> Tuple[List[Product], Optional[str]]:
        """A page of the catalog (of one category when given); `request.after` is the last product id shown."""
        limit, after = request.limit, request.after
        return self._cache.get_or_load(
            ("page", category, limit, after),
            lambda: self._catalog.page(category, limit, after),
            fresh,
        )

    def categories(self, fresh: bool = False) -> List[Category]:
        return self._cache.get_or_load(("categories",), self._catalog.categories, fresh)

    # --- the admins' writes -----------------------------------------------------------------------------

    def create(self, fields: Mapping[str, object]) -> Product:
        """Add a product to the catalog and count it in its category."""
        now = clock.now_iso()
        # `fields` are the route's validated form (products/routes.py's NewProduct: each field of its type, by
        # msgspec), but as a Mapping[str, object] mypy cannot match them to Product's parameters; check() then
        # applies the catalog's own rules
        product = check(Product(id=ids.new_id(), created_at=now, updated_at=now, **fields))  # type: ignore[arg-type]
        self._catalog.add(product)
        self._forget()
        return product

    def update(
        self,
        product_id: str,
        changes: Mapping[str, object],
        if_match: Optional[Precondition] = None,
    ) -> Product:
        """Apply a partial update: only the named fields are written. `stock_delta` adds to the stock as it is
        when written; with `if_match` nothing is written unless the product is exactly as that ETag showed it.
        A concurrent change makes it read again and re-apply."""
        return self._policy.run(lambda _: self._update_once(product_id, changes, if_match))

    def _update_once(
        self, product_id: str, changes: Mapping[str, object], if_match: Optional[Precondition]
    ) -> Product:
        current = self._existing(product_id)
        if if_match is not None and not if_match(current.product):
            raise PreconditionFailed(product_id)
        after = current.product.changed(changes, clock.now_iso())
        delta = changes.get("stock_delta")
        try:
            self._catalog.update(
                current,
                after,
                delta=delta if isinstance(delta, int) else None,
                exact=if_match is not None,
            )
        except ProductChanged as changed:
            if if_match is not None:
                raise PreconditionFailed(product_id) from changed
            raise  # sales keep changing it (turning a flash sale off needs its buckets still): try again
        self._forget()
        return after

    def delete(self, product_id: str) -> None:
        """Remove a product from the catalog (with its flash-sale stock); orders keep their own copy of its name
        and price."""
        self._policy.run(lambda _: self._catalog.remove(self._existing(product_id)))
        self._forget()

    def _lookup(self, product_id: str) -> Optional[Product]:
        return self._catalog.get(product_id) if ids.looks_like_id(product_id) else None

    def _existing(self, product_id: str) -> Current:
        current = self._catalog.current(product_id) if ids.looks_like_id(product_id) else None
        if current is None:
            raise errors.NotFound(f"product {product_id} does not exist")
        return current

    def _forget(self) -> None:
        for cache in self._forget_on_write:
            cache.clear()
