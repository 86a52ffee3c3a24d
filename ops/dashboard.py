"""The CloudWatch dashboard of the stack, generated from what the template holds (ops/inventory.py): the SLOs'
burn, requests, errors and p99 per operation, orders per minute and the shop's trouble metrics, Lambda per
function, DynamoDB per table and index, the stream's and the queues' age and the dead letters. Every metric comes
from ops/metrics.py (checked against what its service publishes); resource names are `${LogicalId}` of Fn::Sub."""

import json
from typing import Dict, List

from chalicelib import observability
from ops import metrics, signals, slo
from ops.alarms import COMPOSITE
from ops.inventory import Inventory

WIDTH, HEIGHT = 12, 6


def dashboard(inventory: Inventory, resources: Dict[str, dict]) -> dict:
    widgets = [w for row in _rows(inventory, resources) for w in row]
    for n, widget in enumerate(widgets):
        widget.update(x=(n % 2) * WIDTH, y=(n // 2) * HEIGHT, width=WIDTH, height=HEIGHT)
    body = json.dumps({"widgets": widgets}, separators=(",", ":"), sort_keys=True)
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": {"Ref": "AWS::StackName"},
            "DashboardBody": {"Fn::Sub": body},
        },
    }


def _rows(inventory: Inventory, resources: Dict[str, dict]) -> List[List[dict]]:
    operations = inventory.operations
    functions = inventory.functions
    sources = [(t.logical_id, None) for t in inventory.tables] + [
        (t.logical_id, i.name) for t in inventory.tables for i in t.indexes
    ]
    return [
        [_burn(inventory), _alarms(resources)],
        [
            _graph(
                "Requests per operation",
                [
                    _line(metrics.api("Count", inventory.stage, o), "Sum", str(o))
                    for o in operations
                ],
            ),
            _graph(
                "5xx answers per operation",
                [
                    _line(metrics.api("5XXError", inventory.stage, o), "Sum", str(o))
                    for o in operations
                ],
            ),
        ],
        [
            _graph(
                "p99 latency per operation (ms)",
                [
                    _line(metrics.api("Latency", inventory.stage, o), "p99", str(o))
                    for o in operations
                ],
                period=300,
            ),
            _graph(
                "4xx answers per operation",
                [
                    _line(metrics.api("4XXError", inventory.stage, o), "Sum", str(o))
                    for o in operations
                ],
            ),
        ],
        [
            _graph(
                "Orders per minute",
                [
                    _line(metrics.shop(name), "Sum", name)
                    for name in (
                        observability.ORDER_PLACED,
                        observability.ORDER_CANCELLED,
                        observability.OUT_OF_STOCK,
                    )
                ],
            ),
            _graph(
                "Trouble the shop counts",
                [_line(metrics.shop(name), "Sum", name) for name in signals.TROUBLE],
                period=300,
            ),
        ],
        [
            _graph(
                "Lambda p99 duration per function (ms)",
                [_line(metrics.function("Duration", f), "p99", f) for f in functions],
                period=300,
            ),
            _graph(
                "Lambda errors per function",
                [_line(metrics.function("Errors", f), "Sum", f) for f in functions],
            ),
        ],
        [
            _graph(
                "Lambda throttles per function",
                [_line(metrics.function("Throttles", f), "Sum", f) for f in functions],
            ),
            _graph(
                "Lambda concurrency per function, and claimed by the account",
                [
                    _line(metrics.function("ConcurrentExecutions", f), "Maximum", f)
                    for f in functions
                ]
                + [
                    _line(
                        metrics.function("ClaimedAccountConcurrency"),
                        "Maximum",
                        "claimed (account)",
                    )
                ],
            ),
        ],
        [
            _graph(
                "DynamoDB consumed read units",
                [
                    _line(metrics.table("ConsumedReadCapacityUnits", t, i), "Sum", _where(t, i))
                    for t, i in sources
                ],
            ),
            _graph(
                "DynamoDB consumed write units",
                [
                    _line(metrics.table("ConsumedWriteCapacityUnits", t, i), "Sum", _where(t, i))
                    for t, i in sources
                ],
            ),
        ],
        [
            _graph(
                "DynamoDB throttled events",
                [
                    _line(metrics.table(name, t, i), "Sum", f"{_where(t, i)} {kind}")
                    for t, i in sources
                    for name, kind in (
                        ("ReadThrottleEvents", "reads"),
                        ("WriteThrottleEvents", "writes"),
                    )
                ],
            ),
            _graph(
                "DynamoDB hot-key throttles",
                [
                    _line(metrics.table(name, t, i), "Sum", f"{_where(t, i)} {kind}")
                    for t, i in sources
                    for name, kind in (
                        ("ReadKeyRangeThroughputThrottleEvents", "reads"),
                        ("WriteKeyRangeThroughputThrottleEvents", "writes"),
                    )
                ],
            ),
        ],
        [
            _graph(
                "Stream iterator age (ms) and queue age (s)",
                [
                    _line(
                        metrics.function("IteratorAge", c.function),
                        "Maximum",
                        f"{c.function} iterator age (ms)",
                    )
                    for c in inventory.of_kind("stream")
                ]
                + [
                    _line(
                        metrics.queue("ApproximateAgeOfOldestMessage", q),
                        "Maximum",
                        f"{q} oldest message",
                    )
                    for q in inventory.consumed_queues
                ],
            ),
            _graph(
                "Messages waiting after failing (dead letters, failed stream batches)",
                [
                    _line(metrics.queue("ApproximateNumberOfMessagesVisible", q), "Maximum", q)
                    for q in inventory.holding_queues
                ],
            ),
        ],
    ]


def _burn(inventory: Inventory) -> dict:
    """How fast the availability budget burns (1 = exactly as fast as 99.9% allows), over 5-minute buckets."""
    budget = round(1 - slo.AVAILABILITY, 10)
    lines = [
        [
            {
                "expression": f"IF(requests > 0, errors / requests / {budget}, 0)",
                "id": "burn",
                "label": "burn rate (x budget)",
            }
        ],
        _line(metrics.api("5XXError", inventory.stage), "Sum", "5xx", id="errors", visible=False),
        _line(
            metrics.api("Count", inventory.stage), "Sum", "requests", id="requests", visible=False
        ),
    ]
    graph = _graph("Availability SLO: error budget burn rate", lines, period=300)
    graph["properties"]["annotations"] = {
        "horizontal": [
            {
                "label": f"{pair.factor}x: pages over {pair.long_seconds // 60} min",
                "value": pair.factor,
            }
            for pair in slo.BURN_RATE_ALERTS
        ]
    }
    return graph


def _alarms(resources: Dict[str, dict]) -> dict:
    arns = [f"${{{name}.Arn}}" for name, r in sorted(resources.items()) if r["Type"] == COMPOSITE]
    return {"type": "alarm", "properties": {"title": "SLO pages", "alarms": arns}}


def _graph(title: str, lines: List[list], period: int = 60) -> dict:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "view": "timeSeries",
            "period": period,
            "metrics": lines,
        },
    }


def _line(metric: dict, stat: str, label: str, **options) -> list:
    """A dashboard metric line: [namespace, name, dimension, value, ..., {options}]."""
    line: list = [metric["Namespace"], metric["MetricName"]]
    for dimension in metric["Dimensions"]:
        line += [dimension["Name"], _placeholder(dimension["Value"])]
    return line + [{"stat": stat, "label": label, **options}]


def _placeholder(value) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return f"${{{value['Ref']}}}"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    return str(value)


def _where(table: str, index) -> str:
    return f"{table}.{index}" if index else table
