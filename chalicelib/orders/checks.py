"""The reservation checks' consumer (app.py's `check_reservations`): the outbox sends one check for every
reservation, delivered once its lease is over (orders/outbox.py), and the reservation that is still PENDING under
the same operation then is abandoned, as the sweep abandons a PENDING order it finds (Reservations.settle: its
authorization found and cancelled, its units given back). A reservation placed, discarded, reserved again or gone
is left alone; one whose lease is not over yet (a clock ahead) fails its message, which comes back after the
queue's visibility timeout. A reservation costs no write to the in_flight index this way (two per order)."""

import json
import time
from typing import Any, Mapping

from chalicelib import bootstrap, observability, operation
from chalicelib.batches import each_message
from chalicelib.operation import Operation
from chalicelib.orders.events import parse_reservation

# what abandoning a reservation touches (Reservations.settle): the order read, taken over and deleted, its units
# given back, the authorization found and cancelled at Stripe; the sweep does it too (orders/sweeping.py)
ABANDONING = (
    "dynamodb:GetItem:orders",
    "dynamodb:UpdateItem:orders",
    "dynamodb:DeleteItem:orders",
    "dynamodb:BatchGetItem:products",
    "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)",
    "secretsmanager:GetSecretValue:stripe",
)
# what the handler may touch in AWS, its event source mapping's reads included (its IAM role is made from this)
CHECK = Operation(
    "SQS",
    "check_reservations",
    "Abandon reservations whose request never finished",
    needs=(
        *ABANDONING,
        "sqs:ReceiveMessage:reservation-checks",
        "sqs:DeleteMessage:reservation-checks",
        "sqs:GetQueueAttributes:reservation-checks",
    ),
)


def check(event, context=None) -> Mapping[str, Any]:
    with operation.serving(CHECK):
        return each_message(event, context, _check_one)


def _check_one(record) -> None:
    made = parse_reservation(json.loads(record.body))
    outcome = bootstrap.services().reservations.settle(
        made.order_id, made.reserved_as, int(time.time())
    )
    if outcome == "abandoned":
        observability.count(observability.RESERVATION_ABANDONED)
        observability.logger().warning(
            "reservation abandoned", extra={"order_id": made.order_id, "check": made.id}
        )
