"""An SQS batch handled message by message with Powertools' batch processing, so one bad message does not fail
its neighbours. Where the event source mapping reports partial batch failures (the production template sets
ReportBatchItemFailures), the failed message ids are returned; where it does not (`chalice deploy` cannot set
it), any failure fails the invocation so nothing is lost: the whole batch comes back, and every consumer is
idempotent."""

from typing import Any, Callable, Mapping

from chalicelib import settings


class BatchFailed(Exception):
    pass


def each_message(event, context, handle_one: Callable[[Any], None]) -> Mapping[str, Any]:
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    answer = process_partial_response(
        event=event, record_handler=handle_one, processor=processor, context=context
    )
    failures = answer.get("batchItemFailures", [])
    if failures and not settings.get().partial_batch_response:
        raise BatchFailed(
            f"{len(failures)} of {len(event.get('Records', []))} messages failed; retrying the batch"
        )
    return answer
