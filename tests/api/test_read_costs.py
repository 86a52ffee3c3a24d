"""What a product read and a cart line cost in DynamoDB calls, counted on the app's own client (`make bench`
prints them with their read units; here they are a behaviour: a product that is not on flash sale is one key)."""

import contextlib
import contextvars

from chalicelib import bootstrap

FRESH = {"Cache-Control": "no-cache"}
_counting: contextvars.ContextVar = contextvars.ContextVar("counting", default=False)


@contextlib.contextmanager
def dynamodb_calls():
    made = []
    events = bootstrap.services().client("dynamodb").meta.events
    # the request's calls, in this thread or in threads it hands its context to (the admin page's shard
    # queries); the event pump's calls, in its own thread, are not the request's
    token = _counting.set(True)

    def count(model, **_):
        if _counting.get():
            made.append(model.name)

    events.register("before-call.dynamodb", count)
    try:
        yield made
    finally:
        events.unregister("before-call.dynamodb", count)
        _counting.reset(token)


def _product(admin, **fields):
    body = {"name": "Costed Lamp", "category": "costs", "price_cents": 900, "stock": 40, **fields}
    return admin.post("/products", body).json


def test_a_product_not_on_flash_sale_is_read_as_one_key(anonymous, admin):
    product = _product(admin)
    with dynamodb_calls() as made:
        assert anonymous.get(f"/products/{product['id']}", headers=FRESH).json["stock"] == 40
    assert made == ["GetItem"]


def test_a_flash_sale_product_takes_a_second_call_until_the_container_knows_it(anonymous, admin):
    product = _product(admin, flash_sale=True)
    with dynamodb_calls() as first:
        assert anonymous.get(f"/products/{product['id']}", headers=FRESH).json["stock"] == 40
    with dynamodb_calls() as known:
        assert anonymous.get(f"/products/{product['id']}", headers=FRESH).json["stock"] == 40
    assert first == ["GetItem", "BatchGetItem"] and known == ["BatchGetItem"]
    admin.patch(f"/products/{product['id']}", {"flash_sale": False})
    with dynamodb_calls() as ended:
        assert anonymous.get(f"/products/{product['id']}", headers=FRESH).json["stock"] == 40
    assert ended == [
        "BatchGetItem"
    ]  # read as it was known; the answer says it is off, and so will the flag
    with dynamodb_calls() as after:
        anonymous.get(f"/products/{product['id']}", headers=FRESH)
    assert after == ["GetItem"]


def test_a_shoppers_first_cart_line_takes_two_calls_like_every_other(shopper, admin):
    lamp, vase = _product(admin), _product(admin, name="Costed Vase")
    with dynamodb_calls() as first:
        assert shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 2}).status_code == 200
    with dynamodb_calls() as second:
        answer = shopper.put(f"/cart/items/{vase['id']}", {"quantity": 1})
    assert first == ["BatchGetItem", "PutItem"] and second == ["BatchGetItem", "UpdateItem"]
    assert [line["quantity"] for line in answer.json["items"]] == [2, 1]


def test_a_first_line_for_a_product_the_container_knows_writes_once(shopper, other_shopper, admin):
    lamp = _product(admin)
    assert other_shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 1}).status_code == 200
    with dynamodb_calls() as made:
        assert shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 3}).status_code == 200
    # the cart is read (the offer is known): a first line is one write, not an update that finds no cart
    assert made == ["BatchGetItem", "PutItem"]
    with dynamodb_calls() as again:
        assert shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 4}).status_code == 200
    assert again == ["UpdateItem"]  # the container knows both the offer and the cart
    assert shopper.get("/cart").json["items"][0]["quantity"] == 4


def test_an_admin_page_of_orders_queries_each_of_the_admins_shards_once(admin):
    from chalicelib.orders.records import ORDER_SHARDS

    with dynamodb_calls() as made:
        assert admin.get("/admin/orders?status=PLACED&limit=5").status_code == 200
    assert made.count("Query") == ORDER_SHARDS and len(made) <= ORDER_SHARDS + 1


def test_a_shoppers_page_of_orders_is_two_calls_however_long_and_the_orders_as_they_are_now(
    shopper, admin
):
    """Keys from the shopper's index (which holds no copy of an order, so that recording a payment operation or
    moving a status writes no entry there), then the page's orders in one BatchGetItem."""
    product = _product(admin, stock=50)
    made_orders = []
    for _ in range(3):
        placed = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": product["id"], "quantity": 1}],
            },
        )
        assert placed.status_code == 201, placed.body
        made_orders.append(placed.json["id"])
    assert admin.post(f"/orders/{made_orders[0]}/ship").status_code == 200
    for limit in (1, 3):
        with dynamodb_calls() as made:
            page = shopper.get(f"/orders?limit={limit}")
        assert page.status_code == 200 and len(page.json["items"]) == limit
        assert sorted(made) == ["BatchGetItem", "Query"]
    shown = {o["id"]: o["status"] for o in shopper.get("/orders?limit=3").json["items"]}
    assert shown == {made_orders[0]: "SHIPPED", made_orders[1]: "PLACED", made_orders[2]: "PLACED"}
