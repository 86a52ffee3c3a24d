"""Structured JSON logs (Powertools Logger), created on first use."""
import functools


@functools.lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger
    return Logger(service="shop")


def count(name: str, value: int = 1) -> None:
    """One CloudWatch metric in Embedded Metric Format (a log line; no API call), namespace `shop`."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace="shop") as metric:
        metric.add_dimension(name="service", value="shop")
