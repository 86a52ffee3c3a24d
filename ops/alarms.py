"""How an alarm is written, and the one SNS topic every alarm notifies (an e-mail subscription when the stack's
`AlarmEmail` parameter names one). Each alarm's description says what it means and links its runbook section in
docs/operations.md; thresholds and the treatment of missing data are chosen there, per alarm, with the reason.
What is alarmed lives in ops/signals.py (outage precursors) and ops/slo_alarms.py (burn rates, latency)."""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

TOPIC = "AlarmTopic"
RUNBOOK = "docs/operations.md"
ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE = "AWS::CloudWatch::CompositeAlarm"


# what a period without data counts as (CloudWatch's TreatMissingData)
MISSING = ("notBreaching", "breaching", "ignore", "missing")


@dataclass(frozen=True)
class When:
    """An alarm's condition: above `threshold` in `datapoints` of the last `periods` periods of `period` seconds.
    `missing` has no default: each alarm says what a period without data means for it (docs/operations.md says
    why, under the alarm's anchor)."""

    threshold: float
    period: int = 60
    periods: int = 1
    datapoints: int = 0  # 0: all of the periods
    missing: str = field(kw_only=True)
    comparison: str = "GreaterThanThreshold"

    def __post_init__(self) -> None:
        if self.missing not in MISSING:
            raise ValueError(f"missing={self.missing!r}: CloudWatch takes one of {MISSING}")


@dataclass(frozen=True)
class Stat:
    """One metric and its statistic (`Sum`, `Maximum`, or an extended one such as `p99`)."""

    metric: dict
    stat: str


@dataclass(frozen=True)
class Math:
    """A metric math expression over named metrics (CloudWatch allows 10 in an alarm); may hold `${...}`."""

    expression: str
    metrics: Tuple[Tuple[str, Stat], ...]


@dataclass(frozen=True)
class Query:
    """A Metrics Insights query (one time series); may hold `${...}`."""

    sql: str


def alarm(runbook: str, what: str, when: When, source, notify: bool = True) -> dict:
    """An AWS::CloudWatch::Alarm. `runbook` is the anchor of its section in docs/operations.md; `notify=False`
    for an alarm that pages only through a composite."""
    props = {
        "AlarmDescription": f"{what} Runbook: {RUNBOOK}#{runbook}",
        "EvaluationPeriods": when.periods,
        "DatapointsToAlarm": when.datapoints or when.periods,
        "Threshold": when.threshold,
        "ComparisonOperator": when.comparison,
        "TreatMissingData": when.missing,
    }
    props.update(_source(source, when.period))
    if notify:
        props.update(_actions())
    return {"Type": ALARM, "Properties": props}


def composite(runbook: str, what: str, members: List[str]) -> dict:
    """Pages only when every member alarm is in ALARM."""
    rule = " AND ".join(f'ALARM("${{{member}}}")' for member in members)
    return {
        "Type": COMPOSITE,
        "Properties": {
            "AlarmDescription": f"{what} Runbook: {RUNBOOK}#{runbook}",
            "AlarmRule": {"Fn::Sub": rule},
            **_actions(),
        },
    }


def topic_resources() -> Dict[str, dict]:
    """The topic, its optional e-mail subscription, and the parameters and condition they need."""
    return {
        TOPIC: {
            "Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": {"Fn::Sub": "${AWS::StackName} alarms"}},
        },
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {
                "TopicArn": {"Ref": TOPIC},
                "Protocol": "email",
                "Endpoint": {"Ref": "AlarmEmail"},
            },
        },
    }


PARAMETERS = {
    "AlarmEmail": {
        "Type": "String",
        "Default": "",
        "Description": "an address that gets every alarm of the stack (confirm the subscription); empty: none",
    },
    "ConcurrencyLimit": {
        "Type": "Number",
        "Default": 1000,
        "MinValue": 1,
        "Description": "the account's Lambda concurrency quota in this Region (1,000 unless raised)",
    },
}
CONDITIONS = {"HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}}


def notify_all(resources: Dict[str, dict]) -> None:
    """Alarms the template had already (infra/template.yaml's) notify the topic too, unless a composite pages for
    them."""
    in_composites = {m for r in resources.values() if r["Type"] == COMPOSITE for m in members_of(r)}
    for name, resource in resources.items():
        if (
            resource["Type"] == ALARM
            and name not in in_composites
            and "AlarmActions" not in resource["Properties"]
        ):
            resource["Properties"].update(_actions())


def members_of(composite_alarm: dict) -> List[str]:
    return re.findall(
        r'ALARM\("\$\{(\w+)\}"\)', composite_alarm["Properties"]["AlarmRule"]["Fn::Sub"]
    )


def logical_id(*parts: Optional[str]) -> str:
    """`OrdersTable`, `all_orders`, `Throttled` -> `OrdersTableAllOrdersThrottledAlarm`."""
    return "".join(camel(p) for p in parts if p) + "Alarm"


def _source(source, period: int) -> dict:
    if isinstance(source, Stat):
        stat = (
            {"ExtendedStatistic": source.stat}
            if re.fullmatch(r"p\d+(\.\d+)?", source.stat)
            else {"Statistic": source.stat}
        )
        return {**source.metric, **stat, "Period": period}
    if isinstance(source, Math):
        queries = [
            {
                "Id": key,
                "ReturnData": False,
                "MetricStat": {"Metric": s.metric, "Stat": s.stat, "Period": period},
            }
            for key, s in source.metrics
        ]
        return {
            "Metrics": queries
            + [{"Id": "result", "Expression": _sub(source.expression), "ReturnData": True}]
        }
    return {
        "Metrics": [
            {"Id": "result", "Expression": _sub(source.sql), "Period": period, "ReturnData": True}
        ]
    }


def _sub(text: str):
    return {"Fn::Sub": text} if "${" in text else text


def _actions() -> dict:
    return {"AlarmActions": [{"Ref": TOPIC}], "OKActions": [{"Ref": TOPIC}]}


def camel(text: str) -> str:
    """`all_orders` -> `AllOrders`, `GET /products/{id}` -> `GETProductsId`: a CloudFormation logical id's part."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", text) if part)
