"""The payment functions in the generated production template.

Every function that calls Stripe outlives Stripe's slowest answers: its timeout holds the most Stripe calls a
request makes, each with every attempt timing out and the library's waits between them, plus its own work; and an
API function's stays under API Gateway's 29 s (past it the shopper gets a 504 whatever the function does).

The webhook is public (Stripe has no token): a throttle of its own keeps a flood of forged or replayed events
from using the stage's whole limit, and Stripe delivers again what was throttled (it retries for 3 days)."""

import json

import pytest

from chalicelib.payments import stripe_transport
from ops import package as packaging
from ops import template as templating


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    out = packaging.build("prod", tmp_path_factory.mktemp("dist") / "prod", with_zip=False)
    return json.loads((out / "sam.json").read_text())["Resources"]


@pytest.fixture(scope="module")
def functions(resources):
    return {
        name: resource
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }, resources


def _stripe_callers(resources):
    return {
        name.removesuffix("Role")
        for name, role in resources.items()
        if role["Type"] == "AWS::IAM::Role" and '{"Ref": "StripeSecret"}' in json.dumps(role)
    }


def test_the_stripe_clients_slowest_call_is_every_attempt_timing_out_and_the_waits_between():
    from stripe._http_client import HTTPClient

    from chalicelib.payments.stripe_provider import StripeProvider

    client = StripeProvider(lambda: "sk_test_budget", lambda: "whsec_budget")._stripe()
    http = client._requestor._client
    assert http._timeout == (stripe_transport.CONNECT_SECONDS, stripe_transport.READ_SECONDS)
    assert client._requestor._options.max_network_retries == stripe_transport.RETRIES

    assert stripe_transport.worst_call_seconds() == pytest.approx(
        (stripe_transport.CONNECT_SECONDS + stripe_transport.READ_SECONDS)
        * (stripe_transport.RETRIES + 1)
        + stripe_transport.RETRIES * HTTPClient.INITIAL_DELAY
    )


def test_every_function_that_calls_stripe_has_time_for_its_stripe_calls_and_its_own_work(
    functions,
):
    by_name, resources = functions
    callers = _stripe_callers(resources)
    assert {
        "PlaceOrderFunction",
        "ShipOrderFunction",
        "WebhookFunction",
        "SweepPayments",
    } <= callers
    needed = (
        stripe_transport.CALLS_PER_REQUEST * stripe_transport.worst_call_seconds()
        + templating.OWN_WORK_SECONDS
    )
    for name in callers:
        timeout = by_name[name]["Properties"]["Timeout"]
        assert timeout >= needed, (name, timeout, needed)
        if "Events" not in by_name[name]["Properties"]:  # behind API Gateway
            assert timeout < templating.API_GATEWAY_SECONDS, (name, timeout)


def test_functions_that_do_not_call_stripe_keep_the_default_timeout(functions):
    by_name, resources = functions
    callers = _stripe_callers(resources)
    assert {
        by_name[name]["Properties"]["Timeout"]
        for name in by_name
        if name not in callers and name not in templating.TIMEOUT
    } == {templating.TIMEOUT["default"]}


def test_the_webhook_has_a_throttle_of_its_own_below_the_stages(resources):
    settings = {
        (s["HttpMethod"], s["ResourcePath"]): (s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"])
        for s in resources["RestAPI"]["Properties"]["MethodSettings"]
    }
    stage = settings[("*", "/*")]
    rate, burst = settings[("POST", "/~1payments~1webhook")]
    assert 0 < rate < stage[0] and rate <= burst < stage[1]
