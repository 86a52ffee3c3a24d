"""What the project knows about each operation, API route or event handler, in one record: its contract (the
OpenAPI document), who may call it (the authorizer and the auth tests) and what AWS it touches (`needs`, read
by ops/needs.py: its IAM role, and the tests that compare it with the calls it makes)."""

import contextvars
from dataclasses import dataclass
from typing import Any, Tuple

JSON = "application/json"


@dataclass(frozen=True)
class Operation:
    method: str  # HTTP method, or STREAM / SQS for an event handler
    path: str  # the route, or the handler's name
    summary: str
    public: bool = False
    admin: bool = False
    request: Any = None  # the msgspec model the body decodes into
    # a body in its sender's own format (Stripe's webhook): the view gets its bytes as `raw=`, and the JSON
    # rules (media type, UTF-8, a key given once, known fields) are the view's to apply, not the edge's
    raw_body: bool = False
    described_body: Any = (
        None  # on a raw_body route, a msgspec model of it for the OpenAPI document only
    )
    max_body: int = 64 * 1024  # bytes; larger is 413
    response: Any = None
    status: int = 200
    errors: Tuple[int, ...] = ()
    needs: Tuple[str, ...] = ()
    cacheable: bool = False
    query: Tuple[Tuple[str, str], ...] = ()
    headers: Tuple[Tuple[str, str], ...] = ()
    produces: Tuple[str, ...] = (JSON,)


# the operation being served, so every AWS call can be attributed to it
current: contextvars.ContextVar = contextvars.ContextVar("current_operation", default=None)


def serving(operation: Operation):
    """`with serving(op):` attributes the calls made inside to op."""
    return _Serving(operation)


class _Serving:
    def __init__(self, operation: Operation) -> None:
        self._operation = operation

    def __enter__(self) -> Operation:
        self._token = current.set(self._operation)
        return self._operation

    def __exit__(self, *_) -> None:
        current.reset(self._token)
