"""Structured JSON logs (Powertools Logger), created on first use."""
import functools


@functools.lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger
    return Logger(service="shop")
