"""The queue consumer's body: the orders' events from SQS to the inbox and SES (the stream to SQS is the orders'
own: orders/outbox.py).

The consumer uses Powertools' batch processing, so one bad message does not fail its neighbours. Where the
event source mapping reports partial batch failures (the production template sets ReportBatchItemFailures),
the failed message ids are returned; where it does not (`chalice deploy` cannot set it), any failure fails
the invocation so nothing is lost: the whole batch comes back, and the consumer is idempotent.
"""

import json
from typing import Any, Mapping

from chalicelib import bootstrap, observability, operation, settings
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


class BatchFailed(Exception):
    pass


def deliver(event, context=None) -> Mapping[str, Any]:
    with operation.serving(DELIVER):
        return _deliver(event, context)


def _deliver(event, context) -> Mapping[str, Any]:
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    answer = process_partial_response(
        event=event, record_handler=_deliver_one, processor=processor, context=context
    )
    failures = answer.get("batchItemFailures", [])
    if failures and not settings.get().partial_batch_response:
        raise BatchFailed(
            f"{len(failures)} of {len(event.get('Records', []))} messages failed; retrying the batch"
        )
    return answer


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
