"""Every route's guard, walked from Chalice's own route table, so a route added later cannot forget one."""

import re


from tests import tokens
from tests.conftest import Api
from tests.support import concrete, operations

# The only operations anyone may call without a token (each declares public=True next to its route)
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("POST", "/users"),
    ("POST", "/users/confirm"),
    ("POST", "/auth/token"),
    ("GET", "/products"),
    ("GET", "/products/{product_id}"),
    ("GET", "/categories"),
    ("GET", "/"),
    ("GET", "/static/{name}"),
    ("POST", "/payments/webhook"),
}  # the webhook: Stripe signs it


def test_the_public_operations_are_exactly_the_documented_ones(app):
    assert {(m, p) for m, p, op in operations(app) if op.public} == PUBLIC


def test_every_other_route_answers_401_without_a_token_and_403_with_a_forged_one(
    app, client, stack, shopper
):
    forged = tokens.mint(
        stack.pool_id, stack.client_id, sub=shopper.user_id, iss="https://evil.example.com/pool"
    )
    checked = 0
    for method, path, op in operations(app):
        if op.public:
            continue
        url = concrete(path)
        missing = Api(client).request(method, url, json={})
        assert missing.status_code == 401, (method, path)
        assert missing.json == {
            "Code": "UnauthorizedError",
            "Message": "a bearer token is required",
        }
        refused = Api(client, forged).request(method, url, json={})
        assert refused.status_code == 403 and refused.json["Code"] == "ForbiddenError", (
            method,
            path,
        )
        checked += 1
    assert checked >= 15


def test_every_admin_route_refuses_a_customer(app, shopper):
    admin_routes = [(m, p) for m, p, op in operations(app) if op.admin]
    assert len(admin_routes) >= 6
    for method, path in admin_routes:
        response = shopper.request(
            method, concrete(path), json={"name": "x", "category": "x", "price_cents": 1}
        )
        assert response.status_code == 403 and response.json["Code"] == "ForbiddenError", (
            method,
            path,
        )


def test_every_route_with_an_id_of_something_owned_is_404_to_another_user(
    app, admin, shopper, other_shopper, pump
):
    from tests.support import eventually

    product = admin.post(
        "/products",
        {"name": "Owned Chair", "category": "furniture", "price_cents": 100, "stock": 5},
    ).json
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": product["id"], "quantity": 1}]},
    ).json
    assert eventually(lambda: shopper.get("/notifications").json["items"])
    notification = next(
        n for n in shopper.get("/notifications").json["items"] if n["order_id"] == order["id"]
    )
    owned = {"order_id": order["id"], "notification_id": notification["id"]}
    checked = []
    for method, path, op in operations(app):
        names = re.findall(r"{(\w+)}", path)
        if op.public or op.admin or not names or not set(names) <= set(owned):
            continue
        url = re.sub(r"{(\w+)}", lambda m: owned[m.group(1)], path)
        assert other_shopper.request(method, url, json={}).status_code == 404, (method, path)
        checked.append((method, path))
    assert {
        ("GET", "/orders/{order_id}"),
        ("POST", "/orders/{order_id}/cancel"),
        ("POST", "/notifications/{notification_id}/read"),
    } <= set(checked)
    # the attempts changed nothing
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "PLACED"
