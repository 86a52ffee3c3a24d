"""Carts and orders: lines priced in integer cents, and the order's guarded lifecycle with its payment."""

from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, Mapping, Optional, Tuple

from chalicelib import errors, ids
from chalicelib.payments import model as payments
from chalicelib.payments.model import Payment
from chalicelib.products.model import Offer

MAX_LINES = 50
MAX_QUANTITY = 99
TRANSACTION_ITEMS = 100  # DynamoDB's limit: what one order's transaction writes must fit

PLACED, SHIPPED, DELIVERED, CANCELLED, REFUNDED = (
    "PLACED",
    "SHIPPED",
    "DELIVERED",
    "CANCELLED",
    "REFUNDED",
)
STATUSES = (PLACED, SHIPPED, DELIVERED, CANCELLED, REFUNDED)
# an order whose stock is held while its payment is authorized: never shown, never listed, never an event
PENDING = "PENDING"
AUTHORIZE, SWEEP = "authorize", "sweep"


@dataclass(frozen=True)
class Move:
    """One move of the lifecycle: the statuses it starts from, where it leads, what it does to the payment (the
    provider's operation, and the payment's status after it)."""

    sources: Tuple[str, ...]
    target: str
    operation: Optional[str] = None
    payment: Optional[str] = None


# the only moves an order can make
TRANSITIONS = {
    "place": Move((PENDING,), PLACED),
    "ship": Move((PLACED,), SHIPPED, payments.CAPTURE, payments.CAPTURED),
    "deliver": Move((SHIPPED,), DELIVERED),
    "cancel": Move((PLACED,), CANCELLED, payments.VOID, payments.VOIDED),
    "refund": Move((SHIPPED, DELIVERED), REFUNDED, payments.REFUND, payments.REFUNDED),
}


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
class Operation:
    """A call to the payment provider recorded on the order before it is made (capture, void or refund), and when
    (epoch seconds): while it is recent, the order is that request's to move; after, anyone may settle it."""

    name: str
    since: int

    def stale(self, now: int) -> bool:
        return now - self.since >= payments.OPERATION_LEASE_SECONDS

    def key(self, order_id: str) -> str:
        """The provider's idempotency key for this operation: the same while it is in flight, a new one for an
        operation recorded anew after one that ended (Stripe replays a stored answer, a 500 too, for 24 hours)."""
        return f"{order_id}:{self.name}:{self.since}"


@dataclass(frozen=True)
class Claim:
    """What recording an operation on an order requires: one of these statuses, this owner (for a shopper's own
    request), and either no operation in flight or exactly the one it takes over (`replacing`)."""

    operation: Operation
    sources: Tuple[str, ...]
    owner: Optional[str] = None
    replacing: Optional[Operation] = None


@dataclass(frozen=True)
class Order:
    id: str
    user_id: str
    status: str
    lines: Tuple[Line, ...]
    created_at: str
    updated_at: str
    payment: Optional[Payment] = None
    operation: Optional[Operation] = None

    @property
    def total_cents(self) -> int:
        return sum(line.line_total_cents for line in self.lines)

    def can(self, action: str) -> None:
        """Raise the conflict that names the order's status unless the move may start from it."""
        move = TRANSITIONS[action]
        if self.status not in move.sources:
            sources = " or ".join(move.sources)
            raise errors.Conflict(
                f"order {self.id} is {self.status}; only a {sources} order can be {move.target}"
            )

    def moved(self, action: str, at: str) -> "Order":
        """The order after the move (its payment moved with it, its recorded operation done)."""
        self.can(action)
        move = TRANSITIONS[action]
        payment = (
            self.payment.moved(move.payment) if self.payment and move.payment else self.payment
        )
        return replace(self, status=move.target, updated_at=at, payment=payment, operation=None)

    @property
    def as_placed(self) -> "Order":
        """The order as the request that placed it was answered (what a replay of that request returns)."""
        placed = self.payment.moved(payments.AUTHORIZED) if self.payment else None
        return replace(
            self, status=PLACED, updated_at=self.created_at, payment=placed, operation=None
        )


@dataclass(frozen=True)
class Pending:
    """An order whose stock is held while its payment is authorized, and how (the payment method, and the attempt:
    a new one each time the order id is reserved, so the provider's idempotency key is new each time)."""

    order: Order
    payment_method: str
    attempt: str


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


@dataclass(frozen=True)
class CartLook:
    """What one read before a cart's change found: the shopper's lines (None: no cart yet) and the offers asked
    for."""

    lines: Optional[Dict[str, int]] = None
    offers: Dict[str, Offer] = field(default_factory=dict)


class AlreadyHandled(Exception):
    """The payment provider's event was acted on before: nothing is written again."""


def keyed_order_id(user_id: str, key: str) -> str:
    """An order placed with an idempotency key is named by the user and the key: a retry finds it, and two
    racing requests with one key cannot both write it."""
    return ids.derived(f"order\n{user_id}\n{key}")


def priced(quantities: Mapping[str, int], offers: Mapping[str, Offer]) -> Tuple[Line, ...]:
    """Lines at the products' current names and prices; products that no longer exist drop out."""
    return tuple(
        Line(pid, offers[pid].name, offers[pid].price_cents, quantity)
        for pid, quantity in sorted(quantities.items())
        if pid in offers
    )


def merged(requested: Iterable[Tuple[str, int]]) -> Dict[str, int]:
    """Explicit order lines with the same product merged; 1 to 50 products, 1 to 99 of each."""
    quantities: Dict[str, int] = {}
    for product_id, quantity in requested:
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    if not 1 <= len(quantities) <= MAX_LINES:
        raise errors.InvalidInput(f"field `items`: 1 to {MAX_LINES} different products")
    for product_id, quantity in quantities.items():
        if not 1 <= quantity <= MAX_QUANTITY:
            raise errors.InvalidInput(
                f"field `items`: quantity of {product_id} must be 1 to {MAX_QUANTITY}"
            )
    return quantities
