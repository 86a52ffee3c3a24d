"""Admin updates never lose a sale: PATCH writes only the fields it names, `stock_delta` changes the stock as it
is when written, and `If-Match` applies a change only to the product its ETag showed (contract v2)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.products.model import MAX_STOCK

NO_CACHE = {"Cache-Control": "no-cache"}
MISSING = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture
def lamp(admin):
    return admin.post(
        "/products", {"name": "Brass Lamp", "category": "updates", "price_cents": 4550, "stock": 10}
    ).json


def _read(anonymous, product_id):
    return anonymous.get(f"/products/{product_id}", headers=NO_CACHE)


def _buy(shopper, product_id, quantity):
    assert (
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": product_id, "quantity": quantity}],
            },
        ).status_code
        == 201
    )


def test_a_change_to_one_field_keeps_the_units_sold_since_the_form_was_loaded(
    admin, shopper, anonymous, lamp
):
    loaded = _read(anonymous, lamp["id"]).json
    _buy(shopper, lamp["id"], 4)
    saved = admin.patch(f"/products/{lamp['id']}", {"description": "Polished by hand"})
    assert (
        saved.status_code == 200
        and saved.json["stock"] == 6
        and saved.json["description"] == "Polished by hand"
    )
    assert loaded["stock"] == 10 and _read(anonymous, lamp["id"]).json["stock"] == 6


def test_if_match_with_the_etag_from_before_a_sale_is_412_and_changes_nothing(
    admin, shopper, anonymous, lamp
):
    etag = _read(anonymous, lamp["id"]).headers["ETag"]
    _buy(shopper, lamp["id"], 4)
    refused = admin.patch(
        f"/products/{lamp['id']}", {"stock": 10, "name": "Lamp"}, headers={"If-Match": etag}
    )
    assert refused.status_code == 412 and refused.json["Code"] == "PreconditionFailedError"
    now = _read(anonymous, lamp["id"])
    assert now.json["stock"] == 6 and now.json["name"] == "Brass Lamp"
    saved = admin.patch(
        f"/products/{lamp['id']}", {"stock": 10}, headers={"If-Match": now.headers["ETag"]}
    )
    assert saved.status_code == 200 and saved.json["stock"] == 10
    assert (
        saved.headers["ETag"] == _read(anonymous, lamp["id"]).headers["ETag"] != now.headers["ETag"]
    )


def test_if_match_star_matches_any_existing_product_and_404_comes_before_412(admin, lamp):
    assert (
        admin.patch(
            f"/products/{lamp['id']}", {"price_cents": 5000}, headers={"If-Match": "*"}
        ).status_code
        == 200
    )
    assert (
        admin.patch(
            f"/products/{MISSING}", {"price_cents": 1}, headers={"If-Match": '"stale"'}
        ).status_code
        == 404
    )
    assert (
        admin.patch(
            f"/products/{lamp['id']}", {"price_cents": 1}, headers={"If-Match": 'W/"weak", "other"'}
        ).status_code
        == 412
    )


def test_412_comes_before_409(admin, lamp):
    refused = admin.patch(
        f"/products/{lamp['id']}", {"stock_delta": -50}, headers={"If-Match": '"stale"'}
    )
    assert refused.status_code == 412
    assert admin.patch(f"/products/{lamp['id']}", {"stock_delta": -50}).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"stock": 5, "stock_delta": 1},
        {"stock_delta": 0},
        {"stock_delta": 1.5},
        {"stock_delta": "3"},
        {"stock_delta": MAX_STOCK + 1},
    ],
)
def test_bad_stock_deltas_are_400(admin, lamp, body):
    assert admin.patch(f"/products/{lamp['id']}", body).status_code == 400


def test_stock_deltas_add_and_take_but_never_below_zero(admin, anonymous, lamp):
    assert admin.patch(f"/products/{lamp['id']}", {"stock_delta": 5}).json["stock"] == 15
    assert admin.patch(f"/products/{lamp['id']}", {"stock_delta": -15}).json["stock"] == 0
    refused = admin.patch(f"/products/{lamp['id']}", {"stock_delta": -1})
    assert refused.status_code == 409 and lamp["id"] in refused.json["Message"]
    assert _read(anonymous, lamp["id"]).json["stock"] == 0


def test_20_concurrent_deltas_and_sales_are_all_counted(client, admin, anonymous, lamp, live_url):
    import requests

    from tests.conftest import sign_up_and_in

    buyer = sign_up_and_in(client)

    def act(n):
        if n % 2:
            return requests.patch(
                f"{live_url}/products/{lamp['id']}",
                json={"stock_delta": 3},
                timeout=60,
                headers={"Authorization": f"Bearer {admin.token}"},
            ).status_code
        return requests.post(
            f"{live_url}/orders",
            json={
                "payment_method": "pm_card_visa",
                "items": [{"product_id": lamp["id"], "quantity": 1}],
            },
            timeout=60,
            headers={"Authorization": f"Bearer {buyer.token}"},
        ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(act, range(20)))
    assert statuses.count(200) == 10
    assert _read(anonymous, lamp["id"]).json["stock"] == 10 + 30 - statuses.count(201)


def test_units_returned_above_the_cap_are_counted_and_do_not_lock_the_product(
    admin, shopper, anonymous, lamp
):
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": lamp["id"], "quantity": 2}]},
    ).json
    assert admin.patch(f"/products/{lamp['id']}", {"stock": MAX_STOCK}).status_code == 200
    assert shopper.post(f"/orders/{order['id']}/cancel").status_code == 200
    assert _read(anonymous, lamp["id"]).json["stock"] == MAX_STOCK + 2
    renamed = admin.patch(f"/products/{lamp['id']}", {"name": "Brass Lamp II", "price_cents": 4600})
    assert renamed.status_code == 200 and renamed.json["stock"] == MAX_STOCK + 2
    # an admin's own limit
    assert admin.patch(f"/products/{lamp['id']}", {"stock": MAX_STOCK + 1}).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"image_url": "https://a.example/\u0000"},
        {"description": "nul \u0000 here"},
        {"description": "bell \u0007"},
        {"stock_delta": MAX_STOCK},
    ],
)
def test_control_characters_and_a_delta_past_the_cap_are_400(admin, lamp, body):
    refused = admin.patch(f"/products/{lamp['id']}", body)
    assert refused.status_code == 400 and next(iter(body)) in refused.json["Message"]


def test_a_description_keeps_its_lines_tabs_and_emoji(admin, lamp):
    text = "Line one\n\tindented\r\nfamily: \U0001f468\u200d\U0001f469\u200d\U0001f467"
    saved = admin.patch(f"/products/{lamp['id']}", {"description": text})
    assert saved.status_code == 200 and saved.json["description"] == text


def test_deleting_a_product_while_its_flash_sale_is_turned_on_leaves_no_stock_behind(
    admin, live_url
):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from chalicelib import bootstrap

    auth = {"Authorization": f"Bearer {admin.token}"}
    for n in range(8):
        product = admin.post(
            "/products",
            {"name": f"Racing Delete {n}", "category": "updates", "price_cents": 100, "stock": 48},
        ).json["id"]
        with ThreadPoolExecutor(max_workers=2) as pool:
            flip = pool.submit(
                requests.patch,
                f"{live_url}/products/{product}",
                json={"flash_sale": True},
                headers=auth,
                timeout=60,
            )
            gone = pool.submit(
                requests.delete, f"{live_url}/products/{product}", headers=auth, timeout=60
            )
            assert gone.result().status_code == 204 and flip.result().status_code in (200, 404, 503)
        assert bootstrap.services().stock.levels([product]) == {product: {}}
