"""PynamoDB plumbing shared by the repositories: one DynamoDB client for every model and transaction, models
bound to the stage's tables at first use, and transactions whose items are read back by name.

Every model and transaction goes through the same botocore client (retries, timeouts, and the hooks that tests
and benchmarks register on `bootstrap.services().dynamodb` see every call).
"""

from typing import Any, Callable, Dict, List, Optional, Tuple

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

ALL_OLD = "ALL_OLD"


class _Connection(Connection):
    """PynamoDB's connection, its botocore sessions (one per thread, as PynamoDB keeps them) made by `sdk`."""

    @property
    def session(self):
        if getattr(self._local, "session", None) is None:
            from chalicelib import sdk

            self._local.session = sdk.session()
        return self._local.session


def connection(region: str) -> Connection:
    """One connection whose botocore client every model and transaction shares."""
    return _Connection(
        region=region, connect_timeout_seconds=2, read_timeout_seconds=10, max_retry_attempts=2
    )


def bind(model, table: str, shared: Connection) -> None:
    """Point a model (and its subclasses, which share its Meta) at a table, through the shared client."""
    current = model.__dict__.get("_connection")
    if current is not None and current.table_name == table and current.connection is shared:
        return
    model.Meta.table_name = table
    model._connection = None
    table_connection = model._get_connection()
    shared.add_meta_table(table_connection.get_meta_table())
    table_connection.connection = shared


def error_code(exc: BaseException) -> str:
    """The AWS error code behind a PynamoDB or botocore exception ('' when there is none)."""
    if isinstance(exc, PynamoDBException):
        return exc.cause_response_code or ""
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def condition_failed(exc: BaseException) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def unless_condition_fails(write: Callable[[], Any]) -> bool:
    """Run a conditional write: True when it was written, False when its condition failed (anything else raises)."""
    try:
        write()
    except PynamoDBException as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


class Failure:
    """Why one item of a cancelled transaction failed: its code and, where asked for, the item as it was."""

    def __init__(self, code: Optional[str], item: Optional[Dict[str, Any]]) -> None:
        self.code = code or "None"
        self.item = item

    @property
    def condition_failed(self) -> bool:
        return self.code == "ConditionalCheckFailed"

    def record(self, model):
        """The failed item as a model instance (None when it did not exist)."""
        return model.from_raw_data(self.item) if self.item else None


class Transaction:
    """A TransactWrite whose items carry names, so a cancellation is read by name, not by position.

    PynamoDB sends condition checks, then deletes, then puts, then updates; the names follow that order."""

    _ORDER = ("check", "delete", "save", "update")

    def __init__(self, shared: Connection) -> None:
        self._shared = shared
        self._items: Dict[str, List[Tuple[str, Any]]] = {kind: [] for kind in self._ORDER}
        self._alone: Optional[Tuple[str, Callable[[], Any]]] = (
            None  # the last item, when it may go alone
        )

    def __len__(self) -> int:
        return sum(len(items) for items in self._items.values())

    def check(self, name: str, model_cls, key: str, condition) -> None:
        self._add("check", name, lambda tx: tx.condition_check(model_cls, key, condition=condition))

    def delete(self, name: str, record, condition=None) -> None:
        self._add("delete", name, lambda tx: tx.delete(record, condition=condition))

    def save(self, name: str, record, condition=None, return_old: bool = False) -> None:
        returned = ALL_OLD if return_old else None
        self._add(
            "save", name, lambda tx: tx.save(record, condition=condition, return_values=returned)
        )

    def update(self, name: str, record, actions, condition=None, return_old: bool = False) -> None:
        returned = ALL_OLD if return_old else None
        self._add(
            "update",
            name,
            lambda tx: tx.update(
                record, actions=actions, condition=condition, return_values=returned
            ),
        )
        self._alone = (name, lambda: record.update(actions=actions, condition=condition))

    def _add(self, kind: str, name: str, write) -> None:
        self._items[kind].append((name, write))
        self._alone = None

    def commit(self) -> Dict[str, "Failure"]:
        """Write everything or nothing: {} when written, else why each named item failed. A transaction of one
        update is written as a plain conditional UpdateItem: the same outcome at half the write units."""
        ordered = [item for kind in self._ORDER for item in self._items[kind]]
        if len(ordered) == 1 and self._alone is not None:
            name, write = self._alone
            return (
                {}
                if unless_condition_fails(write)
                else {name: Failure("ConditionalCheckFailed", None)}
            )
        try:
            with TransactWrite(connection=self._shared) as tx:
                for _, write in ordered:
                    write(tx)
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                if exc.cause is None:
                    raise
                raise exc.cause from exc
            reasons = exc.cancellation_reasons or []
            failures = {
                name: Failure(r.code if r else None, r.raw_item if r else None)
                for (name, _), r in zip(ordered, reasons)
            }
            return failures or {"": Failure("TransactionCanceled", None)}
        return {}


def read_together(shared: Connection, wanted: List[Tuple[Any, str]]) -> List[Optional[Any]]:
    """Items of several tables in one strongly consistent BatchGetItem (more only past 100 keys, or for keys
    DynamoDB left unprocessed): (model class, hash key) in, the records (or None) out, in the same order.

    PynamoDB's batch_get reads one table; this is the one place that calls the low-level client for reads,
    so a checkout reads its key's order, its cart and its products in one round trip."""
    tables: Dict[str, Tuple[Any, str]] = {}
    requests: Dict[str, List[dict]] = {}
    for model_cls, key in wanted:
        table = model_cls.Meta.table_name
        name = model_cls._hash_key_attribute().attr_name
        tables[table] = (model_cls, name)
        keys = requests.setdefault(table, [])
        if {name: {"S": key}} not in keys:
            keys.append({name: {"S": key}})
    found: Dict[Tuple[str, str], Any] = {}
    pending = [(table, key) for table, keys in requests.items() for key in keys]
    while pending:
        chunk, pending = pending[:100], pending[100:]
        request: Dict[str, dict] = {}
        for table, item_key in chunk:
            request.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append(item_key)
        # botocore's clients are made at run time: no static type has the operation
        client: Any = shared.client
        answer = client.batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            model_cls, name = tables[table]
            for item in items:
                found[(table, item[name]["S"])] = model_cls.from_raw_data(item)
        pending += [
            (table, key)
            for table, left in (answer.get("UnprocessedKeys") or {}).items()
            for key in left["Keys"]
        ]
    return [found.get((model_cls.Meta.table_name, key)) for model_cls, key in wanted]
