"""The scheduled sweep's body (app.py): what it may touch in AWS, and one log line of what it did."""

from dataclasses import asdict

from chalicelib import bootstrap, observability, operation
from chalicelib.operation import Operation

SWEEP = Operation(
    "SCHEDULE",
    "sweep_payments",
    "Settle payments whose request never finished",
    needs=(
        "dynamodb:Query:orders",
        "dynamodb:BatchGetItem:orders",
        "dynamodb:GetItem:orders",
        "dynamodb:UpdateItem:orders",
        "dynamodb:DeleteItem:orders",
        "dynamodb:BatchGetItem:products",
        "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)",
        "secretsmanager:GetSecretValue:stripe",
    ),
)


def sweep() -> dict:
    with operation.serving(SWEEP):
        swept = asdict(bootstrap.services().sweeper.sweep())
    if any(swept.values()):
        observability.logger().warning("payments swept", extra=swept)
    return swept
