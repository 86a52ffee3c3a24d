"""`make bench`: cold start against a baseline, DynamoDB calls per API operation, warm memory,
authorizer cost. Prints a table and writes bench/results.json. Reports; never fails the build.

`python -m bench --only dynamodb_calls` (or any step's key in results.json, repeatable) runs only those steps
and prints their part of the report; it writes no results.json (that file holds one whole run)."""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

from bench import progress

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "9"))
COST = "cost"  # the cost step's estimate: reported on its own, not kept in results.json


def steps(results: dict):
    """What `make bench` measures, in order: (title, key in results, function of the world); a step may read what
    the steps before it found in `results`. A step whose key is None adds its own keys. Add a step here; it is
    reported as it starts and ends."""
    from bench import cost, decode, scenarios, workloads

    return [
        ("cold start, Lambda-like", "cold_start", cold_start),
        (
            "DynamoDB calls, Stripe requests and DynamoDB units per operation",
            "dynamodb_calls",
            scenarios.count_calls,
        ),
        ("warm memory", "warm", warm_memory),
        ("authorizer cost", "authorizer_ms", authorizer_cost),
        ("partition heat: two workloads of 2,000 orders", "capacity", workloads.run),
        ("scenario extras", None, scenarios.extra),
        # msgspec alone (before issue 23) and the edge's whole decode
        ("body decode per request", "body_decode_us", lambda world: decode.run()),
        # from the measurements above; writes bench/cost-inputs.json, reported after the table
        ("what a million orders cost", COST, lambda world: cost.run(world, results)),
    ]


def main(argv=None) -> int:
    import argparse

    from devstack import aws, provision

    began = time.monotonic()
    results: dict = {}
    server = None
    todo = steps(results)
    keys = [key for _, key, _ in todo if key not in (None, COST)]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", action="append", choices=keys, metavar="STEP", help=f"one of {', '.join(keys)}"
    )
    only = parser.parse_args(argv).only
    if only:
        todo = [step for step in todo if step[1] in only]
    count = len(todo) + 1
    from bench import stripe_meter

    stripe = stripe_meter.running(ROOT / "artifacts")
    stripe.__enter__()  # localstripe as Stripe, for the whole run
    try:
        with progress.step(
            1, count, "embedded AWS, localstripe, tables and the benchmark's accounts"
        ):
            server = aws.start(aws.free_port())
            os.environ.update(
                SHOP_STAGE="test",
                SHOP_AUTO_CONFIRM="true",
                POWERTOOLS_LOG_LEVEL="WARNING",
                POWERTOOLS_METRICS_DISABLED="true",
            )
            from chalicelib import bootstrap

            bootstrap.reset()
            from bench import scenarios

            world = scenarios.World.create(provision.provision("test"))
        for number, (title, key, measure) in enumerate(todo, start=2):
            with progress.step(number, count, title):
                found = measure(world)
            results.update({key: found} if key else found)
    finally:
        if server is not None:
            server.stop()
        stripe.__exit__(None, None, None)
    if "dynamodb_calls" in results:
        results["reads"] = scenarios.reads(results["dynamodb_calls"])
    if only:
        report(results)
    else:
        estimated = results.pop(COST)
        (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        report(results)
        from bench import cost

        cost.report(estimated)
    if "reads" in results:
        print(f"\n{scenarios.reads_line(results['reads'])}")
    print(f"make bench took {progress.elapsed(time.monotonic() - began)}")
    return 0


def _fresh_python(args) -> dict:
    with tempfile.TemporaryDirectory() as empty_cache:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty_cache}
        out = subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, text=True, check=True
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_start(world) -> dict:
    """The production zip against a plain Chalice app, the Lambda way (bench/lambda_like.py)."""
    import boto3
    from bench import lambda_like
    from bench.lambda_event import event
    from chalicelib import settings

    table = settings.get().products_table
    key = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["KeySchema"][0][
        "AttributeName"
    ]
    variants = lambda_like.compare(
        event(**world.cold_start_event), {"BASELINE_TABLE": table, "BASELINE_KEY": key}, RUNS
    )
    shop = variants["shop"]["median_ms"]
    return {
        "request": f"{world.cold_start_event['method']} {world.cold_start_event['path']}",
        "runs": RUNS,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "variants": variants,
        "ratio": round(shop / variants["baseline"]["median_ms"], 3),
        "ratio_to_baseline_with_bytecode": round(
            shop / variants["baseline + bytecode"]["median_ms"], 3
        ),
        "cpu_ratio": round(
            variants["shop"]["median_cpu_ms"] / variants["baseline"]["median_cpu_ms"], 3
        ),
        "goal_ratio": 0.9,
    }


def warm_memory(world) -> dict:
    requests = world.warm_requests
    out = _fresh_python([str(ROOT / "bench" / "warm.py"), str(ROOT), json.dumps(requests), "100"])
    return {"requests": 100 * len(requests), **out, "budget_mb": 128}


def authorizer_cost(world) -> float:
    from chalicelib import auth

    auth.verify(world.token)  # warms the key cache
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        assert auth.verify(world.token) is not None
    return round((time.perf_counter() - started) * 1000 / rounds, 4)


def report(results: dict) -> None:
    """The steps' figures (those that ran: `--only` runs some)."""
    if "cold_start" in results:
        report_cold_start(results["cold_start"])
    if "warm" in results:
        warm = results["warm"]
        print(
            f"warm function peak RSS after {warm['requests']} requests: {warm['peak_rss_mb']} MB "
            f"(budget {warm['budget_mb']} MB)"
        )
    if "authorizer_ms" in results:
        print(f"authorizer: {results['authorizer_ms']} ms per token with warm keys")
    for key, value in results.items():
        if key not in (
            "cold_start",
            "warm",
            "authorizer_ms",
            "dynamodb_calls",
            "capacity",
            "reads",
        ):
            print(f"{key}: {value}")
    if "capacity" in results:
        report_capacity(results["capacity"])
    if "dynamodb_calls" in results:
        report_calls(results["dynamodb_calls"])
    if "cold_start" in results:  # a whole run (`--only` writes none)
        print(f"\nwritten to {ROOT / 'bench' / 'results.json'}")


def report_cold_start(cold: dict) -> None:
    print(
        f"\ncold start, Lambda-like ({cold['request']}, Python {cold['python']}, x86_64 zips, "
        f"{cold['runs']} interleaved runs each):"
    )
    print(f"  {'':<32} {'median':>8} {'min':>8} {'max':>8} {'CPU':>8} {'zip':>8}  botocore from")
    for name, row in cold["variants"].items():
        print(
            f"  {name:<32} {row['median_ms']:>5.0f} ms {row['min_ms']:>5.0f} ms {row['max_ms']:>5.0f} ms "
            f"{row['median_cpu_ms']:>5.0f} ms {row['zip_mb']:>5.1f} MB  {row['botocore_from']}"
            + (f"  ({row['retried']} runs again after a 503)" if row["retried"] else "")
        )
    print(
        f"  shop / baseline: {cold['ratio']}x (goal {cold['goal_ratio']}x); "
        f"shop / baseline with bytecode: {cold['ratio_to_baseline_with_bytecode']}x; "
        f"in CPU time: {cold['cpu_ratio']}x (less disturbed by other load on the machine)"
    )


def report_calls(calls: dict) -> None:
    """Per operation: its DynamoDB calls, Stripe requests, and the read and write units the capacity model charges
    its DynamoDB calls (bench/capacity.py: item sizes, consistency, a missing key's minimum unit)."""
    print(
        "\nDynamoDB calls, Stripe requests and DynamoDB units per operation (RCU: per item 1 per 4 KB strongly "
        "consistent, 0.5 eventually, 2 in a transaction, a missing key 1; a Query its items' size):"
    )
    width = max(len(name) for name in calls)
    print(f"  {'':<{width}}  {'DynamoDB':>8}  {'Stripe':>6}  {'RCU':>5}  {'WCU':>5}")
    for name, row in calls.items():
        print(
            f"  {name:<{width}}  {row['calls']:>8}  {row['stripe']:>6}  {row['rcu']:>5g}  {row['wcu']:>5g}  "
            + ", ".join(row["operations"])
            + (f"  | {', '.join(row['stripe_requests'])}" if row["stripe_requests"] else "")
        )


def report_capacity(capacity: dict) -> None:
    print(
        "\npartition heat (bench/capacity.py; DynamoDB takes 1,000 WCU/s and 3,000 RCU/s per partition key; "
        "a shopper reads each product's page before ordering, which production's stage cache answers):"
    )
    for name, row in capacity.items():
        hot_wcu = row["hottest_write_keys"][0][1] if row["hottest_write_keys"] else 0
        pages_apart = row.get("hottest_read_keys_without_pages", row["hottest_read_keys"])
        hot_rcu = pages_apart[0][1] if pages_apart else 0
        print(
            f"  {name}: {row['orders']} orders, sustainable {_rate(row['sustainable_orders_per_second'])} "
            f"orders/s (goal 10,000; hottest key {hot_wcu} WCU and hottest key {hot_rcu} RCU per order); "
            f"{_rate(row.get('sustainable_orders_per_second_uncached_pages'))} on a stage without the stage "
            "cache, where every product page view reaches DynamoDB"
        )
        print(
            f"    per order: {row['wcu_per_order_total']} WCU in all (budget 22), {row['rcu_per_order_total']} RCU "
            f"({row.get('rcu_per_order_product_pages', 0)} of them for {row.get('product_page_reads_per_order', 0)} "
            f"product page reads), {row['dynamodb_calls_per_order']} DynamoDB calls"
        )
        print(
            f"    Stripe: {row['stripe_requests_per_order']} requests per order, {row['stripe_writes_per_order']} "
            f"of them writes; at Stripe's default live limit ({row['stripe_writes_per_second_limit']} writes/s, "
            f"raised on request) {row['stripe_orders_per_second']:,} paid orders/s: the real cap until Stripe "
            "raises it (past it the shop answers 503 with Retry-After and keeps nothing)"
        )
        for label, keys in (("WCU", row["hottest_write_keys"]), ("RCU", row["hottest_read_keys"])):
            print(f"    hottest {label} per order: " + ", ".join(f"{k} {v}" for k, v in keys[:3]))


def _rate(orders_per_second) -> str:
    return "no limit" if orders_per_second is None else f"{orders_per_second:,}"


if __name__ == "__main__":
    sys.exit(main())
