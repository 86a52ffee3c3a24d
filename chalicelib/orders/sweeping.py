"""The scheduled sweep's body (app.py): what it may touch in AWS, and one log line of what it did."""

from dataclasses import asdict

from chalicelib import bootstrap, observability, operation
from chalicelib.operation import Operation
from chalicelib.orders.checks import ABANDONING

SWEEP = Operation(
    "SCHEDULE",
    "sweep_payments",
    "Settle payments whose request never finished",
    # the index of operations in flight and their orders, then each settled (a PENDING one abandoned)
    needs=("dynamodb:Query:orders", "dynamodb:BatchGetItem:orders", *ABANDONING),
)


def sweep() -> dict:
    with operation.serving(SWEEP):
        swept = asdict(bootstrap.services().sweeper.sweep())
    if any(swept.values()):
        observability.logger().warning("payments swept", extra=swept)
    return swept
