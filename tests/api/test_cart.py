import pytest

MISSING = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture
def chair(admin):
    return admin.post(
        "/products",
        {"name": "Crunchy Armchair", "category": "furniture", "price_cents": 12999, "stock": 10},
    ).json


@pytest.fixture
def lamp(admin):
    return admin.post(
        "/products",
        {"name": "Brass Lamp", "category": "lighting", "price_cents": 4550, "stock": 10},
    ).json


def test_an_empty_cart_is_an_empty_list(shopper):
    cart = shopper.get("/cart")
    assert cart.status_code == 200 and cart.json == {
        "items": [],
        "total_cents": 0,
        "currency": "USD",
    }


def test_the_cart_totals_lines_at_current_prices(shopper, admin, chair, lamp):
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 2})
    cart = shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 3}).json
    lines = {line["product_id"]: line for line in cart["items"]}
    assert lines[chair["id"]] == {
        "product_id": chair["id"],
        "name": "Crunchy Armchair",
        "unit_price_cents": 12999,
        "quantity": 2,
        "line_total_cents": 25998,
    }
    assert lines[lamp["id"]]["line_total_cents"] == 13650
    assert cart["total_cents"] == 25998 + 13650 and cart["currency"] == "USD"
    admin.patch(f"/products/{lamp['id']}", {"price_cents": 5000, "name": "Brass Lamp II"})
    cart = shopper.get("/cart").json
    lines = {line["product_id"]: line for line in cart["items"]}
    assert (
        lines[lamp["id"]]["unit_price_cents"] == 5000
        and lines[lamp["id"]]["name"] == "Brass Lamp II"
    )
    assert cart["total_cents"] == 25998 + 15000


def test_putting_a_product_again_sets_its_quantity(shopper, chair):
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 2})
    cart = shopper.put(f"/cart/items/{chair['id']}", {"quantity": 5}).json
    assert [line["quantity"] for line in cart["items"]] == [5]


def test_removing_a_line_and_emptying_the_cart(shopper, chair, lamp):
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 1})
    shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 1})
    cart = shopper.delete(f"/cart/items/{chair['id']}")
    assert cart.status_code == 200 and [line["product_id"] for line in cart.json["items"]] == [
        lamp["id"]
    ]
    assert shopper.delete("/cart").status_code == 204
    assert shopper.get("/cart").json["items"] == []


def test_an_unknown_product_is_404_and_leaves_the_cart_as_it_was(shopper, chair):
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 1})
    for product_id in (MISSING, "not-an-id"):
        response = shopper.put(f"/cart/items/{product_id}", {"quantity": 1})
        assert response.status_code == 404
    assert [line["product_id"] for line in shopper.get("/cart").json["items"]] == [chair["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": 0},
        {"quantity": 100},
        {"quantity": 1.5},
        {"quantity": "2"},
        {},
        {"quantity": 1, "price_cents": 1},
    ],
)
def test_bad_quantities_are_400(shopper, chair, body):
    assert shopper.put(f"/cart/items/{chair['id']}", body).status_code == 400
    assert shopper.get("/cart").json["items"] == []


def test_a_deleted_product_disappears_from_the_cart(shopper, admin, chair, lamp):
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 1})
    shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 2})
    admin.delete(f"/products/{chair['id']}")
    cart = shopper.get("/cart")
    assert cart.status_code == 200
    assert [line["product_id"] for line in cart.json["items"]] == [lamp["id"]]
    assert cart.json["total_cents"] == 9100


def test_carts_are_private(shopper, other_shopper, chair):
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 1})
    assert other_shopper.get("/cart").json["items"] == []


def test_60_concurrent_puts_leave_at_most_50_lines_exactly_those_answered_200(
    client, admin, live_url
):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from tests.conftest import sign_up_and_in

    buyer = sign_up_and_in(client)
    products = [
        admin.post(
            "/products",
            {"name": f"Crowded Item {i}", "category": "crowd", "price_cents": 100 + i, "stock": 5},
        ).json["id"]
        for i in range(60)
    ]

    def put(product_id):
        answer = requests.put(
            f"{live_url}/cart/items/{product_id}",
            json={"quantity": 1},
            timeout=60,
            headers={"Authorization": f"Bearer {buyer.token}"},
        )
        return product_id, answer.status_code, answer.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(put, products))
    accepted = {pid for pid, status, _ in answers if status == 200}
    refused = [body for _, status, body in answers if status != 200]
    assert len(accepted) == 50 and len(refused) == 10
    assert all(body["Code"] == "BadRequestError" and "50" in body["Message"] for body in refused)
    cart = buyer.get("/cart")
    assert (
        cart.status_code == 200 and {line["product_id"] for line in cart.json["items"]} == accepted
    )
    # a line it has
    assert buyer.put(f"/cart/items/{next(iter(accepted))}", {"quantity": 3}).status_code == 200
    placed = buyer.post("/orders", {"payment_method": "pm_card_visa"})
    assert placed.status_code == 201 and len(placed.json["items"]) == 50
