"""Request and answer shapes the cart's, the orders' and the fulfilment's routes share."""

from typing import TYPE_CHECKING, Annotated, Iterable, List, Literal, Optional

import msgspec

from chalicelib import ids, settings
from chalicelib.orders.model import MAX_QUANTITY, STATUSES, Line, Order
from chalicelib.payments.model import STATUSES as PAYMENT_STATUSES

Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]
ProductId = Annotated[str, msgspec.Meta(pattern=ids.PATTERN, description="a product id")]
# the statuses as the OpenAPI document's enums, derived from the models' own tuples (mypy sees plain text)
if TYPE_CHECKING:
    OrderStatus = str
    PaymentStatus = str
else:
    OrderStatus, PaymentStatus = Literal[STATUSES], Literal[PAYMENT_STATUSES]


class LineOut(msgspec.Struct):
    product_id: str
    name: str
    unit_price_cents: int
    quantity: int
    line_total_cents: int


class PaymentOut(msgspec.Struct):
    status: PaymentStatus
    amount_cents: int
    currency: str
    reference: Annotated[
        str, msgspec.Meta(description="the payment provider's id (a Stripe PaymentIntent)")
    ]


class OrderOut(msgspec.Struct):
    id: str
    user_id: str
    status: OrderStatus
    items: List[LineOut]
    total_cents: int
    currency: str
    payment: Optional[PaymentOut]
    created_at: str
    updated_at: str


def lines_out(lines: Iterable[Line]) -> List[LineOut]:
    return [
        LineOut(
            line.product_id, line.name, line.unit_price_cents, line.quantity, line.line_total_cents
        )
        for line in lines
    ]


def order_out(order: Order) -> OrderOut:
    paid = order.payment
    return OrderOut(
        order.id,
        order.user_id,
        order.status,
        lines_out(order.lines),
        order.total_cents,
        settings.get().currency,
        PaymentOut(paid.status, paid.amount_cents, paid.currency, paid.reference) if paid else None,
        order.created_at,
        order.updated_at,
    )
