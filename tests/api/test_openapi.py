"""/openapi.json as other people's tools read it: openapi-spec-validator accepts it, and a client generated from
it by openapi-python-client shops through the live API."""

import importlib
import pathlib
import re
import subprocess
import sys
import uuid

import pytest
import requests

from tests import payments as stripe
from tests.conftest import PASSWORD, unique_email


def test_the_document_is_valid_openapi_3_0(anonymous):
    from openapi_spec_validator import OpenAPIV30SpecValidator

    document = anonymous.get("/openapi.json").json
    assert [error.message for error in OpenAPIV30SpecValidator(document).iter_errors()] == []


def test_the_document_states_the_strict_query_rules_and_the_sign_out_route(anonymous):
    document = anonymous.get("/openapi.json").json
    sign_out = document["paths"]["/auth/sign-out"]["post"]
    assert set(sign_out["responses"]) >= {"204", "400", "401", "403"} and sign_out["security"] == [
        {"bearer": []}
    ]
    assert document["components"]["schemas"]["SignOut"]["required"] == ["refresh_token"]
    for path in ("/products", "/orders", "/admin/orders", "/notifications"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert (
            parameters["limit"]["schema"]["maximum"] == 100
            and "400" in document["paths"][path]["get"]["responses"]
        )
        assert all("twice is 400" in p["description"] for p in parameters.values())


def _operations(document):
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_but_the_webhook_documents_415_and_every_one_429(anonymous):
    """A body without a type is 415 on every route whose body is the shop's JSON, bodiless ones included
    (chalicelib/http/routing.py); the stage's throttle answers 429 on any of them (ops/package.py)."""
    document = anonymous.get("/openapi.json").json
    for method, path, operation in _operations(document):
        codes = set(operation["responses"])
        assert "429" in codes, (method, path)
        assert ("415" in codes) == ((method, path) != ("POST", "/payments/webhook")), (method, path)
    for path in ("/users", "/users/confirm", "/auth/token"):
        assert "web ACL" in document["paths"][path]["post"]["responses"]["429"]["description"]


def test_the_routes_said_to_be_limited_per_address_are_those_the_web_acl_limits(app):

    from chalicelib import openapi
    from ops import edge
    from tests.support import operations

    auth, post_users = edge._account_routes("api")["OrStatement"]["Statements"]
    users = post_users["AndStatement"]["Statements"][0]

    def matches(statement, path):
        return re.search(statement["RegexMatchStatement"]["RegexString"], path) is not None

    for method, path, _ in operations(app):
        for seen in (
            path,
            "/api" + path,
        ):  # the stage's name is in the path WAF sees on API Gateway's host
            limited = matches(auth, seen) or (method == "POST" and matches(users, seen))
            assert openapi.address_limited(method, path) == limited, (method, seen)


def test_order_and_payment_statuses_are_enums(anonymous):
    from chalicelib.orders.model import STATUSES
    from chalicelib.payments.model import STATUSES as PAYMENT_STATUSES

    schemas = anonymous.get("/openapi.json").json["components"]["schemas"]
    assert set(schemas["OrderOut"]["properties"]["status"]["enum"]) == set(STATUSES)
    assert "REFUNDED" in STATUSES
    assert set(schemas["PaymentOut"]["properties"]["status"]["enum"]) == set(PAYMENT_STATUSES)


def test_the_webhook_documents_stripes_event_as_its_body(anonymous):
    document = anonymous.get("/openapi.json").json
    body = document["paths"]["/payments/webhook"]["post"]["requestBody"]["content"]
    schemas = document["components"]["schemas"]
    event = schemas[body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(event["required"]) >= {"id", "type", "data"}
    data = schemas[event["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    subject = schemas[data["properties"]["object"]["$ref"].rsplit("/", 1)[1]]
    assert "id" in subject["required"]
    # Stripe's, not the shop's: whatever else Stripe sends is allowed
    assert all(s.get("additionalProperties", True) is True for s in (event, data, subject))


@pytest.fixture(scope="module")
def shop_client(live_url, tmp_path_factory):
    """The client package openapi-python-client generates from the live document (offline: no post hooks)."""
    where = tmp_path_factory.mktemp("generated")
    (where / "openapi.json").write_bytes(
        requests.get(f"{live_url}/openapi.json", timeout=10).content
    )
    (where / "config.yaml").write_text("post_hooks: []\npackage_name_override: shop_client\n")
    generator = pathlib.Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(where / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(where / "shop_client"),
            "--config",
            str(where / "config.yaml"),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module("shop_client")
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == "shop_client" or m.startswith("shop_client.")]:
            del sys.modules[name]


def test_a_generated_client_signs_up_signs_in_pays_replays_cancels_refunds_and_signs_out(
    shop_client, live_url, admin, stripe_api
):
    from shop_client import AuthenticatedClient, Client
    from shop_client.api.default import (
        cancel_order,
        get_order,
        list_all_orders,
        list_products,
        place_order,
        refund_order,
        ship_order,
        sign_out,
        sign_up,
        token,
        webhook,
    )
    from shop_client.models import (
        Error,
        LineIn,
        ListAllOrdersStatus,
        NewOrder,
        OrderOutStatus,
        SignOut,
        SignUp,
        StripeEvent,
        TokenRequest,
    )

    category = f"generated-{uuid.uuid4().hex[:8]}"
    product = admin.post(
        "/products",
        {"name": "Generated Lamp", "category": category, "price_cents": 1999, "stock": 3},
    ).json
    anonymous = Client(base_url=live_url, raise_on_unexpected_status=True)
    email = unique_email("generated")

    created = sign_up.sync_detailed(
        client=anonymous, body=SignUp(email=email, password=PASSWORD, name="Gen Client")
    )
    assert created.status_code == 201 and created.parsed.email == email
    tokens = token.sync(client=anonymous, body=TokenRequest(email=email, password=PASSWORD))
    assert tokens.token_type == "Bearer" and tokens.expires_in <= 900
    shopper = AuthenticatedClient(
        base_url=live_url, token=tokens.access_token, raise_on_unexpected_status=True
    )

    page = list_products.sync(client=anonymous, category=category, limit=10)
    assert [p.id for p in page.items] == [product["id"]] and page.items[0].stock == 3

    key = f"generated-{uuid.uuid4().hex}"
    declined = place_order.sync_detailed(
        client=shopper,
        idempotency_key=key,
        body=NewOrder(
            payment_method="pm_card_chargeCustomerFail",
            items=[LineIn(product_id=product["id"], quantity=2)],
        ),
    )
    assert (
        declined.status_code == 402
        and isinstance(declined.parsed, Error)
        and "card_declined" in declined.parsed.message
    )
    body = NewOrder(
        payment_method="pm_card_visa", items=[LineIn(product_id=product["id"], quantity=2)]
    )
    placed = place_order.sync_detailed(client=shopper, body=body, idempotency_key=key)
    assert (
        placed.status_code == 201
        and placed.parsed.status == "PLACED"
        and placed.parsed.total_cents == 3998
    )
    assert (
        placed.parsed.payment.status == "AUTHORIZED" and placed.parsed.payment.amount_cents == 3998
    )
    replayed = place_order.sync_detailed(client=shopper, body=body, idempotency_key=key)
    assert replayed.status_code == 201 and replayed.parsed.id == placed.parsed.id
    other_body = NewOrder(
        payment_method="pm_card_visa", items=[LineIn(product_id=product["id"], quantity=1)]
    )
    reused = place_order.sync_detailed(client=shopper, body=other_body, idempotency_key=key)
    assert (
        reused.status_code == 422
        and isinstance(reused.parsed, Error)
        and reused.parsed.code == "UnprocessableEntityError"
    )
    assert (
        admin.get(f"/products/{product['id']}", headers={"Cache-Control": "no-cache"}).json["stock"]
        == 1
    )

    cancelled = cancel_order.sync(client=shopper, order_id=placed.parsed.id)
    assert cancelled.status == "CANCELLED" and cancelled.payment.status == "VOIDED"
    assert (
        admin.get(f"/products/{product['id']}", headers={"Cache-Control": "no-cache"}).json["stock"]
        == 3
    )

    boss = AuthenticatedClient(
        base_url=live_url, token=admin.token, raise_on_unexpected_status=True
    )
    second = place_order.sync(
        client=shopper,
        body=NewOrder(
            payment_method="pm_card_visa", items=[LineIn(product_id=product["id"], quantity=1)]
        ),
    )
    assert ship_order.sync(client=boss, order_id=second.id).payment.status == "CAPTURED"
    refunded = refund_order.sync(client=boss, order_id=second.id)
    assert refunded.status == "REFUNDED" and refunded.payment.status == "REFUNDED"
    assert refunded.status is OrderOutStatus.REFUNDED
    listed = list_all_orders.sync(client=boss, status=ListAllOrdersStatus.REFUNDED, limit=10)
    assert second.id in [o.id for o in listed.items]
    assert {o.status for o in listed.items} == {OrderOutStatus.REFUNDED}

    # Stripe's side: an authorization Stripe cancelled, reported through the webhook, cancels the order
    third = place_order.sync(client=shopper, body=other_body)
    stripe.cancel_at_stripe(stripe_api, third.payment.reference)
    event = stripe.event(
        "payment_intent.canceled", third.payment.reference, f"evt_{uuid.uuid4().hex}"
    )

    def sign(request):  # over the bytes the generated client sends, as Stripe signs them
        request.headers["Stripe-Signature"] = stripe.signature(request.content)

    signed = Client(
        base_url=live_url,
        raise_on_unexpected_status=True,
        httpx_args={"event_hooks": {"request": [sign]}},
    )
    received = webhook.sync_detailed(client=signed, body=StripeEvent.from_dict(event))
    assert received.status_code == 200 and received.parsed.received == "settled"
    assert get_order.sync(client=shopper, order_id=third.id).status is OrderOutStatus.CANCELLED

    assert (
        sign_out.sync_detailed(
            client=shopper, body=SignOut(refresh_token=tokens.refresh_token)
        ).status_code
        == 204
    )
    refused = token.sync_detailed(
        client=anonymous, body=TokenRequest(refresh_token=tokens.refresh_token)
    )
    assert refused.status_code == 401 and refused.parsed.code == "UnauthorizedError"


# --- docs/api.md and the document agree -----------------------------------------------------------------------

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api.md"
_ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`?]*)[^`]*` \|(.*)$", re.MULTILINE)


def _documented_statuses():
    """(method, path with its parameters unnamed) -> the statuses docs/api.md's table row names."""
    return {
        (method, re.sub(r"{\w+}", "{}", path)): {
            int(c) for c in re.findall(r"`([1-5]\d\d)\b", rest)
        }
        for method, path, rest in _ROW.findall(DOCS.read_text())
    }


def test_every_status_docs_api_md_gives_an_operation_is_in_the_document(anonymous):
    """docs/api.md names the statuses worth a word; the document lists every one an operation can answer (the
    generic ones too: 401/403 of the authorizer, 415, 429, 503), so the docs' must be among them."""
    document = anonymous.get("/openapi.json").json
    described = {
        (method, re.sub(r"{\w+}", "{}", path)): {int(code) for code in operation["responses"]}
        for method, path, operation in _operations(document)
    }
    documented = _documented_statuses()
    assert len(documented) >= 25 and set(documented) <= set(described), set(documented) - set(
        described
    )
    missing = {
        f"{method} {path}": sorted(codes - described[method, path])
        for (method, path), codes in documented.items()
        if codes - described[method, path]
    }
    assert missing == {}


def test_docs_api_md_names_every_error_the_shop_answers_with_its_code():
    from chalicelib.http import responses

    conventions = DOCS.read_text().split("## Health")[0]
    for _, status, code in responses._STATUS:
        assert f"`{status} {code}`" in conventions, (status, code)


def test_the_document_promises_no_store_on_all_but_the_catalogs_reads(anonymous):
    header = anonymous.get("/openapi.json").json["components"]["headers"]["Cache-Control"]
    assert "no-store" in header["description"] and "immutable" not in header["description"]
