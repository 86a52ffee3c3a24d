"""The orders table's stream is the orders' outbox: every status change an order's write makes becomes one
OrderEvent on the queue (the notifications consume it), and every reservation one ReservationMade on the
reservation checks' queue, delivered after the lease (orders/checks.py). The Publisher is built once with its
queues (bootstrap.py); `publish` is the stream handler's body (app.py names it). A send that fails fails the
batch: the stream delivers it again, so neither an event nor a check is lost."""

from typing import Iterable, List

from chalicelib import bootstrap, observability, operation
from chalicelib.operation import Operation
from chalicelib.orders.events import (
    Change,
    OrderEvent,
    event_of_change,
    reservation_of_change,
)
from chalicelib.orders.ports import CheckQueue, EventQueue

# what the handler may touch in AWS, its event source mapping's reads included (its IAM role is made from this)
PUBLISH = Operation(
    "STREAM",
    "publish_order_events",
    "Publish order events",
    needs=(
        "sqs:SendMessage",
        "sqs:GetQueueUrl",
        "dynamodb:DescribeStream:orders",
        "dynamodb:GetRecords:orders",
        "dynamodb:GetShardIterator:orders",
        "dynamodb:ListStreams:orders",
        "sqs:SendMessage:stream-failures",
        "sqs:SendMessage:reservation-checks",
        "sqs:GetQueueUrl:reservation-checks",
    ),
)


class Publisher:
    def __init__(self, queue: EventQueue, checks: CheckQueue) -> None:
        self._queue, self._checks = queue, checks

    def publish(self, changes: Iterable[Change]) -> List[OrderEvent]:
        """Every order status change becomes one event on the queue, every reservation one check on the checks'
        queue; other writes, nothing."""
        changes = list(changes)
        events = [e for e in (event_of_change(old, new) for old, new in changes) if e is not None]
        reserved = [r for r in (reservation_of_change(o, n) for o, n in changes) if r is not None]
        if events:
            self._queue.send(events)
        if reserved:
            self._checks.send(reserved)
        return events


def publish(stream_event: dict) -> int:
    """A batch of the orders table's stream records to the queue; the number of events sent."""
    from chalicelib.orders.repository import changes_in

    with operation.serving(PUBLISH):
        events = bootstrap.services().publisher.publish(changes_in(stream_event))
    if events:
        observability.logger().info(
            "order events published", extra={"events": [e.id for e in events]}
        )
        observability.count(observability.ORDER_EVENT_PUBLISHED, len(events))
    return len(events)
