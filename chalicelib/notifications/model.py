"""The notifications the orders' events become; standard library only (the events: orders/events.py)."""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib import display

if TYPE_CHECKING:  # the API's inbox routes never load the orders' model
    from chalicelib.orders.events import OrderEvent


@dataclass(frozen=True)
class Notification:
    id: str
    user_id: str
    type: str
    order_id: str
    subject: str
    message: str
    created_at: str
    read: bool = False
    emailed: bool = False


def notification_id(event: "OrderEvent") -> str:
    """The same for every delivery of the event, and sorting by it sorts by when the event happened:
    `<time, digits only>-<event id>`."""
    return "".join(c for c in event.occurred_at if c in "0123456789") + "-" + event.id


def looks_like_notification_id(text: str) -> bool:
    return bool(_NOTIFICATION_ID.match(text))


_NOTIFICATION_ID = re.compile(r"^[0-9]{1,20}-[0-9A-Za-z]{1,64}\.[A-Z]{1,16}$")


def notification_of(event: "OrderEvent", currency: str) -> Notification:
    subject, message = _TEXTS[event.type]
    values = {
        "order": display.order_reference(event.order_id),
        "amount": display.money(event.total_cents, currency),
        "items": display.count(event.item_count, "item"),
    }
    return Notification(
        id=notification_id(event),
        user_id=event.user_id,
        type=event.type,
        order_id=event.order_id,
        subject=subject.format(**values),
        message=message.format(**values),
        created_at=event.occurred_at,
    )


_TEXTS = {
    "ORDER_PLACED": (
        "We received your order {order}",
        "Thank you! Your order {order} for {items}, {amount}, is placed. "
        "We will let you know when it ships.",
    ),
    "ORDER_SHIPPED": (
        "Your order {order} is on its way",
        "Good news: your order {order} has shipped.",
    ),
    "ORDER_DELIVERED": (
        "Your order {order} was delivered",
        "Your order {order} was delivered. Enjoy!",
    ),
    "ORDER_CANCELLED": (
        "Your order {order} is cancelled",
        "Your order {order} is cancelled; you have not been charged for it.",
    ),
    "ORDER_REFUNDED": (
        "Your order {order} is refunded",
        "We refunded {amount} for your order {order} to the card you paid with.",
    ),
}
