"""How the shop talks to Stripe over the network: how long it waits, how often the library tries again, and
whether a failed call may have reached Stripe at all (a call that surely did nothing keeps nothing)."""

import socket
import threading
from typing import Any, Optional

# A function that calls Stripe must outlive Stripe's slowest answer, or Lambda kills it (API Gateway's 502) in the
# middle of a payment: each attempt waits at most CONNECT_SECONDS to connect and READ_SECONDS for the answer
# (requests' timeouts: the read one bounds each wait between bytes, and Stripe sends its answer at once), the
# library tries RETRIES more times (the same idempotency key: safe), and a request makes at most
# CALLS_PER_REQUEST calls one after another (an authorization, the look for it when its answer was lost, its
# cancel; a capture, void or refund, then the intent and its refunds read again). ops/template.py sizes those
# functions' timeout from these.
CONNECT_SECONDS = 1
READ_SECONDS = 3
RETRIES = 1
CALLS_PER_REQUEST = 3


def worst_call_seconds() -> float:
    """How long one call may take when Stripe answers nothing: every attempt timing out, and the library's
    waits between attempts (at most its MAX_DELAY, at least its INITIAL_DELAY)."""
    from stripe._http_client import HTTPClient

    waits = sum(
        max(
            HTTPClient.INITIAL_DELAY,
            min(HTTPClient.INITIAL_DELAY * 2 ** (n - 1), HTTPClient.MAX_DELAY),
        )
        for n in range(1, RETRIES + 1)
    )
    return (CONNECT_SECONDS + READ_SECONDS) * (RETRIES + 1) + waits


class Reach(threading.local):
    """Whether the current call (in this thread) may have reached Stripe's API: an attempt (the library's own
    retries included) that got an answer other than 429, or that failed after connecting. A call that was only
    throttled, or never connected, surely did nothing at Stripe."""

    reached = False

    def watch(self, http_client: Any) -> None:
        kind = type(http_client)

        def noted(method, url, headers, post_data=None):
            try:
                # the class's method as it is at the call (not a bound method kept from now: a wrapper put on
                # the class later, as the benchmarks' Stripe meter is, still sees every request)
                answer = kind.request(http_client, method, url, headers, post_data)
            except Exception as exc:
                self.reached = self.reached or not never_connected(exc)
                raise
            self.reached = self.reached or answer[1] != 429
            return answer

        http_client.request = noted  # the library's retry loop calls it once per attempt


def never_connected(exc: BaseException) -> bool:
    """A connection refused, a name that does not resolve, or a connect timeout, anywhere in the error's causes
    (requests wraps urllib3's, which wraps the socket's): nothing was sent."""
    from urllib3.exceptions import ConnectTimeoutError  # NewConnectionError is one

    seen: Optional[BaseException] = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, (ConnectionRefusedError, socket.gaierror, ConnectTimeoutError)):
            return True
        inner = [getattr(seen, "reason", None), *seen.args[:1], seen.__cause__, seen.__context__]
        seen = next((e for e in inner if isinstance(e, BaseException)), None)
    return False
