"""Structured JSON logs (Powertools Logger) and business metrics in CloudWatch's Embedded Metric Format, created
on first use. Both are lines on stdout, which Lambda sends to CloudWatch; off Lambda they go to the file named by
`SHOP_LOG_FILE` instead (the local stack and the tests set it), and `POWERTOOLS_METRICS_DISABLED=true` turns the
metrics off."""

import functools
import json
import logging
import os
import sys

# The metrics' one home: the code that emits them and the alarms and dashboard (ops/) that watch them import these
# names, so the two cannot drift. Powertools puts every metric under NAMESPACE with the dimension
# `service` = SERVICE (POWERTOOLS_SERVICE_NAME in production), and nothing else.
NAMESPACE = "shop"
SERVICE = "shop"
SERVICE_DIMENSION = "service"
ORDER_PLACED = "OrderPlaced"
ORDER_REPLAYED = "OrderReplayed"
OUT_OF_STOCK = "OutOfStock"
ORDER_CANCELLED = "OrderCancelled"
ORDER_REFUNDED = "OrderRefunded"
ORDER_EVENT_PUBLISHED = "OrderEventPublished"
NOTIFICATION_EMAILED = "NotificationEmailed"
NOTIFICATION_DUPLICATE = "NotificationDuplicate"
# trouble, each watched by an alarm: an order answered 503 because its transaction kept meeting others (the
# retries used up), a catalog read answered from a stale copy because DynamoDB failed, a Stripe call that failed
CONTENTION_EXHAUSTED = "ContentionExhausted"
STALE_SERVED = "StaleServed"
STRIPE_ERROR = "StripeError"
# work left to others: a reservation a request could not give back (its answer already decided: its check or the
# sweep gives it back), an order the sweep could not settle on this run (it tries again on the next), and a
# reservation whose request never finished, abandoned by its check
RELEASE_DEFERRED = "ReleaseDeferred"
SWEEP_FAILED = "SweepFailed"
RESERVATION_ABANDONED = "ReservationAbandoned"
METRICS = (
    ORDER_PLACED,
    ORDER_REPLAYED,
    OUT_OF_STOCK,
    ORDER_CANCELLED,
    ORDER_REFUNDED,
    ORDER_EVENT_PUBLISHED,
    NOTIFICATION_EMAILED,
    NOTIFICATION_DUPLICATE,
    CONTENTION_EXHAUSTED,
    STALE_SERVED,
    STRIPE_ERROR,
    RELEASE_DEFERRED,
    SWEEP_FAILED,
    RESERVATION_ABANDONED,
)


@functools.lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger

    return Logger(service=SERVICE, logger_handler=_handler())


def count(name: str, value: int = 1) -> None:
    """One CloudWatch metric (a log line; no API call): one of METRICS, in NAMESPACE with the `service` dimension."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():
        return
    metric = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
    metric.add_metric(name=name, unit=MetricUnit.Count, value=value)
    _metrics().info(json.dumps(metric.serialize_metric_set(), separators=(",", ":")))


@functools.lru_cache(maxsize=1)
def _metrics() -> logging.Logger:
    log = logging.getLogger("shop-metrics")
    log.propagate = False  # each line must stay one bare EMF document
    log.setLevel(logging.INFO)
    log.addHandler(_handler())
    return log


def _handler() -> logging.Handler:
    path = os.environ.get("SHOP_LOG_FILE")
    return (
        logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stdout)
    )
