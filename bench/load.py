"""`make load`: a bounded Locust run against the whole local stack, then the shop's invariants.

Latencies measure moto and Chalice's single-process development server on this machine, not Lambda.
"""

import argparse
import collections
import csv
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

import boto3

from bench import progress

ROOT = pathlib.Path(__file__).resolve().parent.parent
# the events an order's status implies (admins refund only delivered orders in the load, so a refund's path is known)
STATUS_EVENTS = {
    "PLACED": ["PLACED"],
    "SHIPPED": ["PLACED", "SHIPPED"],
    "DELIVERED": ["PLACED", "SHIPPED", "DELIVERED"],
    "CANCELLED": ["PLACED", "CANCELLED"],
    "REFUNDED": ["PLACED", "SHIPPED", "DELIVERED", "REFUNDED"],
    "PENDING": [],
}


def run(seconds: int, users: int, shoppers: int = 10) -> Dict:
    from devstack.aws import free_port
    from devstack.stack import LocalStack

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    local = LocalStack(port=free_port(), aws_port=free_port(), stage="local", quiet=True)
    try:
        with tempfile.TemporaryDirectory() as work:
            work = pathlib.Path(work)
            with progress.step(1, 5, "the local stack, the load's accounts and the stock before"):
                local.start(serve_in_thread=True)
                (work / "accounts.json").write_text(json.dumps(_accounts(local, shoppers)))
                initial = _stock()
            with progress.step(2, 5, f"Locust: {users} users for {seconds} s", total=seconds):
                stats = _locust(local.url, work, seconds, users)
            keys = (
                [json.loads(line) for line in (work / "keys.jsonl").read_text().splitlines()]
                if (work / "keys.jsonl").exists()
                else []
            )
            with progress.step(3, 5, "every event delivered by the event pump"):
                _drain()
            with progress.step(4, 5, "the shop's invariants"):
                checked = invariants(initial, keys)
            with progress.step(5, 5, "the orders reconciled with Stripe's PaymentIntents"):
                from bench import reconcile

                payments = reconcile.reconcile(local.stripe_url, _orders())
            return {
                "seconds": seconds,
                "users": users,
                **stats,
                "invariants": checked,
                "payments": payments,
            }
    finally:
        local.close()


def _accounts(local, count: int) -> Dict:
    import requests

    def token(email, password, name):
        requests.post(
            f"{local.url}/users",
            json={"email": email, "password": password, "name": name},
            timeout=30,
        )
        return requests.post(
            f"{local.url}/auth/token", json={"email": email, "password": password}, timeout=30
        ).json()["access_token"]

    products = _products()
    return {
        "shoppers": [
            {"token": token(f"load-{i}@example.com", "Load-Passw0rd", f"Shopper {i}")}
            for i in range(count)
        ],
        "admin": token(local.admin_email, local.admin_password, "Admin"),
        "products": [p.id for p in products],
        "categories": sorted({p.category for p in products}),
    }


def _locust(url: str, work: pathlib.Path, seconds: int, users: int) -> Dict:
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(work / "accounts.json"),
        "LOAD_KEYS_LOG": str(work / "keys.jsonl"),
    }
    for name in ("AWS_ENDPOINT_URL",):
        env.pop(name, None)
    locust = subprocess.Popen(
        [
            str(pathlib.Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--host",
            url,
            "--csv",
            str(work / "load"),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _watch(locust, work / "load_stats.csv", seconds)
    total = _aggregated(work / "load_stats.csv")
    failures = (
        list(csv.DictReader(open(work / "load_failures.csv")))
        if (work / "load_failures.csv").exists()
        else []
    )
    server_errors = sum(
        int(f["Occurrences"]) for f in failures if f["Error"].lstrip("'\"").startswith("5")
    )
    requests_, failed = int(total["Request Count"]), int(total["Failure Count"])
    return {
        "requests": requests_,
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "error_rate_percent": round(100 * failed / max(requests_, 1), 2),
        "server_errors": server_errors,
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "failures": [
            f"{f['Method']} {f['Name']}: {f['Error'][:120]} x{f['Occurrences']}" for f in failures
        ][:10],
    }


def _aggregated(stats: pathlib.Path) -> Dict[str, str]:
    """Locust's running totals, which it writes to its CSV every second or so."""
    with open(stats) as rows:
        return next(r for r in csv.DictReader(rows) if r["Name"] == "Aggregated")


def _watch(locust: subprocess.Popen, stats: pathlib.Path, seconds: int) -> None:
    """Say the requests so far and the errors every 2 seconds until Locust ends (or is overdue, and ended)."""
    began = time.monotonic()
    while True:
        try:
            locust.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            pass
        ran = time.monotonic() - began
        if ran > seconds + 120:
            locust.kill()
            locust.wait()
            return
        try:
            total = _aggregated(stats)
            progress.at(
                min(int(ran), seconds),
                f"{int(ran)} s: {total['Request Count']} requests, {total['Failure Count']} errors",
            )
        except (OSError, StopIteration, KeyError):
            continue  # not written yet


def _bind() -> None:
    from chalicelib import bootstrap

    parts = bootstrap.services()
    parts.catalog, parts.orders, parts.inbox  # binds their models to the stage's tables


def _products() -> list:
    from chalicelib.products.records import ProductRecord

    _bind()
    return [p for p in ProductRecord.scan() if isinstance(p, ProductRecord)]


def _stock() -> Dict[str, int]:
    """Every product's stock, flash-sale buckets summed (a scan: fine for a check after a run, never on a request)."""
    from chalicelib.products.records import BucketRecord, CatalogItem, ProductRecord

    _products()
    items = list(CatalogItem.scan())
    stock = {i.id: i.stock for i in items if isinstance(i, ProductRecord) and not i.flash_sale}
    for item in items:
        if isinstance(item, BucketRecord):
            stock[item.product_id] = stock.get(item.product_id, 0) + item.stock
    return stock


def _drain(seconds: float = 120) -> None:
    """Wait until every event of the run has been handled: the queue quiet for two seconds and every order's
    events in the inbox, emailed (the stream pump can be behind an empty queue), or until the deadline; the
    invariants then say what is missing."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="shop-local-notifications")["QueueUrl"]
    quiet_since, deadline = None, time.monotonic() + seconds
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        busy = sum(int(v) for v in attributes.values())
        quiet_since = None if busy else (quiet_since or time.monotonic())
        if quiet_since and time.monotonic() - quiet_since > 2 and not _undelivered(*_events()):
            return
        time.sleep(0.5)


def _events():
    """The events the orders imply (`<order id>.<status>`), and the inbox by event id."""
    from chalicelib.notifications.repository import NotificationRecord
    from chalicelib.orders.records import OrderRecord

    _bind()
    orders = [{"id": o.id, "status": o.status, "lines": o.lines} for o in OrderRecord.scan()]
    expected = {f"{o['id']}.{s}" for o in orders for s in STATUS_EVENTS[o["status"]]}
    # a notification's id is `<time>-<event id>`
    inbox = {
        n.id.split("-", 1)[1]: {"subject": n.subject, "emailed_at": n.emailed_at}
        for n in NotificationRecord.scan()
    }
    return orders, expected, inbox


def _orders() -> List[dict]:
    from chalicelib.orders.records import OrderRecord

    _bind()
    return [
        {
            "id": o.id,
            "status": o.status,
            "total_cents": int(o.total_cents),
            "reference": o.payment.reference if o.payment else None,
        }
        for o in OrderRecord.scan()
    ]


def _undelivered(orders, expected, inbox) -> set:
    return {e for e in expected if not inbox.get(e, {}).get("emailed_at")}


def invariants(initial: Dict[str, int], keys: List[dict]) -> Dict:
    products = _stock()
    orders, expected_events, inbox = _events()
    sold = collections.Counter()
    for order in orders:
        if order["status"] != "CANCELLED":
            for line in order["lines"]:
                sold[line.product_id] += line.quantity
    by_key = collections.defaultdict(set)
    for entry in keys:
        by_key[entry["key"]].add(entry["order"])
    from moto.ses.models import ses_backends

    subjects = collections.Counter(
        m.subject for m in ses_backends["123456789012"]["us-east-1"].sent_messages
    )
    expected_subjects = collections.Counter(
        inbox[e]["subject"] for e in expected_events if e in inbox
    )
    checks = {
        "no stock below zero": min(products.values()) >= 0,
        "initial stock = current + sold (not cancelled), every product": all(
            initial[p] == products.get(p, 0) + sold[p] for p in initial
        ),
        "one order per idempotency key": all(len(ids) == 1 for ids in by_key.values()),
        "every order has its key": len(orders) >= len(by_key)
        and {next(iter(i)) for i in by_key.values()} <= {o["id"] for o in orders},
        "one inbox item per event": set(inbox) >= expected_events
        and all(inbox[e].get("emailed_at") for e in expected_events),
        "no event of a write that never happened": set(inbox) <= expected_events,
        "no order left PENDING (every checkout placed or released)": all(
            o["status"] != "PENDING" for o in orders
        ),
        "one email per event": all(subjects[s] == 1 for s in expected_subjects)
        and len(expected_subjects) == len(expected_events),
    }
    return {
        "orders": len(orders),
        "keys": len(by_key),
        "events": len(expected_events),
        "undelivered": sorted(_undelivered(orders, expected_events, inbox))[:5],
        "units_sold": sum(sold.values()),
        "lowest_stock": min(products.values()),
        "checks": checks,
        "all_ok": all(checks.values()),
    }


def report(result: Dict) -> None:
    print(
        f"load: {result['seconds']} s, {result['users']} users, {result['requests']} requests "
        f"({result['requests_per_second']}/s), error rate {result['error_rate_percent']} %, "
        f"5xx: {result['server_errors']}"
    )
    print(
        f"latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms "
        "(moto and Chalice's development server on this machine, not Lambda)"
    )
    inv = result["invariants"]
    print(
        f"{inv['orders']} orders from {inv['keys']} idempotency keys, {inv['units_sold']} units sold, "
        f"{inv['events']} events, lowest stock {inv['lowest_stock']}"
    )
    for name, ok in inv["checks"].items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    if inv["undelivered"]:
        print(f"  events not delivered (first 5): {', '.join(inv['undelivered'])}")
    for failure in result["failures"]:
        print(f"  failure: {failure}")
    from bench import reconcile

    reconcile.report(result["payments"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="load")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("SHOP_ADMIN_EMAIL", "admin@shop.local")
    result = run(args.seconds, args.users)
    report(result)
    (ROOT / "bench" / "load-results.json").write_text(json.dumps(result, indent=2) + "\n")
    return (
        0
        if result["invariants"]["all_ok"]
        and result["payments"]["all_ok"]
        and result["server_errors"] == 0
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
