"""Carts and orders: lines priced in integer cents, and the order's guarded lifecycle."""
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, Mapping, Optional, Tuple

from chalicelib import errors, ids
from chalicelib.products.model import Offer

MAX_LINES = 50
MAX_QUANTITY = 99
TRANSACTION_ITEMS = 100  # DynamoDB's limit: what one order's transaction writes must fit

PLACED, SHIPPED, DELIVERED, CANCELLED = "PLACED", "SHIPPED", "DELIVERED", "CANCELLED"
STATUSES = (PLACED, SHIPPED, DELIVERED, CANCELLED)
# the only moves an order can make: action -> (from, to)
TRANSITIONS = {"ship": (PLACED, SHIPPED), "deliver": (SHIPPED, DELIVERED), "cancel": (PLACED, CANCELLED)}


@dataclass(frozen=True)
class Line:
    product_id: str
    name: str
    unit_price_cents: int
    quantity: int

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass(frozen=True)
class Cart:
    lines: Tuple[Line, ...] = ()

    @property
    def total_cents(self) -> int:
        return sum(line.line_total_cents for line in self.lines)


@dataclass(frozen=True)
class Order:
    id: str
    user_id: str
    status: str
    lines: Tuple[Line, ...]
    created_at: str
    updated_at: str

    @property
    def total_cents(self) -> int:
        return sum(line.line_total_cents for line in self.lines)

    def moved(self, action: str, at: str) -> "Order":
        before, after = TRANSITIONS[action]
        if self.status != before:
            raise errors.Conflict(f"order {self.id} is {self.status}; only a {before} order can be {after}")
        return replace(self, status=after, updated_at=at)

    @property
    def as_placed(self) -> "Order":
        """The order as the request that placed it was answered (what a replay of that request returns)."""
        return replace(self, status=PLACED, updated_at=self.created_at)


@dataclass(frozen=True)
class Existing:
    """An order already placed under an idempotency key, and the hash of the body that placed it."""
    order: Order
    body_hash: Optional[str]


@dataclass(frozen=True)
class Placed:
    """What placing answers: the order, and whether it is the earlier answer to the same idempotency key."""
    order: Order
    replayed: bool = False


@dataclass(frozen=True)
class CheckoutView:
    """What one read before a checkout found: an order already placed with the key, the cart and its version,
    the offers asked for."""
    existing: Optional[Existing] = None
    cart: Dict[str, int] = field(default_factory=dict)
    cart_version: int = 0
    offers: Dict[str, Offer] = field(default_factory=dict)


def keyed_order_id(user_id: str, key: str) -> str:
    """An order placed with an idempotency key is named by the user and the key: a retry finds it, and two
    racing requests with one key cannot both write it."""
    return ids.derived(f"order\n{user_id}\n{key}")


def priced(quantities: Mapping[str, int], offers: Mapping[str, Offer]) -> Tuple[Line, ...]:
    """Lines at the products' current names and prices; products that no longer exist drop out."""
    return tuple(Line(pid, offers[pid].name, offers[pid].price_cents, quantity)
                 for pid, quantity in sorted(quantities.items()) if pid in offers)


def merged(requested: Iterable[Tuple[str, int]]) -> Dict[str, int]:
    """Explicit order lines with the same product merged; 1 to 50 products, 1 to 99 of each."""
    quantities: Dict[str, int] = {}
    for product_id, quantity in requested:
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    if not 1 <= len(quantities) <= MAX_LINES:
        raise errors.InvalidInput(f"field `items`: 1 to {MAX_LINES} different products")
    for product_id, quantity in quantities.items():
        if not 1 <= quantity <= MAX_QUANTITY:
            raise errors.InvalidInput(f"field `items`: quantity of {product_id} must be 1 to {MAX_QUANTITY}")
    return quantities
