"""What the catalog's services need (DynamoDB in products/repository.py and products/stock.py, in memory in
tests/unit/fakes.py; tests/contract runs one suite against both, and mypy checks both against these)."""

from typing import Any, Callable, Dict, Hashable, Iterable, List, Optional, Protocol, Tuple

from chalicelib.products.model import Category, Current, Offer, Product


class CatalogRepository(Protocol):
    def current(self, product_id: str) -> Optional[Current]: ...

    def get(self, product_id: str) -> Optional[Product]: ...

    def offers(self, product_ids: Iterable[str]) -> Dict[str, Offer]: ...

    def page(
        self, category: Optional[str], limit: int, after: Optional[str]
    ) -> Tuple[List[Product], Optional[str]]: ...

    def categories(self) -> List[Category]: ...

    def add(self, product: Product) -> None: ...

    def update(
        self, current: Current, after: Product, delta: Optional[int] = None, exact: bool = False
    ) -> None: ...

    def remove(self, current: Current) -> None: ...


class StockRepository(Protocol):
    def levels(self, product_ids: Iterable[str]) -> Dict[str, Dict[int, int]]: ...


class Forgettable(Protocol):
    """A warm cache that a write empties."""

    def clear(self) -> None: ...


class ReadCache(Forgettable, Protocol):
    def get_or_load(self, key: Hashable, load: Callable[[], Any], fresh: bool = False) -> Any: ...
