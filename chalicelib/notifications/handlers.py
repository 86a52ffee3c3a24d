"""The queue consumer's body: the orders' events from SQS to the inbox and SES (the stream to SQS is the orders'
own: orders/outbox.py), message by message (chalicelib/batches.py: one bad message does not fail its
neighbours)."""

import json
from typing import Any, Mapping

from chalicelib import bootstrap, observability, operation
from chalicelib.batches import each_message
from chalicelib.operation import Operation
from chalicelib.orders.events import parse_event


# what the handler may touch in AWS, its event source mapping's reads included (its IAM role is made from this)
DELIVER = Operation(
    "SQS",
    "deliver_notifications",
    "Deliver notifications",
    needs=(
        "dynamodb:PutItem:notifications",
        "dynamodb:GetItem:notifications",
        "dynamodb:UpdateItem:notifications",
        "dynamodb:GetItem:users",
        "ses:SendEmail",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ),
)


def deliver(event, context=None) -> Mapping[str, Any]:
    with operation.serving(DELIVER):
        return each_message(event, context, _deliver_one)


def _deliver_one(record) -> None:
    event = parse_event(json.loads(record.body))
    emailed = bootstrap.services().notifications.deliver(event)
    observability.logger().info(
        "notification delivered" if emailed else "duplicate event ignored",
        extra={"event_id": event.id, "message_id": record.message_id},
    )
    observability.count(
        observability.NOTIFICATION_EMAILED if emailed else observability.NOTIFICATION_DUPLICATE
    )
