import uuid

import boto3
import pytest

from tests.support import all_pages


def _category():
    return f"test-{uuid.uuid4().hex[:8]}"


def _product(**overrides):
    body = {
        "name": "Crunchy Armchair",
        "category": "furniture",
        "price_cents": 12999,
        "stock": 5,
        "description": "A chair that creaks with character.",
        "image_url": "https://img.example.com/c.jpg",
    }
    body.update(overrides)
    return body


@pytest.fixture
def category():
    return _category()


def test_admin_creates_reads_updates_and_deletes_a_product(admin, anonymous, category):
    created = admin.post("/products", _product(category=category))
    assert created.status_code == 201
    product = created.json
    assert (
        product["currency"] == "USD" and product["price_cents"] == 12999 and product["stock"] == 5
    )
    assert anonymous.get(f"/products/{product['id']}").json == product
    changed = admin.patch(f"/products/{product['id']}", {"price_cents": 9999, "image_url": None})
    assert changed.status_code == 200
    assert changed.json["price_cents"] == 9999 and changed.json["image_url"] is None
    assert (
        changed.json["name"] == product["name"]
        and changed.json["created_at"] == product["created_at"]
    )
    assert admin.delete(f"/products/{product['id']}").status_code == 204
    assert anonymous.get(f"/products/{product['id']}").status_code == 404
    assert admin.delete(f"/products/{product['id']}").status_code == 404
    assert admin.patch(f"/products/{product['id']}", {"stock": 1}).status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"price_cents": 12.5}, "price_cents"),
        ({"price_cents": 10.0}, "price_cents"),
        ({"price_cents": -1}, "price_cents"),
        ({"price_cents": "100"}, "price_cents"),
        ({"price_cents": 100_000_001}, "price_cents"),
        ({"stock": -3}, "stock"),
        ({"stock": True}, "stock"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"category": "Has Spaces"}, "category"),
        ({"category": "x" * 51}, "category"),
        ({"description": "d" * 5001}, "description"),
        ({"image_url": "http://img.example.com/c.jpg"}, "image_url"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_products_are_400_naming_the_field(admin, change, field):
    created = admin.post("/products", _product(**change))
    assert created.status_code == 400, created.body
    assert f"`{field}`" in created.json["Message"]


def test_invalid_changes_are_400_and_change_nothing(admin, anonymous, category):
    product = admin.post("/products", _product(category=category)).json
    assert admin.patch(f"/products/{product['id']}", {"price_cents": 1.5}).status_code == 400
    assert admin.patch(f"/products/{product['id']}", {"id": "other"}).status_code == 400
    assert anonymous.get(f"/products/{product['id']}").json == product


def test_customers_cannot_write_the_catalog(shopper, admin, category):
    assert shopper.post("/products", _product()).status_code == 403
    product = admin.post("/products", _product(category=category)).json
    assert shopper.patch(f"/products/{product['id']}", {"stock": 0}).status_code == 403
    assert shopper.delete(f"/products/{product['id']}").status_code == 403


def test_an_unknown_product_is_404(anonymous):
    assert anonymous.get("/products/01ARZ3NDEKTSV4RRFFQ69G5FAV").status_code == 404
    assert anonymous.get("/products/category%23books").status_code == 404
    assert anonymous.get("/products/not-an-id").json["Code"] == "NotFoundError"


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_paging_returns_every_product_of_a_category_exactly_once(admin, anonymous, limit):
    category = _category()
    made = [
        admin.post("/products", _product(name=f"Chair {i}", category=category)).json["id"]
        for i in range(15)
    ]
    # creation order
    assert all_pages(anonymous, f"/products?category={category}&limit={limit}") == made


def test_paging_the_whole_catalog_returns_each_product_once(admin, anonymous):
    admin.post("/products", _product(category=_category()))
    seen = all_pages(anonymous, "/products?limit=7")
    assert len(seen) == len(set(seen)) and seen == sorted(seen)


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1", "1.5"])
def test_limits_out_of_range_are_400(anonymous, limit):
    response = anonymous.get(f"/products?limit={limit}")
    assert response.status_code == 400 and "`limit`" in response.json["Message"]


def test_tampered_and_foreign_cursors_are_400(admin, anonymous):
    category = _category()
    for i in range(3):
        admin.post("/products", _product(name=f"Lamp {i}", category=category))
    cursor = anonymous.get(f"/products?category={category}&limit=1").json["next_cursor"]
    assert cursor
    payload, signature = cursor.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    for bad in [f"{flipped}.{signature}", f"{payload}.{signature[:-1]}", "garbage", "...", "%00"]:
        response = anonymous.get(f"/products?category={category}&limit=1&cursor={bad}")
        assert response.status_code == 400, (bad, response.body)
    foreign = anonymous.get(f"/products?category={_category()}&cursor={cursor}")
    assert foreign.status_code == 400 and "another list" in foreign.json["Message"]


def test_a_bad_category_filter_is_400(anonymous):
    assert anonymous.get("/products?category=Not%20A%20Slug").status_code == 400


def test_category_counts_follow_create_move_and_delete(admin, anonymous):
    chairs, lamps = _category(), _category()

    def counts():
        return {c["name"]: c["product_count"] for c in anonymous.get("/categories").json["items"]}

    first = admin.post("/products", _product(category=chairs)).json
    admin.post("/products", _product(category=chairs))
    assert counts()[chairs] == 2 and lamps not in counts()
    admin.patch(f"/products/{first['id']}", {"category": lamps})
    assert counts()[chairs] == 1 and counts()[lamps] == 1
    admin.patch(f"/products/{first['id']}", {"name": "Renamed, same category"})
    assert counts()[lamps] == 1
    admin.delete(f"/products/{first['id']}")
    assert counts()[chairs] == 1 and lamps not in counts()


def test_catalog_reads_carry_etag_and_cache_control_and_answer_304(admin, anonymous, category):
    product = admin.post("/products", _product(category=category)).json
    for path in [f"/products/{product['id']}", f"/products?category={category}", "/categories"]:
        first = anonymous.get(path)
        assert first.headers["Cache-Control"] == "public, max-age=30, stale-if-error=600"
        etag = first.headers["ETag"]
        again = anonymous.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.body == b"" and again.headers["ETag"] == etag
        assert anonymous.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_write_through_the_api_is_visible_to_the_next_read(admin, anonymous, category):
    product = admin.post("/products", _product(category=category)).json
    path = f"/products/{product['id']}"
    etag = anonymous.get(path).headers["ETag"]
    admin.patch(path, {"price_cents": 4242})
    fresh = anonymous.get(path, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.json["price_cents"] == 4242
    assert anonymous.get(f"/products?category={category}").json["items"][0]["price_cents"] == 4242


def test_the_warm_cache_serves_reads_until_no_cache_is_asked_for(admin, anonymous, category, stack):
    product = admin.post("/products", _product(category=category)).json
    path = f"/products/{product['id']}"
    assert anonymous.get(path).json["stock"] == 5
    # a write that bypasses this container (another function, the console) ...
    boto3.client("dynamodb").update_item(
        TableName="shop-test-products",
        Key={"id": {"S": product["id"]}},
        UpdateExpression="SET stock = :s",
        ExpressionAttributeValues={":s": {"N": "1"}},
    )
    assert anonymous.get(path).json["stock"] == 5  # ... is not seen within the TTL
    assert anonymous.get(path, headers={"Cache-Control": "no-cache"}).json["stock"] == 1
    assert anonymous.get(path).json["stock"] == 1  # and the fresh read refreshed the cache
