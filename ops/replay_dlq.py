"""`make replay-dlq STAGE=... [QUEUE=reservation-checks]`: move every message of a dead-letter queue (the
notifications', or the reservation checks') back to its queue.

A message leaves the dead-letter queue only after the main queue has accepted it: it is sent first and
deleted second, so a crash in between can duplicate a message (harmless: the notifications' consumer is
idempotent on the event id, a reservation's check on the order's state) but never lose one. A replayed check
waits the queue's own delay (90 s); its reservation's lease is long over by then.
"""

import argparse
import sys

import boto3

# the queues with a dead-letter queue (infra/template.yaml), by the name after shop-<stage>-
QUEUES = ("notifications", "reservation-checks")


def replay(sqs, dead_letter_url: str, queue_url: str, wait_seconds: int = 1) -> int:
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=dead_letter_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            MessageAttributeNames=["All"],
            VisibilityTimeout=30,
        ).get("Messages", [])
        if not messages:
            return moved
        by_id = {str(i): m for i, m in enumerate(messages)}
        sent = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {
                    "Id": i,
                    "MessageBody": m["Body"],
                    "MessageAttributes": m.get("MessageAttributes", {}),
                }
                for i, m in by_id.items()
            ],
        )
        accepted = [by_id[s["Id"]] for s in sent.get("Successful", [])]
        if accepted:
            sqs.delete_message_batch(
                QueueUrl=dead_letter_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(accepted)
                ],
            )
        moved += len(accepted)
        if sent.get("Failed"):
            print(
                f"{len(sent['Failed'])} message(s) not accepted by the queue; they stay in the dead-letter queue",
                file=sys.stderr,
            )
            return moved


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="replay-dlq")
    parser.add_argument("--stage", required=True)
    parser.add_argument("--queue", choices=QUEUES, default=QUEUES[0])
    args = parser.parse_args(argv)
    sqs = boto3.client("sqs")
    name = f"shop-{args.stage}-{args.queue}"
    queue = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    dead_letters = sqs.get_queue_url(QueueName=f"{name}-dlq")["QueueUrl"]
    moved = replay(sqs, dead_letters, queue)
    print(f"moved {moved} message(s) from {name}-dlq back to {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
