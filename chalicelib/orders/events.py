"""What happened to an order, as the shop tells it to others: an order's change (the order before and after one
write) becomes at most one event. Standard library only; the orders table's stream feeds it (orders/outbox.py),
the notifications consume it."""

from dataclasses import asdict, dataclass
from typing import Any, Mapping, Optional, Tuple

from chalicelib import errors
from chalicelib.orders.model import (
    AUTHORIZE,
    CANCELLED,
    DELIVERED,
    PENDING,
    PLACED,
    REFUNDED,
    SHIPPED,
    Operation,
    Order,
)

# a status an order reaches, and the event that says so (PENDING, an order whose payment is being authorized,
# is no event: nothing has happened yet that a shopper is told of)
EVENT_TYPES = {
    PLACED: "ORDER_PLACED",
    SHIPPED: "ORDER_SHIPPED",
    DELIVERED: "ORDER_DELIVERED",
    CANCELLED: "ORDER_CANCELLED",
    REFUNDED: "ORDER_REFUNDED",
}

# one write to an order: the order before (None: it was written then) and after (None: deleted)
Change = Tuple[Optional[Order], Optional[Order]]


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

    def payload(self) -> dict:
        """The event as a message carries it (parse_event reads it back)."""
        return asdict(self)


def event_of_change(old: Optional[Order], new: Optional[Order]) -> Optional[OrderEvent]:
    """The event a write stands for, if any: a write that does not change the status stands for none."""
    if (
        new is None
        or new.status not in EVENT_TYPES
        or (old is not None and old.status == new.status)
    ):
        return None
    return OrderEvent(
        id=f"{new.id}.{new.status}",
        type=EVENT_TYPES[new.status],
        order_id=new.id,
        user_id=new.user_id,
        total_cents=new.total_cents,
        item_count=sum(line.quantity for line in new.lines),
        occurred_at=new.updated_at,
    )


@dataclass(frozen=True)
class ReservationMade:
    """An order was reserved (written PENDING under this authorize): a message the shop sends itself, delivered
    after the lease, to check the reservation then (orders/checks.py): still PENDING under this operation, its
    request never finished. The id is the same however often the stream delivers the write."""

    order_id: str
    operation: str
    since: int

    @property
    def id(self) -> str:
        return f"{self.order_id}.{self.operation}.{self.since}"

    def payload(self) -> dict:
        return asdict(self)

    @property
    def reserved_as(self) -> Operation:
        return Operation(self.operation, self.since)


def reservation_of_change(old: Optional[Order], new: Optional[Order]) -> Optional[ReservationMade]:
    """The reservation a write made, if any: PENDING under a new authorize (a take-over, under the sweep's
    operation, is the in_flight index's to find)."""
    if (
        new is None
        or new.status != PENDING
        or new.operation is None
        or new.operation.name != AUTHORIZE
        or (old is not None and old.operation == new.operation)
    ):
        return None
    return ReservationMade(new.id, new.operation.name, new.operation.since)


def parse_reservation(payload: Mapping[str, Any]) -> ReservationMade:
    """A reservation as its message carried it; 400 for anything else."""
    try:
        return ReservationMade(
            str(payload["order_id"]), str(payload["operation"]), int(payload["since"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise errors.InvalidInput(f"not a reservation: {exc}") from exc


def parse_event(payload: Mapping[str, Any]) -> OrderEvent:
    """An event as a message carried it; 400 for anything else."""
    try:
        event = OrderEvent(**{f: payload[f] for f in OrderEvent.__dataclass_fields__})
    except (KeyError, TypeError) as exc:
        raise errors.InvalidInput(f"not an order event: {exc}") from exc
    if event.type not in EVENT_TYPES.values():
        raise errors.InvalidInput(f"not an order event: unknown type {event.type!r}")
    return event
