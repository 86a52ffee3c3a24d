"""Stripe's side of the benchmarks: localstripe started for the run, and every HTTP request the app's Stripe
client makes counted (the official library's HTTP client, patched for the run)."""

import contextlib
import os
import pathlib
import threading
from typing import Iterator, List

from devstack import aws
from devstack import stripe as local_stripe

# Stripe's default rate limit in live mode: about 100 read and 100 write operations a second per account (it is
# raised on request); every call that moves money is a write
LIVE_WRITES_PER_SECOND = 100
WRITES = ("payment_intents", "refunds")


class Requests:
    def __init__(self) -> None:
        self.made: List[str] = []  # "POST /v1/payment_intents", ...
        self._lock = threading.Lock()

    def add(self, method: str, url: str) -> None:
        with self._lock:
            self.made.append(
                f"{method.upper()} {url.split('://', 1)[-1].split('/', 1)[-1].split('?')[0]}"
            )

    @property
    def writes(self) -> int:
        return sum(1 for r in self.made if r.startswith("POST "))

    def reset(self) -> None:
        with self._lock:
            self.made.clear()


@contextlib.contextmanager
def running(log_dir: pathlib.Path) -> Iterator[str]:
    """localstripe for the run, the app's Stripe settings pointed at it; its URL."""
    started = local_stripe.start(aws.free_port(), log_dir / "bench-stripe.log")
    os.environ.update(local_stripe.environment(started.url))
    try:
        yield started.url
    finally:
        local_stripe.stop(started)


@contextlib.contextmanager
def counting() -> Iterator[Requests]:
    from stripe import _http_client

    seen = Requests()
    original = _http_client.RequestsClient.request

    def request(self, method, url, headers, post_data=None):
        seen.add(method, url)
        return original(self, method, url, headers, post_data)

    _http_client.RequestsClient.request = request
    try:
        yield seen
    finally:
        _http_client.RequestsClient.request = original
