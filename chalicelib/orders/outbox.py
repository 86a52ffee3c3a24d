"""The orders table's stream is the orders' outbox: every status change an order's write makes becomes one
OrderEvent on the queue (the notifications consume it). The Publisher is built once with its queue
(bootstrap.py); `publish` is the stream handler's body (app.py names it)."""

from typing import Iterable, List

from chalicelib import bootstrap, observability, operation
from chalicelib.operation import Operation
from chalicelib.orders.events import Change, OrderEvent, event_of_change
from chalicelib.orders.ports import EventQueue

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
    ),
)


class Publisher:
    def __init__(self, queue: EventQueue) -> None:
        self._queue = queue

    def publish(self, changes: Iterable[Change]) -> List[OrderEvent]:
        """Every order status change becomes one event on the queue; other writes, none."""
        events = [e for e in (event_of_change(old, new) for old, new in changes) if e is not None]
        if events:
            self._queue.send(events)
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
