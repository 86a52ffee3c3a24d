"""Structured JSON logs (Powertools Logger) and business metrics in CloudWatch's Embedded Metric Format, created
on first use. Both are lines on stdout, which Lambda sends to CloudWatch; off Lambda they go to the file named by
`SHOP_LOG_FILE` instead (the local stack and the tests set it), and `POWERTOOLS_METRICS_DISABLED=true` turns the
metrics off."""
import functools
import json
import logging
import os
import sys


STRIPE_ERROR = "StripeError"  # the payment provider failed (429, 5xx, no answer): each call counted once


@functools.lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger
    return Logger(service="shop", logger_handler=_handler())


def count(name: str, value: int = 1) -> None:
    """One CloudWatch metric (a log line; no API call), namespace `shop`."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled
    if is_metrics_disabled():
        return
    metric = EphemeralMetrics(namespace="shop", service="shop")
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
    return logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stdout)
