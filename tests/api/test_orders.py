import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import sign_up_and_in
from tests.support import all_pages, metrics_logged


def _product(admin, stock=10, price=2500, name="Crunchy Armchair"):
    return admin.post(
        "/products", {"name": name, "category": "furniture", "price_cents": price, "stock": stock}
    ).json


def _stock(anonymous, product_id):
    return anonymous.get(f"/products/{product_id}", headers={"Cache-Control": "no-cache"}).json[
        "stock"
    ]


def test_ordering_the_cart_takes_the_stock_and_empties_the_cart(shopper, admin, anonymous):
    chair, lamp = _product(admin, price=12999), _product(admin, price=4550, name="Brass Lamp")
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 2})
    shopper.put(f"/cart/items/{lamp['id']}", {"quantity": 1})
    placed = shopper.post("/orders", {"payment_method": "pm_card_visa"})
    assert placed.status_code == 201, placed.body
    order = placed.json
    assert (
        order["status"] == "PLACED"
        and order["user_id"] == shopper.user_id
        and order["currency"] == "USD"
    )
    assert order["total_cents"] == 2 * 12999 + 4550
    assert {(l["product_id"], l["quantity"], l["line_total_cents"]) for l in order["items"]} == {
        (chair["id"], 2, 25998),
        (lamp["id"], 1, 4550),
    }
    assert _stock(anonymous, chair["id"]) == 8 and _stock(anonymous, lamp["id"]) == 9
    assert shopper.get("/cart").json["items"] == []
    assert shopper.get(f"/orders/{order['id']}").json == order


def test_ordering_explicit_lines_merges_the_same_product_and_leaves_the_cart(
    shopper, admin, anonymous
):
    chair = _product(admin)
    shopper.put(f"/cart/items/{chair['id']}", {"quantity": 1})
    placed = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [
                {"product_id": chair["id"], "quantity": 2},
                {"product_id": chair["id"], "quantity": 3},
            ],
        },
    )
    assert placed.status_code == 201
    assert [(l["product_id"], l["quantity"]) for l in placed.json["items"]] == [(chair["id"], 5)]
    assert _stock(anonymous, chair["id"]) == 5
    assert len(shopper.get("/cart").json["items"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"product_id": "x", "quantity": 0}]},
        {"items": [{"product_id": "x", "quantity": 1.0}]},
        {"items": [{"product_id": "x"}]},
        {"items": "all"},
        {"lines": []},
    ],
)
def test_bad_order_bodies_are_400(shopper, body):
    assert shopper.post("/orders", {"payment_method": "pm_card_visa", **body}).status_code == 400


@pytest.mark.parametrize(
    "method",
    [
        None,
        "",
        "card_visa",
        "pm_",
        "pm_" + "x" * 251,
        42,
        "pm_card visa",
        "pm_ca\u0308rd",
        "pm_card_visa\n",
        ["pm_card_visa"],
    ],
)
def test_a_missing_or_malformed_payment_method_is_400_naming_it(shopper, admin, anonymous, method):
    chair = _product(admin, stock=3)
    body = {"items": [{"product_id": chair["id"], "quantity": 1}]}
    answer = shopper.post("/orders", body if method is None else {**body, "payment_method": method})
    assert answer.status_code == 400 and "payment_method" in answer.json["Message"]
    assert _stock(anonymous, chair["id"]) == 3


def test_an_empty_cart_or_an_unknown_product_is_400(shopper):
    assert shopper.post("/orders", {"payment_method": "pm_card_visa"}).status_code == 400
    unknown = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "quantity": 1}],
        },
    )
    assert unknown.status_code == 400 and "01ARZ3NDEKTSV4RRFFQ69G5FAV" in unknown.json["Message"]


def test_more_than_50_lines_is_400(shopper, admin):
    products = [_product(admin, name=f"Item {i}")["id"] for i in range(51)]
    too_many = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": p, "quantity": 1} for p in products],
        },
    )
    assert too_many.status_code == 400
    fifty = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": p, "quantity": 1} for p in products[:50]],
        },
    )
    assert fifty.status_code == 201 and len(fifty.json["items"]) == 50


def test_a_line_short_of_stock_changes_nothing_at_all(shopper, admin, anonymous):
    plenty, scarce = _product(admin, stock=10), _product(admin, stock=1, name="Scarce Lamp")
    shopper.put(f"/cart/items/{plenty['id']}", {"quantity": 2})
    shopper.put(f"/cart/items/{scarce['id']}", {"quantity": 2})
    refused = shopper.post("/orders", {"payment_method": "pm_card_visa"})
    assert refused.status_code == 409 and scarce["id"] in refused.json["Message"]
    assert _stock(anonymous, plenty["id"]) == 10 and _stock(anonymous, scarce["id"]) == 1
    assert len(shopper.get("/cart").json["items"]) == 2
    assert shopper.get("/orders").json["items"] == []


def test_the_same_idempotency_key_returns_the_same_order_and_takes_stock_once(
    shopper, admin, anonymous
):
    chair = _product(admin)
    body = {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]}
    first = shopper.post("/orders", body, headers={"Idempotency-Key": "CRUNCHY-ARMCHAIR-1"})
    assert first.status_code == 201
    for _ in range(5):
        again = shopper.post("/orders", body, headers={"Idempotency-Key": "CRUNCHY-ARMCHAIR-1"})
        assert again.status_code == 201 and again.json == first.json
    assert _stock(anonymous, chair["id"]) == 9
    assert [o["id"] for o in shopper.get("/orders").json["items"]] == [first.json["id"]]


def test_the_same_key_with_another_body_is_422(shopper, admin):
    chair = _product(admin)
    shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]},
        headers={"Idempotency-Key": "k-1"},
    )
    other = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 2}]},
        headers={"Idempotency-Key": "k-1"},
    )
    assert other.status_code == 422 and other.json["Code"] == "UnprocessableEntityError"


def test_keys_belong_to_their_user(shopper, other_shopper, admin, anonymous):
    chair = _product(admin)
    body = {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]}
    mine = shopper.post("/orders", body, headers={"Idempotency-Key": "shared-key"}).json
    theirs = other_shopper.post("/orders", body, headers={"Idempotency-Key": "shared-key"}).json
    assert mine["id"] != theirs["id"] and theirs["user_id"] == other_shopper.user_id
    assert _stock(anonymous, chair["id"]) == 8


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "snowman-\u2603"])
def test_bad_idempotency_keys_are_400(client, shopper, key):
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {shopper.token}",
        "Idempotency-Key": key,
    }
    response = client.http.post(
        "/orders",
        headers=headers,
        body=b'{"payment_method": "pm_card_visa", "items": [{"product_id": "x", "quantity": 1}]}',
    )
    assert response.status_code == 400


def test_a_price_changed_between_read_and_commit_is_not_charged_at_the_old_price(
    shopper, admin, monkeypatch
):
    from chalicelib.orders.checkout import DynamoCheckout

    chair = _product(admin, price=1000)
    real_read = DynamoCheckout.read
    raised = []

    def read_then_raise_price(self, *args, **kwargs):
        view = real_read(self, *args, **kwargs)
        if not raised:  # the admin raises the price right after checkout read it
            raised.append(
                admin.patch(f"/products/{chair['id']}", {"price_cents": 1500}).status_code
            )
        return view

    monkeypatch.setattr(DynamoCheckout, "read", read_then_raise_price)
    placed = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 2}]},
    )
    assert raised == [200]
    assert placed.status_code == 201 and placed.json["items"][0]["unit_price_cents"] == 1500
    assert placed.json["total_cents"] == 3000


def test_orders_list_newest_first_and_pages(shopper, admin):
    chair = _product(admin, stock=50)
    made = [
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": chair["id"], "quantity": 1}],
            },
        ).json["id"]
        for _ in range(5)
    ]
    assert all_pages(shopper, "/orders?limit=2") == list(reversed(made))


def test_another_users_order_is_404(shopper, other_shopper, admin):
    chair = _product(admin)
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]},
    ).json
    assert other_shopper.get(f"/orders/{order['id']}").status_code == 404
    assert other_shopper.post(f"/orders/{order['id']}/cancel").status_code == 404
    assert admin.get(f"/orders/{order['id']}").status_code == 200
    assert order["id"] not in [o["id"] for o in other_shopper.get("/orders").json["items"]]


def test_lifecycle_placed_shipped_delivered(shopper, admin):
    chair = _product(admin)
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]},
    ).json
    assert shopper.post(f"/orders/{order['id']}/ship").status_code == 403
    shipped = admin.post(f"/orders/{order['id']}/ship")
    assert shipped.status_code == 200 and shipped.json["status"] == "SHIPPED"
    delivered = admin.post(f"/orders/{order['id']}/deliver")
    assert delivered.status_code == 200 and delivered.json["status"] == "DELIVERED"
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "DELIVERED"


def test_every_forbidden_transition_is_409_and_changes_nothing(shopper, admin):
    chair = _product(admin)

    def order_in(status):
        order = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": chair["id"], "quantity": 1}],
            },
        ).json
        for action in {
            "PLACED": [],
            "SHIPPED": ["ship"],
            "DELIVERED": ["ship", "deliver"],
            "CANCELLED": ["cancel"],
        }[status]:
            assert admin.post(f"/orders/{order['id']}/{action}").status_code == 200
        return admin.get(f"/orders/{order['id']}").json

    forbidden = {
        "PLACED": ["deliver"],
        "SHIPPED": ["ship", "cancel"],
        "DELIVERED": ["ship", "deliver", "cancel"],
        "CANCELLED": ["ship", "deliver", "cancel"],
    }
    for status, actions in forbidden.items():
        order = order_in(status)
        for action in actions:
            refused = admin.post(f"/orders/{order['id']}/{action}")
            assert refused.status_code == 409, (status, action)
            assert admin.get(f"/orders/{order['id']}").json == order


def test_cancelling_returns_the_stock_exactly_once(shopper, admin, anonymous):
    chair = _product(admin, stock=10)
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 3}]},
    ).json
    assert _stock(anonymous, chair["id"]) == 7
    cancelled = shopper.post(f"/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "CANCELLED"
    assert _stock(anonymous, chair["id"]) == 10
    assert shopper.post(f"/orders/{order['id']}/cancel").status_code == 409
    assert _stock(anonymous, chair["id"]) == 10


def test_cancelling_does_not_bring_back_a_deleted_product(shopper, admin, anonymous):
    chair, lamp = _product(admin), _product(admin, name="Brass Lamp")
    order = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [
                {"product_id": chair["id"], "quantity": 1},
                {"product_id": lamp["id"], "quantity": 1},
            ],
        },
    ).json
    admin.delete(f"/products/{chair['id']}")
    assert shopper.post(f"/orders/{order['id']}/cancel").status_code == 200
    assert anonymous.get(f"/products/{chair['id']}").status_code == 404
    assert _stock(anonymous, lamp["id"]) == 10
    kept = shopper.get(f"/orders/{order['id']}").json
    assert {l["name"] for l in kept["items"]} == {"Crunchy Armchair", "Brass Lamp"}


def test_admins_list_every_order_by_status_newest_first(shopper, other_shopper, admin):
    chair = _product(admin)
    first = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]},
    ).json
    second = other_shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]},
    ).json
    admin.post(f"/orders/{first['id']}/ship")
    shipped = [o["id"] for o in admin.get("/admin/orders?status=SHIPPED&limit=100").json["items"]]
    placed = [o["id"] for o in admin.get("/admin/orders?status=PLACED&limit=100").json["items"]]
    everything = [o["id"] for o in admin.get("/admin/orders?limit=100").json["items"]]
    assert first["id"] in shipped and first["id"] not in placed and second["id"] in placed
    assert everything.index(second["id"]) < everything.index(first["id"])
    assert admin.get("/admin/orders?status=LOST").status_code == 400
    assert shopper.get("/admin/orders").status_code == 403


def test_admins_page_every_order_once_newest_first_across_the_shards(client, admin):
    from chalicelib.orders.records import ORDER_SHARDS

    chair = _product(admin, stock=100, name="Paged Chair")
    buyers = [sign_up_and_in(client) for _ in range(3)]
    made = [
        buyers[i % 3]
        .post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": chair["id"], "quantity": 1}],
            },
        )
        .json["id"]
        for i in range(ORDER_SHARDS + 9)
    ]
    for order_id in made[::4]:
        assert admin.post(f"/orders/{order_id}/ship").status_code == 200
    newest_first = list(reversed(made))
    everything = all_pages(admin, "/admin/orders?limit=7")
    assert [o for o in everything if o in made] == newest_first and len(everything) == len(
        set(everything)
    )
    shipped = all_pages(admin, "/admin/orders?status=SHIPPED&limit=7")
    assert [o for o in shipped if o in made] == newest_first[::-1][::4][::-1]
    placed = all_pages(admin, "/admin/orders?status=PLACED&limit=7")
    assert [o for o in placed if o in made] == [o for o in newest_first if o not in made[::4]]
    assert not set(shipped) & set(placed)


# --- under real concurrency: the app behind Chalice's threaded server, moto over HTTP ------------


def intents_of(stripe_api, order_id):
    """Every PaymentIntent localstripe holds for the order (its metadata names it)."""
    found, after = [], None
    while True:
        page = requests.get(
            f"{stripe_api}/v1/payment_intents",
            params={"limit": 100, **({"starting_after": after} if after else {})},
            auth=("sk_test_local", ""),
            timeout=10,
        ).json()
        found += [i for i in page["data"] if (i.get("metadata") or {}).get("order_id") == order_id]
        if not page["has_more"]:
            return found
        after = page["data"][-1]["id"]


def _http(live_url, api, method, path, body=None, headers=None):
    return requests.request(
        method,
        live_url + path,
        json=body,
        timeout=30,
        headers={"Authorization": f"Bearer {api.token}", **(headers or {})},
    )


def test_40_concurrent_orders_for_10_units_sell_exactly_10(client, admin, anonymous, live_url):
    shoppers = [sign_up_and_in(client) for _ in range(8)]
    for round_ in range(5):
        chair = _product(admin, stock=10, name=f"Last Chairs {round_}")
        body = {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": chair["id"], "quantity": 1}],
        }
        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(
                pool.map(
                    lambda i: _http(live_url, shoppers[i % 8], "POST", "/orders", body).status_code,
                    range(40),
                )
            )
        assert statuses.count(201) == 10 and statuses.count(409) == 30, statuses
        assert _stock(anonymous, chair["id"]) == 0


def test_8_concurrent_requests_with_one_key_make_one_order_and_one_payment(
    shopper, admin, anonymous, live_url, stripe_api
):
    """The key is claimed before Stripe is called: a request with it while the first runs is a 409 (retry), and
    only one PaymentIntent is ever made for it; the retry afterwards gets the order."""
    chair = _product(admin, stock=10)
    body = {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 2}]}
    key = f"double-click-{uuid.uuid4().hex}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda _: _http(
                    live_url, shopper, "POST", "/orders", body, {"Idempotency-Key": key}
                ),
                range(8),
            )
        )
    assert {a.status_code for a in answers} <= {201, 409} and 201 in {
        a.status_code for a in answers
    }
    placed = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(placed) == 1 and all(
        "still being processed" in a.json()["Message"] for a in answers if a.status_code == 409
    )
    again = _http(live_url, shopper, "POST", "/orders", body, {"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] in placed
    assert _stock(anonymous, chair["id"]) == 8
    assert len(shopper.get("/orders").json["items"]) == 1
    assert len(intents_of(stripe_api, placed.pop())) == 1


def test_racing_ship_and_cancel_leave_exactly_one_winner(shopper, admin, anonymous, live_url):
    chair = _product(admin, stock=20)
    for _ in range(5):
        order = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": chair["id"], "quantity": 1}],
            },
        ).json
        barrier = threading.Barrier(2)

        def act(who_action):
            who, action = who_action
            barrier.wait()
            return action, _http(
                live_url, who, "POST", f"/orders/{order['id']}/{action}"
            ).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = dict(pool.map(act, [(admin, "ship"), (shopper, "cancel")]))
        assert sorted(results.values()) == [200, 409], results
        final = admin.get(f"/orders/{order['id']}").json["status"]
        assert final == ("SHIPPED" if results["ship"] == 200 else "CANCELLED")
    cancelled = sum(
        1 for o in shopper.get("/orders?limit=100").json["items"] if o["status"] == "CANCELLED"
    )
    assert _stock(anonymous, chair["id"]) == 20 - 5 + cancelled


def test_many_concurrent_moves_of_one_order_are_each_200_or_409_never_503(
    shopper, admin, anonymous, live_url
):
    """Ships, delivers and cancels racing on one order: a move that lost its race is a 409 naming the status the
    order is in; the winners follow the lifecycle (at most one ship, one deliver after it, or one cancel)."""
    chair = _product(admin, stock=20)
    actions = [(admin, "ship")] * 6 + [(admin, "deliver")] * 6 + [(shopper, "cancel")] * 4
    for _ in range(3):
        order = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": chair["id"], "quantity": 1}],
            },
        ).json
        barrier = threading.Barrier(len(actions))

        def act(who_action):
            who, action = who_action
            barrier.wait()
            answer = _http(live_url, who, "POST", f"/orders/{order['id']}/{action}")
            return action, answer.status_code, answer.json().get("Message", "")

        with ThreadPoolExecutor(max_workers=len(actions)) as pool:
            results = list(pool.map(act, actions))
        assert {status for _, status, _ in results} <= {200, 409}, results
        won = sorted(action for action, status, _ in results if status == 200)
        assert won in (["cancel"], ["ship"], ["deliver", "ship"]), results
        assert all(" is " in message for _, status, message in results if status == 409), results
        final = admin.get(f"/orders/{order['id']}").json["status"]
        assert (
            final
            == {("cancel",): "CANCELLED", ("ship",): "SHIPPED", ("deliver", "ship"): "DELIVERED"}[
                tuple(won)
            ]
        )


def test_placing_and_replaying_orders_emit_metrics(shopper, admin, app_log):
    chair = _product(admin)
    body = {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]}
    before = app_log.stat().st_size
    shopper.post("/orders", body, headers={"Idempotency-Key": "metrics-1"})
    shopper.post("/orders", body, headers={"Idempotency-Key": "metrics-1"})
    emitted = metrics_logged(app_log, before)
    names = [name for _, _, name in emitted]
    # (the event pump may be emitting its own metrics meanwhile)
    assert [n for n in names if n.startswith("Order") and n != "OrderEventPublished"] == [
        "OrderPlaced",
        "OrderReplayed",
    ]
    assert all(namespace == "shop" for namespace, _, _ in emitted)
