"""The local event pump: what Lambda's event source mappings (and the payments sweep's schedule) do in AWS, for
`chalice local`.

It follows the orders table's stream (from the latest position at start) and long-polls the notifications queue
and the reservation checks' queue (whose messages SQS holds back for their delay, 90 s), and invokes the app's own
handlers with Lambda-shaped events. A stream batch whose handler fails is retried from the same position; of a
queue batch it deletes only the messages the handler processed, leaving failed ones to the visibility timeout and
the redrive policy, and honours `batchItemFailures`.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

import boto3

log = logging.getLogger("devstack.pump")
REGION = "us-east-1"
SWEEP_SECONDS = 60


class Context:
    function_name = "shop-local"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:shop-local"
    aws_request_id = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


@dataclass(frozen=True)
class Queue:
    """A queue and the handler its event source mapping invokes."""

    handler: Callable
    url: str
    arn: str


class Pump:
    def __init__(
        self,
        publish: Callable,
        queues: Sequence[Queue],
        stream_arn: str,
        stop: threading.Event,
        idle_seconds: float = 0.1,
        sweep: Optional[Callable] = None,
    ) -> None:
        self._publish, self._queues, self._sweep = publish, tuple(queues), sweep
        self._stream_arn = stream_arn
        self._stop = stop
        self._idle = idle_seconds
        self._streams = boto3.client("dynamodbstreams")
        self._sqs = boto3.client("sqs")
        self._threads: List[threading.Thread] = []
        self._iterator = self._latest_iterator()

    def start(self) -> "Pump":
        steps = [self._follow_stream] + [
            (lambda queue=queue: self._poll_queue(queue)) for queue in self._queues
        ]
        for n, target in enumerate(steps):
            thread = threading.Thread(
                target=self._forever, args=(target,), daemon=True, name=f"pump-{n}"
            )
            thread.start()
            self._threads.append(thread)
        if self._sweep is not None:
            thread = threading.Thread(
                target=self._sweep_every_minute, daemon=True, name="sweep_payments"
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _sweep_every_minute(self) -> None:
        """The payments sweep, every 60 s (AWS runs it every 5 minutes on its schedule)."""
        while not self._stop.wait(SWEEP_SECONDS):
            try:
                self._sweep(scheduled_event(), Context())
            except Exception:
                log.exception("the payments sweep failed; it runs again in a minute")

    def join(self, timeout: float = None) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def _forever(self, step: Callable[[], bool]) -> None:
        while not self._stop.is_set():
            try:
                busy = step()
            except Exception:
                log.exception("event pump step failed; retrying")
                busy = False
            if not busy:
                self._stop.wait(self._idle)

    # --- the stream -----------------------------------------------------------------------------------

    def _latest_iterator(self) -> str:
        shard = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"][
            "Shards"
        ][-1]
        return self._streams.get_shard_iterator(
            StreamArn=self._stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]

    def stream_step(self) -> bool:
        return self._follow_stream()

    def _follow_stream(self) -> bool:
        answer = self._streams.get_records(ShardIterator=self._iterator, Limit=100)
        records = answer["Records"]
        if records:
            # raises: same batch again
            self._publish(stream_event(records, self._stream_arn), Context())
        self._iterator = answer.get("NextShardIterator") or self._iterator
        return bool(records)

    # --- the queue ------------------------------------------------------------------------------------

    def queue_step(self, wait_seconds: int = 0) -> bool:
        """One receive from each queue (the checks' messages only once their delay is over)."""
        busy = [self._poll_queue(queue, wait_seconds) for queue in self._queues]
        return any(busy)

    def _poll_queue(self, queue: Queue, wait_seconds: int = 1) -> bool:
        messages = self._sqs.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return False
        try:
            answer = queue.handler(sqs_event(messages, queue.arn), Context()) or {}
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        except Exception:
            log.warning(
                "queue handler failed the whole batch of %d; SQS will redeliver", len(messages)
            )
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=queue.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        return True


def stream_event(records: list, stream_arn: str) -> dict:
    """Streams API records as Lambda delivers them: with eventSourceARN and numeric timestamps."""
    shaped = []
    for record in records:
        record = dict(record, eventSourceARN=stream_arn, awsRegion=REGION)
        data = dict(record["dynamodb"])
        created = data.get("ApproximateCreationDateTime")
        if hasattr(created, "timestamp"):
            data["ApproximateCreationDateTime"] = created.timestamp()
        record["dynamodb"] = data
        shaped.append(record)
    return {"Records": shaped}


def scheduled_event() -> dict:
    """What EventBridge's schedule hands the function."""
    import datetime
    import uuid

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep_payments"],
        "detail": {},
    }


def sqs_event(messages: list, queue_arn: str) -> dict:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def for_stack(app_module, stack, stop: threading.Event, **options) -> Pump:
    """A pump between a provisioned stack and the app module's handlers (not yet started)."""
    queues = [
        _queue(app_module.deliver_notifications, f"shop-{stack.stage}-notifications"),
        _queue(app_module.check_reservations, f"shop-{stack.stage}-reservation-checks"),
    ]
    return Pump(
        app_module.publish_order_events,
        queues,
        stack.outputs["OrdersStreamArn"],
        stop,
        sweep=app_module.sweep_payments,
        **options,
    )


def _queue(handler: Callable, name: str) -> Queue:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return Queue(handler, url, arn)


def start(app, stack, stop: threading.Event) -> Pump:
    import sys

    return for_stack(sys.modules["app"], stack, stop).start()
