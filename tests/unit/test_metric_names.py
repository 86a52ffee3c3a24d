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
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "count" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "observability":
                yield path.relative_to(ROOT), node.args[0]


def test_every_metric_the_app_counts_is_declared_where_the_alarms_read_it():
    seen = 0
    for path, argument in _names_counted():
        for part in ast.walk(argument):
            if isinstance(part, ast.Constant):
                assert part.value in observability.METRICS, (str(path), part.value)
                seen += 1
            elif isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) \
                    and part.value.id == "observability":
                assert getattr(observability, part.attr) in observability.METRICS, (str(path), part.attr)
                seen += 1
    assert seen >= 8  # the orders, notifications and catalog paths' metrics


def test_every_declared_metric_can_be_alarmed_under_the_dimension_powertools_gives_it():
    for name in observability.METRICS:
        assert metrics.shop(name)["Dimensions"] == [{"Name": "service", "Value": "shop"}]
    assert len(set(observability.METRICS)) == len(observability.METRICS)
