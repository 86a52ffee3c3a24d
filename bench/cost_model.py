"""What a million orders cost, per component: the measured cost of each operation to the app (bench/probe.py,
through bench/cost.py), a stated journey of the requests and events one order brings, stated AWS latencies,
what the production template holds (alarms, dashboard, cache, secrets, a web ACL), and the prices of
bench/prices.py. Pure: the same inputs give the same table, so the README's figure can be checked.

Lambda durations are not local timings (those measure moto): a function's duration is the app's own CPU time,
measured in process with the time inside AWS calls taken out and stretched by the share of a vCPU Lambda gives
the function's memory (a full one at 1,769 MB; a core of this machine taken for a Lambda vCPU), plus a stated
latency per AWS round trip, plus the runtime's own millisecond, billed per millisecond at the function's memory."""

import math
from dataclasses import dataclass
from typing import Dict, List

from bench.prices import PRICES

SECONDS_PER_MONTH = 730 * 3600


@dataclass(frozen=True)
class Step:
    scenario: str  # whose measurement (bench/scenarios.py's name)
    per_order: float  # requests per order
    cached: float = 0.0  # the share API Gateway's stage cache answers (no Lambda, no DynamoDB)
    stripe_ms: int = 0  # the Stripe call the payments design adds to the operation (stated)
    changes_order: bool = False  # writes the order: a stream record, an event, a notification


CANCEL = "POST /orders/{id}/cancel"  # the shopper's cancel: Stripe's fee is not paid on a voided authorization
SHIPPED, CANCELLED = 0.95, 0.05  # shares of the orders
# One order's session, stated: sign in, browse (half the catalog reads from the stage cache), fill the cart,
# order (half single items, half from a 9-line cart), look at the order and the inbox; the admin ships and
# delivers 95% and the shopper cancels 5%. Stripe calls the webhook with the events the shop registers for
# (docs/payments.md: payment_intent.canceled, charge.refunded; chalicelib/orders/settlement.py ignores others):
# here one per cancelled order, for its void. Measured on an authorization Stripe cancelled, which settles its
# order; the shop's own void finds its order settled already, so this is an upper bound.
JOURNEY = (
    Step("POST /auth/token", 1),
    Step("GET /users/me", 1),
    Step("GET /categories", 1, cached=0.5),
    Step("GET /products (a page)", 3, cached=0.5),
    Step("GET /products?category= (next page)", 1, cached=0.5),
    Step("GET /products/{id}", 2, cached=0.5),
    Step("GET /products/{id} (warm cache)", 2, cached=0.5),
    Step("PUT /cart/items/{id}", 3),
    Step("GET /cart (10 lines)", 2),
    Step("POST /orders (1 line)", 0.5, stripe_ms=500, changes_order=True),
    Step("POST /orders (from the cart, 9 lines)", 0.5, stripe_ms=500, changes_order=True),
    Step("GET /orders/{id}", 2),
    Step("GET /orders (a page)", 1),
    Step("GET /notifications (a page)", 2),
    Step("POST /notifications/{id}/read", 1),
    Step("POST /payments/webhook (an authorization Stripe cancelled)", CANCELLED, stripe_ms=200),
    Step("POST /orders/{id}/ship", SHIPPED, stripe_ms=350, changes_order=True),
    Step("POST /orders/{id}/deliver", SHIPPED, changes_order=True),
    Step(f"{CANCEL} (2 lines)", CANCELLED, stripe_ms=300, changes_order=True),
    Step("GET /admin/orders?status= (a page)", 0.05),
)
AUTHORIZER_PER_ORDER = (
    3  # its answer is cached 300 s per token: about one per five minutes of a session
)
COLD_START_SHARE = 0.01  # invocations that start a container (billed INIT: the measured cold start)
RUNTIME_MS = 1  # the runtime's own part of an invocation
FULL_VCPU_MB = 1769
PLATFORM_LOG_BYTES = 500  # START, END, REPORT and the X-Ray line of each invocation
# median in-Region latency of one call from a warm Lambda function, stated (the call's own kind, else its service's)
AWS_LATENCY_MS = {
    "dynamodb": 6,
    "dynamodb:TransactWriteItems": 15,
    "dynamodb:BatchGetItem": 8,
    "dynamodb:Query": 8,
    "sqs": 10,
    "ses": 40,
    "cognito-idp": 80,
    "secretsmanager": 20,
}
SQS_POLLS_PER_MESSAGE = (
    2  # Lambda's poller: a receive and a delete per batch, batches of one at modest traffic
)
SQS_IDLE_POLLS_PER_MONTH = 5 * 3 * 60 * 730  # five pollers, a 20-second long poll each, all month
# every reservation (a POST /orders) is checked once after its lease (chalicelib/orders/checks.py), stated: the
# publisher's send is measured with the publish handler (bench/cost.py), Lambda's poller receives and deletes the
# check, and one invocation reads the order (strongly consistent: a read unit)
CHECK = {
    "app_cpu_ms": 1.0,
    "rounds": [["dynamodb:GetItem"]],
    "rcu": 1,
    "sqs": SQS_POLLS_PER_MESSAGE,
}
XRAY_RESERVOIR_PER_SECOND, XRAY_RATE = 1, 0.05  # X-Ray's default sampling rule
STORED_BYTES_PER_ORDER = 2048  # an order with its index entries and its notifications, stated
AVERAGE_ORDER_DOLLARS = 50.0  # for Stripe's fee, stated


def duration_ms(measured: dict, memory_mb: int, stripe_ms: int = 0) -> int:
    """A Lambda duration: the app's own time on the function's share of a vCPU, a stated latency per round trip
    (its slowest call), Stripe's."""
    waits = sum(max(_latency(call) for call in calls) for calls in measured["rounds"])
    return math.ceil(measured["app_cpu_ms"] / cpu_share(memory_mb) + waits + stripe_ms + RUNTIME_MS)


def cpu_share(memory_mb: int) -> float:
    """Lambda's CPU grows with memory: one vCPU at 1,769 MB."""
    return min(1.0, memory_mb / FULL_VCPU_MB)


def estimate(inputs: dict, orders_per_month: int = 1_000_000) -> dict:
    """Lines of (component, basis, dollars per million orders), the total and Stripe's fees on their own."""
    volume = _volume(inputs, orders_per_month)
    lines = _usage_lines(inputs, volume) + _fixed_lines(inputs, volume)
    total = round(sum(line["dollars"] for line in lines), 2)
    stripe = (
        1e6
        * (AVERAGE_ORDER_DOLLARS * PRICES["stripe_card_percent"] + PRICES["stripe_card_fixed"])
        * (1 - _cancelled_share())
    )
    return {
        "orders_per_month": orders_per_month,
        "per_order": {k: volume[k] / 1e6 for k in ("requests", "events", "emails")},
        "lines": lines,
        "total": total,
        "biggest": max(lines, key=lambda line: line["dollars"]),
        "stripe": {
            "dollars": round(stripe, 2),
            "basis": f"{PRICES['stripe_card_percent']:.1%} + "
            f"${PRICES['stripe_card_fixed']:.2f} per captured order of ${AVERAGE_ORDER_DOLLARS:.0f} "
            f"(a voided authorization pays nothing)",
        },
    }


def _cancelled_share() -> float:
    return sum(s.per_order for s in JOURNEY if s.scenario.startswith(CANCEL))


def _volume(inputs: dict, orders: int) -> Dict[str, float]:
    """Per million orders: requests, invocations, GB-seconds, units, calls, bytes."""
    operations, handlers = inputs["operations"], inputs["handlers"]
    events = sum(step.per_order for step in JOURNEY if step.changes_order)
    served = [
        (step, step.per_order * (1 - step.cached), operations[step.scenario]) for step in JOURNEY
    ]
    api_mb, handler_mb = inputs["memory_mb"]["api"], inputs["memory_mb"]["handlers"]
    api_gb_s = (
        sum(n * duration_ms(m, api_mb, s.stripe_ms) for s, n, m in served) / 1000 * api_mb / 1024
    )
    handler_ms = {
        kind: sum(duration_ms(m, handler_mb) for m in runs) / len(runs)
        for kind, runs in handlers.items()
    }
    handler_gb_s = events * sum(handler_ms.values()) / 1000 * handler_mb / 1024
    authorizer_ms = math.ceil(inputs["authorizer_ms"] / cpu_share(handler_mb) + RUNTIME_MS)
    auth_gb_s = AUTHORIZER_PER_ORDER * authorizer_ms / 1000 * handler_mb / 1024
    checks = sum(step.per_order for step in JOURNEY if step.scenario.startswith("POST /orders ("))
    check_gb_s = checks * duration_ms(CHECK, handler_mb) / 1000 * handler_mb / 1024
    invocations = (
        sum(n for _, n, _ in served) + AUTHORIZER_PER_ORDER + events * len(handlers) + checks
    )
    init_gb_s = (
        invocations
        * COLD_START_SHARE
        * inputs["cold_start_ms"]
        / 1000
        * inputs["memory_mb"]["api"]
        / 1024
    )

    def per_handler(kind, key):
        return events * sum(_value(run, key) for run in handlers[kind]) / len(handlers[kind])

    per_order = {
        "requests": sum(step.per_order for step in JOURNEY),
        "invocations": invocations,
        "events": events,
        "gb_seconds": api_gb_s + handler_gb_s + auth_gb_s + init_gb_s + check_gb_s,
        "init_gb_seconds": init_gb_s,
        "wcu": sum(n * m["wcu"] for _, n, m in served) + per_handler("deliver", "wcu"),
        "rcu": sum(n * m["rcu"] for _, n, m in served)
        + per_handler("deliver", "rcu")
        + checks * CHECK["rcu"],
        "sqs": per_handler("publish", "sqs")
        + events * SQS_POLLS_PER_MESSAGE
        + checks * CHECK["sqs"],
        "emails": per_handler("deliver", "ses"),
        "log_bytes": sum(n * m["log_bytes"] for _, n, m in served)
        + per_handler("publish", "log_bytes")
        + per_handler("deliver", "log_bytes")
        + invocations * PLATFORM_LOG_BYTES,
        "cold_starts": invocations * COLD_START_SHARE,
    }
    volume = {k: v * 1e6 for k, v in per_order.items()}
    volume["months"] = 1e6 / orders  # how many months of this traffic a million orders take
    # a trace per API request (the authorizer's and the function's segments in it) and per event handled
    volume["traced"] = _traced(
        volume["requests"] + volume["events"] * len(handlers) + checks * 1e6, volume["months"]
    )
    return volume


def _traced(requests: float, months: float) -> float:
    """Traces X-Ray records: its reservoir of one a second, then 5% of the rest."""
    reservoir = min(requests, XRAY_RESERVOIR_PER_SECOND * SECONDS_PER_MONTH * months)
    return reservoir + XRAY_RATE * (requests - reservoir)


def _usage_lines(inputs: dict, v: dict) -> List[dict]:
    p = PRICES
    # an item read or written is an event; reads are mostly half units
    ci_events = v["wcu"] + 2 * v["rcu"]
    return [
        _line(
            "API Gateway requests",
            f"{v['requests'] / 1e6:.1f} requests per order",
            v["requests"] / 1e6 * p["apigateway_rest_per_million_requests"],
        ),
        _line(
            "Lambda requests",
            f"{v['invocations'] / 1e6:.1f} invocations per order (API, authorizer, 2 per event, "
            "a reservation's check)",
            v["invocations"] / 1e6 * p["lambda_per_million_requests"],
        ),
        _line(
            "Lambda compute",
            f"{v['gb_seconds'] / 1e6:.3f} GB-s per order (Arm; cold starts' INIT "
            f"{v['init_gb_seconds'] / 1e6:.3f})",
            v["gb_seconds"] * p["lambda_arm_per_gb_second"],
        ),
        _line(
            "DynamoDB writes",
            f"{v['wcu'] / 1e6:.1f} write units per order (capacity model)",
            v["wcu"] / 1e6 * p["dynamodb_per_million_write_units"],
        ),
        _line(
            "DynamoDB reads",
            f"{v['rcu'] / 1e6:.1f} read units per order (capacity model)",
            v["rcu"] / 1e6 * p["dynamodb_per_million_read_units"],
        ),
        _line(
            "DynamoDB storage and PITR",
            f"{STORED_BYTES_PER_ORDER} bytes an order, a month kept",
            1e6
            * STORED_BYTES_PER_ORDER
            / 2**30
            * (p["dynamodb_storage_per_gb_month"] + p["dynamodb_pitr_per_gb_month"]),
        ),
        _line(
            "SQS",
            f"{v['sqs'] / 1e6:.1f} requests per order ({v['events'] / 1e6:.2f} events)",
            v["sqs"] / 1e6 * p["sqs_per_million_requests"],
        ),
        _line(
            "SES",
            f"{v['emails'] / 1e6:.2f} emails per order",
            v["emails"] / 1000 * p["ses_per_thousand_emails"],
        ),
        _line(
            "CloudWatch Logs",
            f"{v['log_bytes'] / 1e6 / 1024:.1f} KB per order, ingested and kept "
            f"{inputs['template']['log_retention_days']} days",
            v["log_bytes"] / 2**30 * (p["logs_ingest_per_gb"] + p["logs_storage_per_gb_month"]),
        ),
        _line(
            "X-Ray",
            f"{v['traced'] / 1e6:.2f} M traces (1/s, then 5%)",
            v["traced"] / 1e6 * p["xray_per_million_traces_recorded"],
        ),
        _line(
            "Contributor Insights events",
            f"{ci_events / 1e6:.0f} item events per order",
            ci_events / 1e6 * p["contributor_insights_per_million_events"],
        ),
    ]


def _fixed_lines(inputs: dict, v: dict) -> List[dict]:
    """Monthly charges, for as many months as a million orders take."""
    p, t, months = PRICES, inputs["template"], v["months"]
    web_acls = t["web_acl_rules"]
    return [
        _line(
            "API Gateway cache",
            f"{t['cache_gb']} GB at ${p['apigateway_cache_per_hour'][t['cache_gb']]}/hour",
            months * 730 * p["apigateway_cache_per_hour"][t["cache_gb"]],
        ),
        _line(
            "CloudWatch alarms and dashboard",
            f"{t['alarm_metrics']} alarm metrics, {t['composite_alarms']} "
            f"composites, {t['dashboards']} dashboard",
            months
            * (
                t["alarm_metrics"] * p["alarm_metric_per_month"]
                + t["composite_alarms"] * p["composite_alarm_per_month"]
                + t["dashboards"] * p["dashboard_per_month"]
            ),
        ),
        _line(
            "CloudWatch metrics",
            f"{t['custom_metrics']} custom (EMF, API Gateway per method)",
            months * t["custom_metrics"] * p["custom_metric_per_month"],
        ),
        _line(
            "Contributor Insights rules",
            f"{t['contributor_insights_rules']} rules",
            months * t["contributor_insights_rules"] * p["contributor_insights_rule_per_month"],
        ),
        _line(
            "Secrets Manager",
            f"{t['secrets']} secrets, a read per cold start",
            months * t["secrets"] * p["secret_per_month"]
            + v["cold_starts"] / 1e4 * p["secrets_per_10k_calls"],
        ),
        _line(
            "SQS idle polling",
            f"Lambda's pollers on {t['consumed_queues']} queues",
            months
            * t["consumed_queues"]
            * SQS_IDLE_POLLS_PER_MONTH
            / 1e6
            * p["sqs_per_million_requests"],
        ),
        _line(
            "WAF",
            f"{len(web_acls)} web ACL(s), {sum(web_acls)} rules"
            if web_acls
            else "no web ACL in the template",
            months * sum(p["waf_web_acl_per_month"] + n * p["waf_rule_per_month"] for n in web_acls)
            + (v["requests"] / 1e6 * p["waf_per_million_requests"] if web_acls else 0),
        ),
    ]


def _line(component: str, basis: str, dollars: float) -> dict:
    return {"component": component, "basis": basis, "dollars": round(dollars, 2)}


def _latency(call: str) -> float:
    return AWS_LATENCY_MS.get(call, AWS_LATENCY_MS.get(call.split(":")[0], 10))


def _value(run: dict, key: str) -> float:
    """A measurement's field, or its calls to one service ("sqs", "ses")."""
    if key in run:
        return run[key]
    return sum(n for call, n in run["aws_calls"].items() if call.split(":")[0] == key)
