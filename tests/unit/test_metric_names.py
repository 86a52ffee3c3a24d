"""The metrics the app emits are the ones the alarms and the dashboard watch: every name given to
`observability.count` anywhere in chalicelib is one of observability.METRICS, which ops/metrics.py's catalog
(and so every alarm and dashboard line of the template) is made from."""

import ast
import pathlib

from chalicelib import observability
from ops import metrics

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _names_counted():
    for path in sorted((ROOT / "chalicelib").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "count"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "observability"
            ):
                yield path.relative_to(ROOT), node.args[0]


def _names(argument):
    """The metric names an argument can be: a literal, an observability constant, either side of an `if`."""
    if isinstance(argument, ast.IfExp):
        return _names(argument.body) + _names(argument.orelse)
    if isinstance(argument, ast.Constant):
        return [argument.value]
    if (
        isinstance(argument, ast.Attribute)
        and isinstance(argument.value, ast.Name)
        and argument.value.id == "observability"
    ):
        return [getattr(observability, argument.attr)]
    # a name of the module's own would be a second home for the metric's name
    raise AssertionError(
        f"count the metric by its observability constant, not {ast.unparse(argument)}"
    )


def test_every_metric_the_app_counts_is_declared_where_the_alarms_read_it():
    counted = [
        (str(path), name) for path, argument in _names_counted() for name in _names(argument)
    ]
    assert [(path, name) for path, name in counted if name not in observability.METRICS] == []
    assert len(counted) >= 9  # the orders, notifications, catalog and retry paths' metrics


def test_every_declared_metric_can_be_alarmed_under_the_dimension_powertools_gives_it():
    for name in observability.METRICS:
        assert metrics.shop(name)["Dimensions"] == [{"Name": "service", "Value": "shop"}]
    assert len(set(observability.METRICS)) == len(observability.METRICS)
