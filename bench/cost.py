"""`make bench`'s cost of a million orders: measures what bench/cost_model.py needs and prints its table.

Measured here: each API operation's cost to the app (bench/scenarios.py's scenarios, through bench/probe.py),
the two event handlers' per record (each record handled alone, as at modest traffic), and what the production
template holds (alarms, dashboard, metrics, cache, secrets, web ACLs). They are written to bench/cost-inputs.json,
which is committed with the README's table: `python -m bench.cost` prints the table from it again, and
`python -m bench.cost --readme` writes it and its reading ("What it says") into the README
(tests/unit/test_cost.py checks that they agree)."""

import argparse
import datetime
import json
import pathlib
import sys
import tempfile
import threading
import types
from typing import Dict, List

from bench import cost_model
from bench.prices import PRICES, PRICES_AS_OF, REGION

ROOT = pathlib.Path(__file__).resolve().parent.parent
INPUTS = ROOT / "bench" / "cost-inputs.json"
README = ROOT / "README.md"
BEGIN, END = (
    "<!-- cost table: written by python -m bench.cost --readme -->",
    "<!-- end of cost table -->",
)
FIELDS = ("app_ms", "app_cpu_ms", "aws_calls", "rounds", "wcu", "rcu", "log_bytes")
EVENTS_MEASURED = (
    12  # orders placed for the handlers' measurement; most shipped and delivered, one cancelled
)
INSIGHTS_SERIES = 5  # series a Metrics Insights alarm evaluates (a table's SystemErrors: one per operation), stated
SCALES = (100_000, 1_000_000, 10_000_000)


def run(world, results: dict) -> dict:
    """Measure, write bench/cost-inputs.json, and estimate at a million orders a month."""
    from ops.template import MEMORY

    inputs = {
        "measured_on": datetime.date.today().isoformat(),
        "operations": {
            name: {k: row[k] for k in FIELDS} for name, row in results["dynamodb_calls"].items()
        },
        "handlers": measure_handlers(world),
        "authorizer_ms": results["authorizer_ms"],
        "cold_start_ms": results["cold_start"]["variants"]["shop"]["median_ms"],
        "memory_mb": {"api": MEMORY["default"], "handlers": MEMORY["DeliverNotifications"]},
        "template": template_counts(),
    }
    INPUTS.write_text(json.dumps(inputs, indent=1, sort_keys=True) + "\n")
    return estimates(inputs)


def estimates(inputs: dict) -> dict:
    return {
        "at": cost_model.estimate(inputs),
        "scales": {n: cost_model.estimate(inputs, n)["total"] for n in SCALES},
        "template": inputs["template"],
    }


def measure_handlers(world) -> Dict[str, List[dict]]:
    """The stream publisher and the notifications consumer, one record per invocation, for orders placed,
    shipped, delivered and cancelled now (the pump reads the stream from its latest record)."""
    from bench.capacity import Meter
    from bench.probe import Probe, app_clients
    from bench.workloads import _drain
    from chalicelib import bootstrap
    from devstack import pump

    meter = Meter(world.stack.stage).install(bootstrap.services().dynamodb)
    probe = Probe(app_clients(), meter)
    runs: Dict[str, List[dict]] = {"publish": [], "deliver": []}

    def one_by_one(kind, handler):
        def handle(event, context):
            failures = []
            for record in event["Records"]:
                with probe.measuring() as measured:
                    answer = handler({"Records": [record]}, context) or {}
                runs[kind].append(measured.as_dict())
                failures += answer.get("batchItemFailures", [])
            return {"batchItemFailures": failures}

        return handle

    app = sys.modules["app"]
    handlers = types.SimpleNamespace(
        publish_order_events=one_by_one("publish", app.publish_order_events),
        deliver_notifications=one_by_one("deliver", app.deliver_notifications),
        check_reservations=app.check_reservations,  # its checks come after the lease: not drained here
        sweep_payments=app.sweep_payments,  # the pump runs it too; its calls are not measured here
    )
    events = pump.for_stack(handlers, world.stack, threading.Event())
    try:
        _orders_moving(world)
        _drain(events)
    finally:
        probe.uninstall()
        meter.uninstall()
    return runs


def _orders_moving(world) -> None:
    from bench.workloads import Minted, admin

    shopper, boss = (
        Minted(world, world.shopper.user_id),
        admin(world),
    )  # the world's tokens are long expired by now
    line = {
        "payment_method": "pm_card_visa",
        "items": [{"product_id": world.product_id, "quantity": 1}],
    }
    placed = [_ok(shopper.post("/orders", line)).json["id"] for _ in range(EVENTS_MEASURED)]
    _ok(shopper.post(f"/orders/{placed[0]}/cancel"))
    for order_id in placed[1:]:
        for action in ("ship", "deliver"):
            _ok(boss.post(f"/orders/{order_id}/{action}"))


def _ok(response):
    assert response.status_code in (200, 201), (response.status_code, response.body)
    return response


def template_counts() -> dict:
    """What the production template holds that is charged by the month."""
    from ops import package

    with tempfile.TemporaryDirectory() as out:
        return counts_of(
            json.loads(
                (
                    package.build("prod", pathlib.Path(out) / "prod", with_zip=False) / "sam.json"
                ).read_text()
            )
        )


def counts_of(template: dict) -> dict:
    """What a packaged template holds that is charged by the month."""
    from chalicelib import observability
    from ops import inventory

    resources = template["Resources"]

    def of_type(kind):
        return [r["Properties"] for r in resources.values() if r["Type"] == kind]

    (api,) = of_type("AWS::Serverless::Api")
    cached = sum(1 for s in api["MethodSettings"] if s.get("CachingEnabled"))
    tables = inventory.read(template).tables
    per_method = 5 * len(inventory.read(template).operations) + 2 * cached
    return {
        "alarm_metrics": sum(_alarm_metrics(a) for a in of_type("AWS::CloudWatch::Alarm")),
        "composite_alarms": len(of_type("AWS::CloudWatch::CompositeAlarm")),
        "dashboards": len(of_type("AWS::CloudWatch::Dashboard")),
        # the shop's EMF metrics (one dimension set each) and API Gateway's per-method ones (5 each, 2 more cached)
        "custom_metrics": len(observability.METRICS) + per_method,
        "custom_metrics_per_method": per_method,
        "contributor_insights_rules": sum(
            (4 if sorted_ else 2)
            for t in tables
            for sorted_ in [t.sorted] + [i.sorted for i in t.indexes]
        ),
        "secrets": len(of_type("AWS::SecretsManager::Secret")),
        "consumed_queues": len(inventory.read(template).consumed_queues),
        "web_acl_rules": [len(acl.get("Rules", [])) for acl in of_type("AWS::WAFv2::WebACL")],
        "cache_gb": api["CacheClusterSize"] if api.get("CacheClusterEnabled") else None,
        "log_retention_days": of_type("AWS::Logs::LogGroup")[0]["RetentionInDays"],
    }


def _alarm_metrics(alarm: dict) -> int:
    """CloudWatch charges an alarm per metric it evaluates."""
    if "MetricName" in alarm:
        return 1
    stats = sum(1 for q in alarm["Metrics"] if "MetricStat" in q)
    queries = sum(1 for q in alarm["Metrics"] if "SELECT" in json.dumps(q.get("Expression", "")))
    return stats + INSIGHTS_SERIES * queries


def table(estimated: dict) -> str:
    at = estimated["at"]
    rows = [
        f"| {line['component']} | {line['basis']} | ${line['dollars']:,.2f} |"
        for line in at["lines"]
    ]
    scales = ", ".join(
        f"${total:,.0f} at {n:,} orders a month" for n, total in estimated["scales"].items()
    )
    biggest = at["biggest"]
    return "\n".join(
        [
            f"What a million orders cost on AWS (us-east-1 list prices of {PRICES_AS_OF}, at "
            f"{at['orders_per_month']:,} orders a month): **${at['total']:,.0f}**, about "
            f"{at['total'] / 1e6 * 100:.2f} cents an order. The biggest line is {biggest['component']} "
            f"(${biggest['dollars']:,.0f}, {biggest['dollars'] / at['total']:.0%}). Per million orders: {scales} "
            f"(the monthly charges spread over fewer or more orders; the rest grows with orders).",
            "",
            "| component | basis | $ per 1M orders |",
            "|---|---|---|",
            *rows,
            f"| **total (AWS)** | | **${at['total']:,.2f}** |",
            f"| Stripe card fees, on their own | {at['stripe']['basis']} | ${at['stripe']['dollars']:,.2f} |",
        ]
    )


def what_it_says(estimated: dict) -> str:
    """The README's reading of the table, its figures from the same inputs."""
    at, template = estimated["at"], estimated["template"]
    lines = {line["component"]: line for line in at["lines"]}
    ranked = sorted(at["lines"], key=lambda line: -line["dollars"])

    def place(component: str) -> str:
        n = ranked.index(lines[component])
        return f"the {ORDINALS[n] if n < len(ORDINALS) else f'{n + 1}th '}biggest line"

    per_order, scales = at["per_order"], estimated["scales"]
    delivered = cost_model.SHIPPED  # each shipped order is delivered, with an e-mail of its own
    per_method, custom = template["custom_metrics_per_method"], template["custom_metrics"]
    return (
        f"**What it says.** The e-mails are {place('SES')}, {lines['SES']['dollars'] / at['total']:.0%} of "
        f"the total: {per_order['emails']:.2f} per order at ${PRICES['ses_per_thousand_emails']:.2f} per "
        f'1,000; sending no "delivered" e-mail would take {delivered / per_order["events"]:.0%} off that '
        f"line. API Gateway's requests are {place('API Gateway requests')} ({per_order['requests']:.0f} per "
        f"order at ${PRICES['apigateway_rest_per_million_requests']:.2f} per million REST requests). The "
        f"monthly charges weigh at low volume: a million orders cost "
        f"{scales[min(SCALES)] / scales[max(SCALES)]:.1f} times as much at {min(SCALES):,} orders a month as "
        f"at {max(SCALES):,}, where usage dominates. API Gateway's per-method metrics ({per_method} of the "
        f"{custom} custom metrics; the per-operation latency alarms and dashboard need them) are "
        f"{per_method / custom:.0%} of the CloudWatch metrics line. Stripe's card fees, on their own line, "
        f"are about {round(at['stripe']['dollars'] / at['total'], -2):,.0f} times everything AWS charges."
    )


ORDINALS = ("", "second ", "third ", "fourth ", "fifth ")


def readme_block(estimated: dict) -> str:
    return f"{BEGIN}\n{table(estimated)}\n\n{what_it_says(estimated)}\n{END}"


def report(estimated: dict) -> None:
    print(
        f"\ncost of a million orders (bench/cost_model.py; {REGION} prices of {PRICES_AS_OF}; "
        "Lambda durations: the app's own time measured in process plus stated AWS latencies):"
    )
    print(table(estimated))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.cost", description="the cost table from bench/cost-inputs.json"
    )
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument(
        "--template",
        action="store_true",
        help="count the packaged template again into bench/cost-inputs.json (not a measurement: no make bench)",
    )
    args = parser.parse_args(argv)
    inputs = json.loads(INPUTS.read_text())
    if args.template:
        inputs["template"] = template_counts()
        INPUTS.write_text(json.dumps(inputs, indent=1, sort_keys=True) + "\n")
    estimated = estimates(inputs)
    report(estimated)
    if args.readme:
        text = README.read_text()
        start, end = text.index(BEGIN), text.index(END) + len(END)
        README.write_text(text[:start] + readme_block(estimated) + text[end:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
