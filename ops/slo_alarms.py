"""The alarms on the objectives themselves (ops/slo.py): availability's burn rates from API Gateway's `5XXError`
and `Count`, two windows per page joined by a composite alarm, and the p99 latency of the operations a shopper
waits on."""

from typing import Dict

from ops import metrics, slo
from ops.alarms import Math, Stat, When, alarm, composite, logical_id
from ops.inventory import Inventory


def availability(inventory: Inventory) -> Dict[str, dict]:
    """Per pair of windows: one alarm per window (the error rate over it above the pair's threshold), and a
    composite that pages when both are. A window without requests is no evidence of errors: notBreaching."""
    found: Dict[str, dict] = {}
    for pair in slo.BURN_RATE_ALERTS:
        members = []
        for seconds in (pair.long_seconds, pair.short_seconds):
            name = logical_id("Availability", pair.name, f"{seconds}s", "Window")
            found[name] = alarm(
                "availability-burn-rate",
                f"The share of 5xx answers over {seconds // 60} minutes burns the "
                f"{slo.AVAILABILITY:.1%} objective's budget {pair.factor}x too fast (one window; pages with the other).",
                When(pair.threshold, period=seconds, missing="notBreaching"),
                error_rate(inventory),
                notify=False,
            )
            members.append(name)
        found[logical_id("Availability", pair.name, "BurnRate")] = composite(
            "availability-burn-rate",
            f"Availability SLO: {pair.factor}x burn over {pair.long_seconds // 60} and "
            f"{pair.short_seconds // 60} minutes; {pair.budget_spent:.0%} of the 30-day error budget is gone.",
            members,
        )
    return found


def error_rate(inventory: Inventory) -> Math:
    """5xx answers / requests of the whole stage (a period without requests has no rate)."""
    return Math(
        "IF(requests > 0, errors / requests, 0)",
        (
            ("errors", Stat(metrics.api("5XXError", inventory.stage), "Sum")),
            ("requests", Stat(metrics.api("Count", inventory.stage), "Sum")),
        ),
    )


def latency(inventory: Inventory) -> Dict[str, dict]:
    """Three 5-minute windows in a row above the objective: slower than it for a quarter of an hour."""
    found: Dict[str, dict] = {}
    for operation in inventory.operations:
        objective = slo.LATENCY_P99_MS.get(str(operation))
        if objective is None:
            continue
        name = logical_id(
            operation.method, operation.path.replace("{", "").replace("}", ""), "Latency"
        )
        found[name] = alarm(
            "latency",
            f"p99 latency of {operation} is above its {objective} ms objective.",
            When(objective, period=slo.LATENCY_WINDOW_SECONDS, periods=3, missing="notBreaching"),
            Stat(metrics.api("Latency", inventory.stage, operation), "p99"),
        )
    missing = set(slo.LATENCY_P99_MS) - {str(o) for o in inventory.operations}
    if missing:
        raise ValueError(
            f"latency objectives for operations the API does not have: {sorted(missing)}"
        )
    return found
