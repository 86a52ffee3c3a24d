"""Carts and orders: lines priced in integer cents, and the order's guarded lifecycle."""
from dataclasses import dataclass, replace
from typing import Dict, Mapping, Optional, Tuple

from chalicelib import errors

MAX_LINES = 50
MAX_QUANTITY = 99

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


def priced(quantities: Mapping[str, int], products: Mapping[str, object]) -> Tuple[Line, ...]:
    """Lines at the products' current names and prices; products that no longer exist drop out."""
    return tuple(Line(pid, products[pid].name, products[pid].price_cents, quantity)
                 for pid, quantity in sorted(quantities.items()) if pid in products)


def merged(requested) -> Dict[str, int]:
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


def shortage(lines, products) -> Optional[str]:
    """The first product whose stock cannot cover its line, if any."""
    for line in lines:
        if products[line.product_id].stock < line.quantity:
            return line.product_id
    return None


class OutOfStock(errors.Conflict):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"not enough stock of product {product_id}")
        self.product_id = product_id


class PriceChanged(errors.Conflict):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"the price of product {product_id} changed while ordering; review the order and retry")
        self.product_id = product_id


class ProductGone(errors.Conflict):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id} is no longer sold")
        self.product_id = product_id


class CartChanged(errors.Conflict):
    def __init__(self) -> None:
        super().__init__("the cart changed while ordering; review it and retry")


class KeyTaken(errors.Conflict):
    """Another request with the same idempotency key committed first."""


class Contended(errors.Unavailable):
    def __init__(self) -> None:
        super().__init__("the shop is busy with the same items; retry shortly")
