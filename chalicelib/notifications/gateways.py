"""The queue and the mail service behind small interfaces."""
import json
from dataclasses import asdict
from typing import List

from chalicelib import retry
from chalicelib.notifications.model import OrderEvent

SEND_ATTEMPTS = 3


class EventsNotSent(Exception):
    """SQS refused some entries even after retries: the stream must deliver the batch again."""


class SqsEventQueue:
    def __init__(self, client, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def send(self, events: List[OrderEvent]) -> None:
        """Send in batches of 10, retrying just the entries SQS reports as failed."""
        for start in range(0, len(events), 10):
            pending = {str(i): e for i, e in enumerate(events[start:start + 10])}
            for _ in retry.attempts(SEND_ATTEMPTS):
                answer = self._sqs.send_message_batch(QueueUrl=self._url, Entries=[
                    {"Id": i, "MessageBody": json.dumps(asdict(e))} for i, e in pending.items()])
                pending = {f["Id"]: pending[f["Id"]] for f in answer.get("Failed", [])}
                if not pending:
                    break
            if pending:
                raise EventsNotSent(f"{len(pending)} event(s) not accepted by SQS: {sorted(e.id for e in pending.values())}")


class SesMailer:
    def __init__(self, client, sender: str) -> None:
        self._ses = client
        self._sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        self._ses.send_email(Source=self._sender, Destination={"ToAddresses": [to]},
                             Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                                      "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}})
