"""The cost of a million orders (bench/cost_model.py) from the measurements `make bench` committed
(bench/cost-inputs.json): the README shows what they give, and the model's arithmetic holds."""

import json
import math
import pathlib
import re

import pytest

from bench import cost, cost_model
from bench.prices import PRICES, PRICES_AS_OF

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs():
    return json.loads(cost.INPUTS.read_text())


def test_the_readme_shows_the_table_the_committed_measurements_give(inputs):
    readme = (ROOT / "README.md").read_text()
    assert cost.readme_block(cost.estimates(inputs)) in readme, (
        "run: .venv/bin/python -m bench.cost --readme"
    )


def test_every_step_of_the_journey_is_a_scenario_the_benchmark_measures(inputs):
    registered = set(
        re.findall(r'@scenario\(\s*"([^"]+)"', (ROOT / "bench" / "scenarios.py").read_text())
    )
    steps = {step.scenario for step in cost_model.JOURNEY}
    assert steps <= registered and steps <= set(inputs["operations"])
    assert len(inputs["handlers"]["publish"]) >= 10 and len(inputs["handlers"]["deliver"]) >= 10


def test_the_table_has_every_component_the_bill_has_and_stripe_on_its_own_line(inputs):
    estimated = cost_model.estimate(inputs)
    components = [line["component"] for line in estimated["lines"]]
    for wanted in (
        "API Gateway requests",
        "API Gateway cache",
        "Lambda requests",
        "Lambda compute",
        "DynamoDB writes",
        "DynamoDB reads",
        "SQS",
        "SES",
        "CloudWatch Logs",
        "CloudWatch metrics",
        "CloudWatch alarms and dashboard",
        "X-Ray",
        "Secrets Manager",
        "WAF",
    ):
        assert wanted in components, wanted
    assert "Stripe" not in " ".join(components)
    assert estimated["total"] == pytest.approx(
        sum(line["dollars"] for line in estimated["lines"]), abs=0.01
    )
    assert estimated["biggest"]["dollars"] == max(line["dollars"] for line in estimated["lines"])


def test_stripe_is_paid_on_every_captured_order_and_not_on_a_voided_authorization(inputs):
    cancelled = sum(
        step.per_order
        for step in cost_model.JOURNEY
        if step.scenario.startswith("POST /orders/{id}/cancel")
    )
    per_order = (
        cost_model.AVERAGE_ORDER_DOLLARS * PRICES["stripe_card_percent"]
        + PRICES["stripe_card_fixed"]
    )
    assert cost_model.estimate(inputs)["stripe"]["dollars"] == pytest.approx(
        1e6 * per_order * (1 - cancelled)
    )
    assert 0 < cancelled < 1


def test_monthly_charges_spread_over_the_orders_and_usage_grows_with_them(inputs):
    small, large = cost_model.estimate(inputs, 100_000), cost_model.estimate(inputs, 10_000_000)
    assert small["total"] > large["total"]
    few, many = (
        {line["component"]: line["dollars"] for line in e["lines"]} for e in (small, large)
    )
    for usage in ("SES", "DynamoDB writes", "API Gateway requests", "Lambda compute"):
        assert few[usage] == many[usage], usage
    assert few["API Gateway cache"] == pytest.approx(100 * many["API Gateway cache"], rel=0.01)


def test_a_lambda_duration_is_the_apps_cpu_time_on_its_share_of_a_vcpu_plus_stated_waits():
    measured = {
        "app_cpu_ms": 2.9,
        "rounds": [["dynamodb:BatchGetItem"], ["dynamodb:TransactWriteItems"]],
    }
    waits = (
        cost_model.AWS_LATENCY_MS["dynamodb:BatchGetItem"]
        + cost_model.AWS_LATENCY_MS["dynamodb:TransactWriteItems"]
    )
    assert cost_model.duration_ms(measured, 512, stripe_ms=500) == math.ceil(
        2.9 * 1769 / 512 + waits + 500 + cost_model.RUNTIME_MS
    )
    parallel = {"app_cpu_ms": 0.0, "rounds": [["dynamodb:Query"] * 32, ["dynamodb:BatchGetItem"]]}
    # a round waits once
    assert cost_model.duration_ms(parallel, 1769) == math.ceil(8 + 8 + cost_model.RUNTIME_MS)


def test_x_ray_records_its_reservoir_then_five_percent():
    month = cost_model.SECONDS_PER_MONTH
    assert cost_model._traced(1000, months=1) == 1000
    assert cost_model._traced(month + 1_000_000, months=1) == pytest.approx(month + 50_000)


def test_the_prices_say_when_they_were_taken():
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", PRICES_AS_OF)
    text = (ROOT / "bench" / "prices.py").read_text()
    assert len(re.findall(r"https://\S+pricing", text)) >= 10
