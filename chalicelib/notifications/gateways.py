"""The notifications' queue (the orders' events go to it: orders/ports.py's EventQueue; the reservations' checks
go to a queue of the same kind, with a delay: CheckQueue) and the mail service."""

import json
from typing import Dict, Protocol, Sequence

from chalicelib import retry


class Message(Protocol):
    """What goes on a queue: an id that names it in failures, and its body."""

    @property
    def id(self) -> str: ...

    def payload(self) -> dict: ...


class EventsNotSent(Exception):
    """SQS refused some entries even after retries: the stream must deliver the batch again."""


class EntriesRefused(retry.RetrySignal):
    """SQS refused some entries of a batch (throttled, say): send just those again, after a wait."""

    waits = True

    def __init__(self, pending: Dict[str, Message]) -> None:
        super().__init__(sorted(e.id for e in pending.values()))
        self.pending = pending

    def exhausted(self) -> Exception:
        return EventsNotSent(f"{len(self.pending)} event(s) not accepted by SQS: {self.args[0]}")


class SqsEventQueue:
    """A queue the shop sends to; `delay_seconds` (at most SQS's 900) holds each message back that long."""

    def __init__(self, client, queue_url: str, delay_seconds: int = 0) -> None:
        self._sqs = client
        self._url = queue_url
        self._delay = {"DelaySeconds": delay_seconds} if delay_seconds else {}

    def send(self, events: Sequence[Message]) -> None:
        """Send in batches of 10, retrying just the entries SQS reports as failed."""
        for start in range(0, len(events), 10):
            batch = {str(i): e for i, e in enumerate(events[start : start + 10])}
            retry.EVENT_SENDS.run(lambda signals: self._send_once(_unsent(signals, batch)))

    def _send_once(self, pending: Dict[str, Message]) -> None:
        answer = self._sqs.send_message_batch(
            QueueUrl=self._url,
            Entries=[
                {"Id": i, "MessageBody": json.dumps(e.payload()), **self._delay}
                for i, e in pending.items()
            ],
        )
        refused = {f["Id"]: pending[f["Id"]] for f in answer.get("Failed", [])}
        if refused:
            raise EntriesRefused(refused)


def _unsent(signals: retry.Signals, batch: Dict[str, Message]) -> Dict[str, Message]:
    """What the last attempt left unsent: the whole batch at first."""
    last = signals.seen[-1] if signals.seen else None
    return last.pending if isinstance(last, EntriesRefused) else batch


class SesMailer:
    def __init__(self, client, sender: str) -> None:
        self._ses = client
        self._sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        self._ses.send_email(
            Source=self._sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        )
