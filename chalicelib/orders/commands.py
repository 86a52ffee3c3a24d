"""What a caller asks of the order service: one frozen dataclass per use case (orders/use_cases.py's Orders has a
method for each)."""

from dataclasses import dataclass
from typing import Optional, Tuple

from chalicelib.paging import PageRequest


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's `Idempotency-Key` and the hash of the body it came with: a retry repeats both."""

    key: str
    body_hash: str


@dataclass(frozen=True)
class Requester:
    """Who asks: a user, who may be an admin (admins may act on every user's orders)."""

    user_id: str
    is_admin: bool = False


@dataclass(frozen=True)
class PlaceOrder:
    """Order these lines (product id, quantity), or the cart when `lines` is None, paying with the payment method
    (a Stripe PaymentMethod id)."""

    user_id: str
    payment_method: str
    lines: Optional[Tuple[Tuple[str, int], ...]] = None
    idempotency: Optional[IdempotencyKey] = None


@dataclass(frozen=True)
class CancelOrder:
    order_id: str
    requester: Requester


@dataclass(frozen=True)
class ShipOrder:
    order_id: str


@dataclass(frozen=True)
class DeliverOrder:
    order_id: str


@dataclass(frozen=True)
class RefundOrder:
    order_id: str


@dataclass(frozen=True)
class FindOrder:
    """One order, if the requester may see it (its owner, or an admin)."""

    order_id: str
    requester: Requester


@dataclass(frozen=True)
class OrderHistory:
    """A page of one shopper's orders, newest first."""

    user_id: str
    page: PageRequest


@dataclass(frozen=True)
class AllOrders:
    """A page of all users' orders (of one status when given), newest first."""

    status: Optional[str]
    page: PageRequest


@dataclass(frozen=True)
class SettlePayment:
    """The payment provider says something happened to a payment (a verified event): bring its order there."""

    event_id: str
    event_type: str
    reference: str
