"""Helpers for tests: waiting on asynchronous work (the event pump, SES, SQS), the app's route table, and the
metrics the app logged."""

import json
import re
import time

import boto3


def sent_emails(to: str) -> list:
    """What the embedded AWS's SES has sent to one address. (moto's server runs in this process, so its
    SES backend is read directly: /moto-api/data.json would serialise every table on each call.)"""
    from moto.ses.models import ses_backends

    backend = ses_backends["123456789012"]["us-east-1"]
    return [
        m for m in list(backend.sent_messages) if to in (m.destinations.get("ToAddresses") or [])
    ]


def eventually(check, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def queue_url(name: str) -> str:
    return boto3.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def all_pages(api, path: str, field: str = "id") -> list:
    """Follow next_cursor from the first page to the last; `path` carries the query (limit, filters)."""
    seen, cursor = [], None
    while True:
        joiner = "&" if "?" in path else "?"
        page = api.get(path + (f"{joiner}cursor={cursor}" if cursor else ""))
        assert page.status_code == 200, page.body
        assert page.json["items"] or not seen, "a page after the first must not be empty"
        seen += [item[field] for item in page.json["items"]]
        cursor = page.json["next_cursor"]
        if not cursor:
            return seen


def operations(app) -> list:
    """(method, path, operation record) of every route, read off Chalice's own route table."""
    return [
        (method, path, entry.view_function.operation)
        for path, methods in app.routes.items()
        for method, entry in methods.items()
    ]


def concrete(path: str, value: str = "01ARZ3NDEKTSV4RRFFQ69G5FAV") -> str:
    """The path with every parameter filled in (by default an id of the right shape that names nothing)."""
    return re.sub(r"{\w+}", lambda _: value, path)


def metrics_logged(log_path, since: int) -> list:
    """The EMF metrics the app wrote to its log file after byte `since`, as (namespace, dimensions, name) in order."""
    with log_path.open() as log:
        log.seek(since)
        documents = [
            json.loads(line) for line in log.read().splitlines() if line.startswith('{"_aws"')
        ]
    return [
        (
            d["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            tuple(d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]),
            metric["Name"],
        )
        for d in documents
        for metric in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    ]
