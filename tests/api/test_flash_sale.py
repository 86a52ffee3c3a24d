"""Flash-sale products keep their stock in buckets of their own: every unit counted, none oversold, no
false sold-out, whatever runs at the same time."""

from concurrent.futures import ThreadPoolExecutor

import requests

from chalicelib.products.model import FLASH_BUCKETS
from tests.conftest import sign_up_and_in

NO_CACHE = {"Cache-Control": "no-cache"}


def _flash(admin, stock, price=990, name="Flash Kettle"):
    created = admin.post(
        "/products",
        {
            "name": name,
            "category": "flash",
            "price_cents": price,
            "stock": stock,
            "flash_sale": True,
        },
    )
    assert created.status_code == 201 and created.json["flash_sale"] is True, created.body
    return created.json


def _stock(anonymous, product_id):
    return anonymous.get(f"/products/{product_id}", headers=NO_CACHE).json["stock"]


def _buy(api, product_id, quantity=1, key=None):
    return api.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": product_id, "quantity": quantity}],
        },
        headers={"Idempotency-Key": key} if key else None,
    )


def _http_buy(live_url, api, product_id, quantity=1):
    return requests.post(
        f"{live_url}/orders",
        json={
            "payment_method": "pm_card_visa",
            "items": [{"product_id": product_id, "quantity": quantity}],
        },
        headers={"Authorization": f"Bearer {api.token}"},
        timeout=60,
    ).status_code


def test_a_flash_sale_product_reads_and_sells_like_any_other(admin, shopper, anonymous):
    kettle = _flash(admin, stock=100)
    assert _stock(anonymous, kettle["id"]) == 100
    placed = _buy(shopper, kettle["id"], 3)
    assert placed.status_code == 201 and placed.json["total_cents"] == 3 * 990
    assert _stock(anonymous, kettle["id"]) == 97
    listed = {
        p["id"]: p
        for p in anonymous.get("/products?category=flash&limit=100", headers=NO_CACHE).json["items"]
    }
    assert listed[kettle["id"]]["stock"] == 97 and listed[kettle["id"]]["flash_sale"] is True


def test_40_concurrent_orders_for_25_units_sell_exactly_25(client, admin, anonymous, live_url):
    kettle = _flash(admin, stock=25)
    shoppers = [sign_up_and_in(client) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(
            pool.map(lambda i: _http_buy(live_url, shoppers[i % 8], kettle["id"]), range(40))
        )
    assert statuses.count(201) == 25 and statuses.count(409) == 15, statuses
    assert _stock(anonymous, kettle["id"]) == 0


def test_after_a_restock_of_5_one_order_for_5_succeeds_whatever_buckets_hold_them(
    admin, shopper, anonymous
):
    kettle = _flash(admin, stock=2)
    assert _buy(shopper, kettle["id"], 2).status_code == 201
    assert _buy(shopper, kettle["id"], 1).status_code == 409
    restocked = admin.patch(f"/products/{kettle['id']}", {"stock_delta": 5})
    assert restocked.status_code == 200 and restocked.json["stock"] == 5
    # the 5 units lie in 5 different buckets: one line takes them all
    placed = _buy(shopper, kettle["id"], 5)
    assert placed.status_code == 201, placed.body
    assert _stock(anonymous, kettle["id"]) == 0
    assert _buy(shopper, kettle["id"], 1).status_code == 409


def test_cancelling_returns_the_units_to_the_sale(admin, shopper, anonymous):
    kettle = _flash(admin, stock=FLASH_BUCKETS * 2)
    orders = [_buy(shopper, kettle["id"], 2).json for _ in range(3)]
    assert _stock(anonymous, kettle["id"]) == FLASH_BUCKETS * 2 - 6
    for order in orders:
        assert shopper.post(f"/orders/{order['id']}/cancel").status_code == 200
    assert _stock(anonymous, kettle["id"]) == FLASH_BUCKETS * 2


def test_turning_the_flag_off_and_on_keeps_every_unit_and_the_price(admin, shopper, anonymous):
    lamp = admin.post(
        "/products", {"name": "Plain Lamp", "category": "flash", "price_cents": 500, "stock": 30}
    ).json
    order = _buy(shopper, lamp["id"], 4).json
    on = admin.patch(f"/products/{lamp['id']}", {"flash_sale": True})
    assert on.status_code == 200 and on.json["flash_sale"] is True and on.json["stock"] == 26
    # units return to the buckets
    assert shopper.post(f"/orders/{order['id']}/cancel").status_code == 200
    assert _stock(anonymous, lamp["id"]) == 30
    assert admin.patch(f"/products/{lamp['id']}", {"price_cents": 450}).status_code == 200
    # every bucket has the new price
    assert _buy(shopper, lamp["id"], 10).json["total_cents"] == 4500
    off = admin.patch(f"/products/{lamp['id']}", {"flash_sale": False})
    assert off.status_code == 200 and off.json["stock"] == 20 and off.json["flash_sale"] is False
    assert _buy(shopper, lamp["id"], 20).status_code == 201
    assert _stock(anonymous, lamp["id"]) == 0


def test_orders_racing_the_flag_lose_and_invent_no_unit(client, admin, anonymous, live_url):
    mug = admin.post(
        "/products", {"name": "Racing Mug", "category": "flash", "price_cents": 700, "stock": 60}
    ).json
    shoppers = [sign_up_and_in(client) for _ in range(4)]

    def flip(i):
        return admin.patch(f"/products/{mug['id']}", {"flash_sale": i % 2 == 0}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        buys = [pool.submit(_http_buy, live_url, shoppers[i % 4], mug["id"]) for i in range(36)]
        flips = [pool.submit(flip, i) for i in range(6)]
        statuses = [b.result() for b in buys]
        assert all(f.result() in (200, 409) for f in flips)
    sold = statuses.count(201)
    assert set(statuses) <= {201, 503}, statuses
    assert _stock(anonymous, mug["id"]) == 60 - sold


def test_stock_delta_takes_only_what_the_buckets_hold(admin, anonymous):
    kettle = _flash(admin, stock=10)
    assert admin.patch(f"/products/{kettle['id']}", {"stock_delta": -7}).json["stock"] == 3
    refused = admin.patch(f"/products/{kettle['id']}", {"stock_delta": -4})
    assert refused.status_code == 409 and _stock(anonymous, kettle["id"]) == 3
    assert admin.patch(f"/products/{kettle['id']}", {"stock": 48}).json["stock"] == 48


def test_deleting_a_flash_sale_product_leaves_no_stock_behind(admin, shopper, anonymous):
    from chalicelib import bootstrap

    kettle = _flash(admin, stock=48)
    order = _buy(shopper, kettle["id"], 2).json
    assert admin.delete(f"/products/{kettle['id']}").status_code == 204
    assert anonymous.get(f"/products/{kettle['id']}", headers=NO_CACHE).status_code == 404
    assert bootstrap.services().stock.levels([kettle["id"]]) == {kettle["id"]: {}}
    # nothing to give back to
    assert shopper.post(f"/orders/{order['id']}/cancel").status_code == 200
    assert bootstrap.services().stock.levels([kettle["id"]]) == {kettle["id"]: {}}
