"""The alarms on what precedes an outage, one set per thing the template holds (ops/inventory.py): Lambda for the
whole account, every table and index, every stream consumer, every queue, every scheduled function, and the
shop's own metrics that mean trouble. Thresholds and missing-data choices are explained in docs/operations.md
under each alarm's anchor."""

from typing import Dict, Iterator, Tuple

from chalicelib import observability
from ops import metrics
from ops.alarms import Math, Query, Stat, When, alarm, logical_id
from ops.inventory import Inventory, Table, schedule_seconds
from ops.slo import NOTIFICATION_FRESHNESS_SECONDS

# an event's way to the inbox is two hops (the stream, then the queue): each may take half the freshness objective
HOP_SECONDS = NOTIFICATION_FRESHNESS_SECONDS // 2

Resources = Iterator[Tuple[str, dict]]


def all_signals(inventory: Inventory) -> Dict[str, dict]:
    found: Dict[str, dict] = {}
    for group in (
        lambda_account(),
        tables(inventory),
        streams(inventory),
        queues(inventory),
        schedules(inventory),
        shop_metrics(),
    ):
        for name, resource in group:
            if name in found:
                raise ValueError(f"two alarms named {name}")
            found[name] = resource
    return found


def lambda_account() -> Resources:
    """No dimension: every function of the account in this Region, so that none is left out (per-function
    views are on the dashboard)."""
    yield (
        logical_id("Lambda", "Errors"),
        alarm(
            "lambda-errors",
            "Lambda functions fail (unhandled errors or timeouts).",
            When(10, period=300, periods=2, missing="notBreaching"),
            Stat(metrics.function("Errors"), "Sum"),
        ),
    )
    yield (
        logical_id("Lambda", "Throttles"),
        alarm(
            "lambda-throttles",
            "Lambda refuses invocations: concurrency is used up.",
            When(0, periods=5, datapoints=3, missing="notBreaching"),
            Stat(metrics.function("Throttles"), "Sum"),
        ),
    )
    yield (
        logical_id("Lambda", "Concurrency"),
        alarm(
            "lambda-concurrency",
            "Claimed Lambda concurrency is above 80% of the account's limit (ConcurrencyLimit).",
            When(0.8, periods=3, missing="notBreaching"),
            Math(
                "claimed / ${ConcurrencyLimit}",
                (("claimed", Stat(metrics.function("ClaimedAccountConcurrency"), "Maximum")),),
            ),
        ),
    )


def tables(inventory: Inventory) -> Resources:
    for table in inventory.tables:
        for index in (None,) + tuple(i.name for i in table.indexes):
            yield from _throttles(table, index)
        yield (
            logical_id(table.logical_id, "SystemErrors"),
            alarm(
                "dynamodb-system-errors",
                f"DynamoDB answers 500 to requests on {table.logical_id}.",
                When(0, periods=5, datapoints=3, missing="notBreaching"),
                Query(
                    metrics.insights_sum(
                        "AWS/DynamoDB",
                        "SystemErrors",
                        ("Operation", "TableName"),
                        {"TableName": "${" + table.logical_id + "}"},
                    )
                ),
            ),
        )
        yield (
            logical_id(table.logical_id, "TransactionConflicts"),
            alarm(
                "transaction-conflicts",
                f"Transactions on {table.logical_id} keep meeting each other.",
                When(100, periods=3, missing="notBreaching"),
                Stat(metrics.table("TransactionConflict", table.logical_id), "Sum"),
            ),
        )


def _throttles(table: Table, index) -> Resources:
    where = f"{table.logical_id}" + (f" index {index}" if index else "")
    yield (
        logical_id(table.logical_id, index, "Throttled"),
        alarm(
            "table-throttled",
            f"DynamoDB throttles reads or writes on {where}.",
            When(0, periods=5, datapoints=3, missing="notBreaching"),
            _sum_of(table, index, "ReadThrottleEvents", "WriteThrottleEvents"),
        ),
    )
    yield (
        logical_id(table.logical_id, index, "HotKey"),
        alarm(
            "hot-key",
            f"One partition key of {where} takes more than a partition serves (Contributor Insights names it).",
            When(0, periods=3, datapoints=2, missing="notBreaching"),
            _sum_of(
                table,
                index,
                "ReadKeyRangeThroughputThrottleEvents",
                "WriteKeyRangeThroughputThrottleEvents",
            ),
        ),
    )


def _sum_of(table: Table, index, read: str, write: str) -> Math:
    # DynamoDB publishes a throttle metric only in minutes it throttled: a missing minute is a zero
    return Math(
        "FILL(r, 0) + FILL(w, 0)",
        (
            ("r", Stat(metrics.table(read, table.logical_id, index), "Sum")),
            ("w", Stat(metrics.table(write, table.logical_id, index), "Sum")),
        ),
    )


def streams(inventory: Inventory) -> Resources:
    for consumer in inventory.of_kind("stream"):
        yield (
            logical_id(consumer.function, "IteratorAge"),
            alarm(
                "stream-consumer-behind",
                f"{consumer.function} reads the {consumer.source} stream late: its oldest record "
                f"is over {HOP_SECONDS} s old.",
                When(HOP_SECONDS * 1000, periods=5, missing="ignore"),
                Stat(metrics.function("IteratorAge", consumer.function), "Maximum"),
            ),
        )


def queues(inventory: Inventory) -> Resources:
    for queue in inventory.consumed_queues:
        # a delayed message (a reservation's check) is due only after its delay: late past that
        late = HOP_SECONDS + inventory.delay_of(queue)
        yield (
            logical_id(queue, "OldestMessage"),
            alarm(
                "queue-consumer-behind",
                f"Messages wait in {queue} for over {late} s.",
                When(late, periods=5, missing="notBreaching"),
                Stat(metrics.queue("ApproximateAgeOfOldestMessage", queue), "Maximum"),
            ),
        )
    for queue in (q for q in inventory.holding_queues if q not in inventory.alarmed_queues):
        yield (
            logical_id(queue, "Waiting"),
            alarm(
                "failed-messages-waiting",
                f"Messages wait in {queue}: work that failed all its retries.",
                When(0, missing="notBreaching"),
                Stat(metrics.queue("ApproximateNumberOfMessagesVisible", queue), "Maximum"),
            ),
        )


def schedules(inventory: Inventory) -> Resources:
    """A scheduled function that stopped running publishes nothing: here missing data is the alarm."""
    for consumer in inventory.of_kind("schedule"):
        every = schedule_seconds(consumer.source) or 86400
        # three runs missed, in whole minutes, at most a day
        period = min(86400, -(-3 * every // 60) * 60)
        yield (
            logical_id(consumer.function, "NotRunning"),
            alarm(
                "scheduled-function-not-running",
                f"{consumer.function} ({consumer.source}) has not run for {period // 60} minutes.",
                When(1, period=period, missing="breaching", comparison="LessThanThreshold"),
                Stat(metrics.function("Invocations", consumer.function), "Sum"),
            ),
        )


# The shop's own metrics that mean a shopper met trouble: (runbook section, what it means, alarm above, period)
TROUBLE: Dict[str, Tuple[str, str, int, int]] = {
    observability.CONTENTION_EXHAUSTED: (
        "contention-exhausted",
        "Orders are answered 503: their transactions kept meeting others past the retries.",
        4,
        300,
    ),
    observability.STALE_SERVED: (
        "stale-catalog-served",
        "Catalog reads are answered from stale copies: DynamoDB is failing the reads.",
        0,
        300,
    ),
    observability.RELEASE_DEFERRED: (
        "release-deferred",
        "Refused checkouts could not give their units back: their checks will, within minutes.",
        4,
        300,
    ),
    observability.SWEEP_FAILED: (
        "sweep-failed",
        "The payments sweep could not settle some orders: their payments wait for its next run.",
        0,
        900,
    ),
    observability.STRIPE_ERROR: (
        "stripe-errors",
        "Calls to Stripe fail (authorizations, captures, voids or refunds).",
        4,
        300,
    ),
}


def shop_metrics() -> Resources:
    """Each of TROUBLE's metrics alarmed; each is published only when it happens (missing data: none happened)."""
    for name, (runbook, what, above, period) in TROUBLE.items():
        yield (
            logical_id(name),
            alarm(
                runbook,
                what,
                When(above, period=period, missing="notBreaching"),
                Stat(metrics.shop(name), "Sum"),
            ),
        )
