"""Review attacks on a cart line's PUT (the offer and the cart read in one BatchGetItem when the offer is not in the
warm cache, then PutItem or UpdateItem; with the offer cached, UpdateItem first and PutItem on refusal): racing first
lines, the 50-line limit, an emptying racing a first line, odd product ids."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests

from tests.conftest import sign_up_and_in


def _products(admin, count, name="Raced Item"):
    return [
        admin.post(
            "/products",
            {"name": f"{name} {i}", "category": "races", "price_cents": 100 + i, "stock": 5},
        ).json["id"]
        for i in range(count)
    ]


def _put(live_url, buyer, product_id, quantity=1):
    answer = requests.put(
        f"{live_url}/cart/items/{product_id}",
        json={"quantity": quantity},
        timeout=60,
        headers={"Authorization": f"Bearer {buyer.token}"},
    )
    return product_id, answer.status_code, answer.json()


def _lines(api):
    cart = api.get("/cart")
    assert cart.status_code == 200, cart.body
    return {line["product_id"]: line["quantity"] for line in cart.json["items"]}


def test_concurrent_first_lines_of_one_new_shopper_are_all_kept(client, admin, live_url):
    buyer = sign_up_and_in(client)
    products = _products(admin, 24)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(
            pool.map(lambda ip: _put(live_url, buyer, ip[1], ip[0] % 5 + 1), enumerate(products))
        )
    assert all(status == 200 for _, status, _ in answers), answers
    assert _lines(buyer) == {pid: i % 5 + 1 for i, pid in enumerate(products)}


def test_concurrent_first_lines_of_one_product_make_one_line(client, admin, live_url):
    buyer = sign_up_and_in(client)
    (product,) = _products(admin, 1)
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda q: _put(live_url, buyer, product, q), range(1, 11)))
    assert all(status == 200 for _, status, _ in answers), answers
    lines = _lines(buyer)
    assert list(lines) == [product] and 1 <= lines[product] <= 10


def test_51_racing_first_lines_half_of_them_cached_keep_50_and_refuse_one_cleanly(
    client, admin, other_shopper, live_url
):
    """Both paths at once (the look-then-write of offers not cached, the update-first of offers cached): 50 lines,
    the refused one a 400 that changes nothing."""
    buyer = sign_up_and_in(client)
    products = _products(admin, 51, name="Limit Item")
    for pid in products[::2]:  # their offers in this container's warm cache
        assert other_shopper.put(f"/cart/items/{pid}", {"quantity": 1}).status_code in (200, 400)
    with ThreadPoolExecutor(max_workers=17) as pool:
        answers = list(pool.map(lambda pid: _put(live_url, buyer, pid), products))
    accepted = {pid for pid, status, _ in answers if status == 200}
    refused = [(status, body) for _, status, body in answers if status != 200]
    assert len(accepted) == 50 and len(refused) == 1, refused
    assert refused[0][0] == 400 and "50" in refused[0][1]["Message"]
    assert set(_lines(buyer)) == accepted
    (left_out,) = set(products) - accepted
    again = buyer.put(f"/cart/items/{left_out}", {"quantity": 2})
    assert again.status_code == 400 and set(_lines(buyer)) == accepted


def test_emptying_the_cart_racing_first_lines_loses_nothing_it_answered(client, admin, live_url):
    """Every line answered 200 after the DELETE answered is in the cart; no 5xx either way."""
    buyer = sign_up_and_in(client)
    products = _products(admin, 12, name="Emptied Item")

    def empty(_):
        return requests.delete(
            f"{live_url}/cart", timeout=60, headers={"Authorization": f"Bearer {buyer.token}"}
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        puts = [pool.submit(_put, live_url, buyer, pid) for pid in products]
        empties = [pool.submit(empty, i) for i in range(4)]
        answers = [p.result() for p in puts]
        emptied = [e.result() for e in empties]
    assert all(s == 204 for s in emptied), emptied
    assert all(status == 200 for _, status, _ in answers), answers
    assert set(_lines(buyer)) <= set(products)
    # the cart still takes lines and empties
    assert buyer.put(f"/cart/items/{products[0]}", {"quantity": 4}).status_code == 200
    assert buyer.delete("/cart").status_code == 204 and _lines(buyer) == {}


@pytest.mark.parametrize(
    "product_id",
    [
        "01ARZ3NDEKTSV4RRFFQ69G5FA\u00e9",  # 26 characters, one not of the alphabet
        "\u00c9" * 26,
        "\U0001f600",
        "9" * 5000,
        " ",
        "01arz3ndektsv4rrffq69g5fav",
        "..",
        "%00",
    ],
)
def test_odd_product_ids_are_404_and_change_nothing(shopper, admin, product_id):
    (kept,) = _products(admin, 1, name="Kept Item")
    assert shopper.put(f"/cart/items/{kept}", {"quantity": 2}).status_code == 200
    path = f"/cart/items/{quote(product_id, safe='')}"
    put = shopper.put(path, {"quantity": 1})
    assert put.status_code in (400, 404), (put.status_code, put.body)
    assert shopper.delete(path).status_code in (200, 400, 404)
    assert _lines(shopper) == {kept: 2}


def test_odd_ids_for_a_brand_new_shopper_make_no_cart(shopper):
    for product_id in ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "x" * 300, "\u00e9"):
        assert shopper.put(f"/cart/items/{quote(product_id)}", {"quantity": 1}).status_code == 404
    assert _lines(shopper) == {}


def test_a_product_deleted_between_two_shoppers_lines_is_refused(shopper, other_shopper, admin):
    """The offer cached by one shopper's line; the product deleted (which empties the offers cache); the next
    shopper's line for it is a 404, whichever path it takes."""
    (gone,) = _products(admin, 1, name="Gone Item")
    assert other_shopper.put(f"/cart/items/{gone}", {"quantity": 1}).status_code == 200
    assert admin.delete(f"/products/{gone}").status_code == 204
    assert shopper.put(f"/cart/items/{gone}", {"quantity": 1}).status_code == 404
    assert other_shopper.put(f"/cart/items/{gone}", {"quantity": 2}).status_code == 404
    assert _lines(shopper) == {}
