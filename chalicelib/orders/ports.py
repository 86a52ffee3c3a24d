"""What the order services need of the world (DynamoDB in orders/cart_repository.py, repository.py and checkout.py; in
memory in tests/unit/fakes.py; tests/contract runs one suite against both, and mypy checks both against these)."""

from typing import Any, Dict, Iterable, List, Mapping, Optional, Protocol, Sequence, Tuple

from chalicelib.orders.commands import IdempotencyKey
from chalicelib.orders.events import OrderEvent, ReservationMade
from chalicelib.orders.model import CartLook, CheckoutView, Claim, Existing, Order, Pending
from chalicelib.products.model import Offer
from chalicelib.products.takes import Take

Position = Optional[dict]


class CartRepository(Protocol):
    def quantities(self, user_id: str) -> Dict[str, int]: ...

    def look(self, user_id: str, product_ids: Sequence[str]) -> CartLook: ...

    def put(
        self, user_id: str, product_id: str, quantity: int, new: bool = False
    ) -> Dict[str, int]: ...

    def remove(self, user_id: str, product_id: str) -> Dict[str, int]: ...

    def clear(self, user_id: str) -> None: ...


class OrderRepository(Protocol):
    def get(self, order_id: str) -> Optional[Order]: ...

    def page_for_user(
        self, user_id: str, limit: int, after: Position
    ) -> Tuple[List[Order], Position]: ...

    def page_all(
        self, status: Optional[str], limit: int, after: Position
    ) -> Tuple[List[Order], Position]: ...

    def transition(self, order_id: str, before: str, after: str, at: str) -> Optional[Order]: ...

    def claim(self, order_id: str, claim: Claim) -> Optional[Order]: ...

    def release(self, order: Order) -> bool: ...

    def in_flight_since(self, before: int) -> List[Order]: ...

    def pending(self, order_id: str) -> Optional[Pending]: ...


class OrderTransaction(Protocol):
    """The unit of work: what one order's transaction writes, all or nothing. `commit()` returns None when
    written, or the order already written under the same idempotency key; it raises a final refusal (OutOfStock,
    AlreadyHandled for an event acted on before) or a retry signal (chalicelib/retry.py)."""

    def __len__(self) -> int: ...

    def take(self, take: Take) -> None: ...

    def reserve(self, pending: Pending, key: Optional[IdempotencyKey]) -> None: ...

    def empty_cart(self, user_id: str, version: int) -> None: ...

    def restore_cart(self, user_id: str, lines: Dict[str, int], emptied: int) -> None: ...

    def discard(self, pending: Order) -> None: ...

    def move(self, before: Order, after: Order) -> None: ...

    def give_back(self, product_id: str, quantity: int, flash_sale: bool) -> None: ...

    def record_event(self, event: str, kind: str) -> None: ...

    def commit(self) -> Optional[Existing]: ...


class CheckoutStore(Protocol):
    def read(
        self, user_id: str, order_id: Optional[str], with_cart: bool, product_ids: Sequence[str]
    ) -> CheckoutView: ...

    def begin(self) -> OrderTransaction: ...


class EventQueue(Protocol):
    """Where the orders' events go (SQS: notifications/gateways.py)."""

    def send(self, events: List[OrderEvent]) -> None: ...


class CheckQueue(Protocol):
    """Where the reservations' checks go, each delivered once its delay (past the lease) is over (SQS:
    notifications/gateways.py's queue with a delay; in memory in tests/unit/fakes.py)."""

    def send(self, checks: List[ReservationMade]) -> None: ...


class OfferSource(Protocol):
    """The catalog, as carts and checkouts read it."""

    def offers(self, product_ids: Iterable[str]) -> Dict[str, Offer]: ...


class OfferKeys(Protocol):
    """The catalog's items that hold offers, for an orders adapter that reads them in the same call as its own
    items (the products adapter says which items, and what they hold: orders never see its records)."""

    def offer_keys(self, product_ids: Iterable[str]) -> List[Tuple[Any, str]]: ...

    def offers_in(self, records: Iterable[Any]) -> Dict[str, Offer]: ...


class StockWrites(Protocol):
    """The catalog's part of an order's transaction: units taken, units given back, and why a take was refused."""

    def take(self, tx: Any, name: str, take: Take) -> None: ...

    def give_back(
        self, tx: Any, name: str, product_id: str, quantity: int, flash_sale: bool
    ) -> None: ...

    def refusal(self, take: Take, failure: Any) -> Exception: ...


class StockLevels(Protocol):
    def levels(self, product_ids: Iterable[str]) -> Dict[str, Dict[int, int]]: ...


class OfferCache(Protocol):
    def get_many(self, keys: Iterable[str]) -> Mapping[Any, Offer]: ...

    def put_many(self, values: Mapping[str, Offer]) -> None: ...

    def clear(self) -> None: ...


class Forgettable(Protocol):
    """A warm cache that a write empties."""

    def clear(self) -> None: ...
