"""/openapi.json as other people's tools read it: openapi-spec-validator accepts it, and a client generated from
it by openapi-python-client shops through the live API."""

import importlib
import pathlib
import subprocess
import sys
import uuid

import pytest
import requests

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
    shop_client, live_url, admin
):
    from shop_client import AuthenticatedClient, Client
    from shop_client.api.default import (
        cancel_order,
        list_products,
        place_order,
        refund_order,
        ship_order,
        sign_out,
        sign_up,
        token,
    )
    from shop_client.models import Error, LineIn, NewOrder, SignOut, SignUp, TokenRequest

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
