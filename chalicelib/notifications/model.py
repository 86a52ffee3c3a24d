"""Order events and the notifications they become; standard library only."""

import re
from dataclasses import dataclass
from typing import Optional

from chalicelib import display, errors

EVENT_TYPES = {
    "PLACED": "ORDER_PLACED",
    "SHIPPED": "ORDER_SHIPPED",
    "DELIVERED": "ORDER_DELIVERED",
    "CANCELLED": "ORDER_CANCELLED",
    "REFUNDED": "ORDER_REFUNDED",
}


@dataclass(frozen=True)
class OrderEvent:
    """Something that happened to an order, named in the past tense; the id is the same however often
    the stream delivers the change (order id + new status), so every consumer can be idempotent on it."""

    id: str
    type: str
    order_id: str
    user_id: str
    total_cents: int
    item_count: int
    occurred_at: str


def event_of_change(old: Optional[dict], new: Optional[dict]) -> Optional[OrderEvent]:
    """The event an order write stands for, if any (a write that does not change the status stands for none)."""
    if not new:
        return None
    status = new.get("status")
    if status not in EVENT_TYPES or (old or {}).get("status") == status:
        return None
    return OrderEvent(
        id=f"{new['id']}.{status}",
        type=EVENT_TYPES[status],
        order_id=new["id"],
        user_id=new["user_id"],
        total_cents=new.get("total_cents", 0),
        item_count=sum(line.get("quantity", 0) for line in new.get("lines", [])),
        occurred_at=new.get("updated_at", ""),
    )


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


def notification_id(event: OrderEvent) -> str:
    """The same for every delivery of the event, and sorting by it sorts by when the event happened:
    `<time, digits only>-<event id>`."""
    return "".join(c for c in event.occurred_at if c in "0123456789") + "-" + event.id


def looks_like_notification_id(text: str) -> bool:
    return bool(_NOTIFICATION_ID.match(text))


_NOTIFICATION_ID = re.compile(r"^[0-9]{1,20}-[0-9A-Za-z]{1,64}\.[A-Z]{1,16}$")


def notification_of(event: OrderEvent, currency: str) -> Notification:
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


def parse_event(payload: dict) -> OrderEvent:
    try:
        return OrderEvent(**{f: payload[f] for f in OrderEvent.__dataclass_fields__})
    except (KeyError, TypeError) as exc:
        raise errors.InvalidInput(f"not an order event: {exc}") from exc
