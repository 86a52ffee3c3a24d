"""What operating the shop must watch, read off the production template itself, never off a list kept by hand:
every table and index, every function and what each consumes (a stream, a queue, a schedule), the queues where
failures wait (dead letters, failure destinations: queues no function consumes), and the REST API's operations.
A table, queue or scheduled function someone adds to infra/template.yaml or the app gets its alarms and its
place on the dashboard without a change here."""

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

FUNCTION = "AWS::Serverless::Function"
API = "AWS::Serverless::Api"


@dataclass(frozen=True)
class Index:
    name: str
    sorted: bool  # has a sort key (Contributor Insights then keeps rules for both keys)


@dataclass(frozen=True)
class Table:
    logical_id: str
    sorted: bool
    indexes: Tuple[Index, ...]


@dataclass(frozen=True)
class Consumer:
    function: str  # the function's logical id
    kind: str  # "stream", "queue" or "schedule"
    source: str  # the table or queue's logical id, or the schedule's expression


@dataclass(frozen=True)
class Operation:
    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Inventory:
    tables: Tuple[Table, ...]
    functions: Tuple[str, ...]
    consumers: Tuple[Consumer, ...]
    queues: Tuple[str, ...]
    # queues an alarm of the template (infra/template.yaml's) already watches
    alarmed_queues: Tuple[str, ...]
    api: str  # the REST API's logical id
    stage: str
    operations: Tuple[Operation, ...]
    # queues whose messages SQS holds back (DelaySeconds), and for how long: they are that much older when due
    delays: Tuple[Tuple[str, int], ...] = ()

    def delay_of(self, queue: str) -> int:
        return dict(self.delays).get(queue, 0)

    @property
    def consumed_queues(self) -> Tuple[str, ...]:
        return tuple(c.source for c in self.consumers if c.kind == "queue")

    @property
    def holding_queues(self) -> Tuple[str, ...]:
        """Queues no function consumes: what lands there (dead letters, failed stream batches) waits for a person."""
        return tuple(q for q in self.queues if q not in self.consumed_queues)

    def of_kind(self, kind: str) -> List[Consumer]:
        return [c for c in self.consumers if c.kind == kind]


def read(template: dict) -> Inventory:
    resources = template["Resources"]
    api = next(name for name, r in resources.items() if r["Type"] == API)
    paths = resources[api]["Properties"]["DefinitionBody"]["paths"]
    return Inventory(
        tables=tuple(
            _table(name, r["Properties"]) for name, r in _of_type(resources, "AWS::DynamoDB::Table")
        ),
        functions=tuple(name for name, _ in _of_type(resources, FUNCTION)),
        consumers=tuple(
            c
            for name, r in _of_type(resources, FUNCTION)
            for c in _consumers(name, r["Properties"])
        ),
        queues=tuple(name for name, _ in _of_type(resources, "AWS::SQS::Queue")),
        alarmed_queues=tuple(
            sorted(
                {
                    _logical_id(d["Value"])
                    for _, r in _of_type(resources, "AWS::CloudWatch::Alarm")
                    for d in r["Properties"].get("Dimensions", [])
                    if d["Name"] == "QueueName"
                }
            )
        ),
        api=api,
        stage=resources[api]["Properties"]["StageName"],
        operations=tuple(
            Operation(method.upper(), path)
            for path, methods in sorted(paths.items())
            for method in sorted(methods)
            if not method.startswith("x-")
        ),
        delays=tuple(
            (name, int(r["Properties"]["DelaySeconds"]))
            for name, r in _of_type(resources, "AWS::SQS::Queue")
            if r["Properties"].get("DelaySeconds")
        ),
    )


def schedule_seconds(expression: str) -> Optional[int]:
    """How often `rate(5 minutes)` runs, in seconds; None for a cron expression (no fixed interval)."""
    found = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression.strip())
    if not found:
        return None
    return int(found[1]) * {"minute": 60, "hour": 3600, "day": 86400}[found[2]]


def _of_type(resources: dict, kind: str) -> List[Tuple[str, dict]]:
    return sorted((name, r) for name, r in resources.items() if r["Type"] == kind)


def _table(name: str, props: dict) -> Table:
    indexes = tuple(
        Index(i["IndexName"], _sorted(i["KeySchema"]))
        for i in props.get("GlobalSecondaryIndexes", [])
    )
    return Table(name, _sorted(props["KeySchema"]), indexes)


def _sorted(key_schema: list) -> bool:
    return any(k["KeyType"] == "RANGE" for k in key_schema)


def _consumers(function: str, props: dict) -> List[Consumer]:
    found = []
    for event in props.get("Events", {}).values():
        kind, source = _source(event)
        if kind:
            found.append(Consumer(function, kind, source))
    return found


def _source(event: dict) -> Tuple[Optional[str], str]:
    props: Dict = event.get("Properties", {})
    if event["Type"] in ("DynamoDB", "Kinesis"):
        return "stream", _logical_id(props["Stream"])
    if event["Type"] == "SQS":
        return "queue", _logical_id(props["Queue"])
    if event["Type"] in ("Schedule", "ScheduleV2"):
        expression = props.get("Schedule") or props.get("ScheduleExpression")
        return "schedule", expression
    return None, ""


def _logical_id(reference) -> str:
    """The resource an event source names: {"Fn::GetAtt": [X, "Arn"]}, {"Ref": X} or an ARN's Fn::Sub."""
    if isinstance(reference, dict) and "Fn::GetAtt" in reference:
        return reference["Fn::GetAtt"][0]
    if isinstance(reference, dict) and "Ref" in reference:
        return reference["Ref"]
    raise ValueError(
        f"an event source the inventory cannot name: {reference!r} (point it at its resource with "
        "Fn::GetAtt in ops/template.py, as the stream and the queue are)"
    )
