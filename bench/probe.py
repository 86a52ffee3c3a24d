"""What one request or event costs the app, measured in process against the embedded AWS (for the cost model,
bench/cost.py): the handler's time less the time its AWS calls spent in botocore (building, waiting on moto,
parsing: moto's time is not the app's, and a Lambda waits on AWS instead), as wall time and as the CPU time of
the thread that serves it (which the machine's other load disturbs less: the cost model uses it), the AWS calls
by service, the round trips it waits for one after the other (calls made in parallel are one), the DynamoDB
units the capacity model charges it, and the bytes it logs at the production log level (its JSON lines and its
EMF metric lines)."""

import contextlib
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import List


class _Discard:
    """A log stream that counts bytes and keeps nothing."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode())
        return len(text)

    def flush(self) -> None:
        pass


@dataclass
class Measured:
    wall_ms: float = 0.0
    aws_ms: float = 0.0
    cpu_ms: float = 0.0  # the serving thread's CPU time
    aws_cpu_ms: float = 0.0  # ... of it inside AWS calls it made itself
    calls: Counter = field(default_factory=Counter)  # "service:Operation" -> calls
    rounds: List[List[str]] = field(default_factory=list)  # the calls of each round trip, in order
    wcu: float = 0.0
    rcu: float = 0.0
    log_bytes: int = 0
    active: int = 0  # its AWS calls in flight
    since: float = 0.0  # when the current round trip began
    thread_cpu_since: float = 0.0

    def as_dict(self) -> dict:
        return {
            "app_ms": round(max(0.0, self.wall_ms - self.aws_ms), 3),
            "app_cpu_ms": round(max(0.0, self.cpu_ms - self.aws_cpu_ms), 3),
            "aws_calls": dict(self.calls),
            "rounds": self.rounds,
            "wcu": round(self.wcu, 2),
            "rcu": round(self.rcu, 2),
            "log_bytes": self.log_bytes,
        }


class Probe:
    EVENTS = (
        ("provide-client-params", "first"),
        ("after-call", "last"),
        ("after-call-error", "last"),
    )

    def __init__(self, clients, meter=None) -> None:
        self._meter = meter
        self._clients = list(clients)
        self._lock = threading.Lock()
        self._current: Measured = None
        self._thread = 0  # the thread being measured
        # first before anything else hooked on a call (the capacity meter reads moto), last after all of it
        for client in self._clients:
            for event, where in self.EVENTS:
                register = getattr(client.meta.events, f"register_{where}")
                register(
                    event,
                    self._started if where == "first" else self._ended,
                    unique_id=f"probe-{event}",
                )

    def uninstall(self) -> None:
        for client in self._clients:
            for event, _ in self.EVENTS:
                client.meta.events.unregister(event, unique_id=f"probe-{event}")

    @contextlib.contextmanager
    def measuring(self):
        measured = self._current = Measured()
        before = self._units()
        self._thread = threading.get_ident()
        with _counting_logs() as logged:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                yield measured
            finally:
                measured.wall_ms = (time.perf_counter() - started) * 1000
                measured.cpu_ms = (time.thread_time() - cpu) * 1000
                self._current = None
        measured.log_bytes = logged.bytes
        measured.wcu, measured.rcu = (after - b for after, b in zip(self._units(), before))

    def _units(self):
        if self._meter is None:
            return 0.0, 0.0
        return sum(self._meter.writes.values()), sum(self._meter.reads.values())

    def _started(self, model, context, **_):
        measured = self._current
        if measured is None:
            return
        context["probe"] = measured
        if threading.get_ident() == self._thread:  # calls of the serving thread follow each other
            measured.thread_cpu_since = time.thread_time()
        name = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            if measured.active == 0:
                measured.since = time.perf_counter()
                measured.rounds.append([])
            measured.active += 1
            measured.calls[name] += 1
            measured.rounds[-1].append(name)

    def _ended(self, context, **_):
        measured = context.pop("probe", None)
        if measured is None:
            return
        if threading.get_ident() == self._thread:
            measured.aws_cpu_ms += (time.thread_time() - measured.thread_cpu_since) * 1000
        with self._lock:
            measured.active -= 1
            if measured.active == 0:
                measured.aws_ms += (time.perf_counter() - measured.since) * 1000


@contextlib.contextmanager
def _counting_logs():
    """The app's log lines and metric lines at INFO, as production writes them, counted and thrown away."""
    from chalicelib import observability

    app_logger = observability.logger()
    handlers = [app_logger.registered_handler] + list(observability._metrics().handlers)
    streams = [h.stream for h in handlers]
    level, disabled = app_logger.log_level, os.environ.get("POWERTOOLS_METRICS_DISABLED")
    sink = _Discard()
    for handler in handlers:
        handler.setStream(sink)
    app_logger.setLevel(logging.INFO)
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "false"
    try:
        yield sink
    finally:
        for handler, stream in zip(handlers, streams):
            handler.setStream(stream)
        app_logger.setLevel(level)
        if disabled is None:
            os.environ.pop("POWERTOOLS_METRICS_DISABLED")
        else:
            os.environ["POWERTOOLS_METRICS_DISABLED"] = disabled


def app_clients() -> list:
    """Every botocore client the app's code uses: DynamoDB's (PynamoDB's too) and the others' it makes on use."""
    from chalicelib import bootstrap

    services = bootstrap.services()
    return [services.dynamodb] + [
        services.client(name) for name in ("sqs", "ses", "cognito-idp", "secretsmanager")
    ]
