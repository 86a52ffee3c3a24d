"""Review attacks on DynamoCatalog.current (GetItem, then the buckets in a second call; one BatchGetItem once the
container has seen the product on flash sale): the stock a product page or an admin's change shows must always be
what is really there, the product's own stock or the sum of its buckets."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from chalicelib import bootstrap
from chalicelib.products.model import FLASH_BUCKETS
from chalicelib.products.records import CatalogItem, bucket_id

NO_CACHE = {"Cache-Control": "no-cache"}


def _product(admin, stock=30, flash_sale=False, name="Review Kettle"):
    created = admin.post(
        "/products",
        {
            "name": name,
            "category": "review",
            "price_cents": 700,
            "stock": stock,
            "flash_sale": flash_sale,
        },
    )
    assert created.status_code == 201, created.body
    return created.json


def _real_stock(product_id):
    """What the products table holds now: the product's own stock, or the sum of its buckets."""
    record = CatalogItem.get(product_id, consistent_read=True)
    if not record.flash_sale:
        return int(record.stock)
    keys = [bucket_id(product_id, b) for b in range(FLASH_BUCKETS)]
    return sum(int(r.stock) for r in CatalogItem.batch_get(keys, consistent_read=True))


def _forget(product_id):
    """This container has not seen the product on flash sale (a fresh container, or a product it never read)."""
    bootstrap.services().catalog._flash.discard(product_id)


@contextlib.contextmanager
def _between_the_two_reads(action):
    """Run `action` once, right after the read's GetItem has answered (it saw the product on flash sale) and
    before the read's next call: what a concurrent admin request can do between two round trips."""
    events = bootstrap.services().client("dynamodb").meta.events
    done = []
    # the test client serves the read in this thread; the event pump has its own
    reader = threading.get_ident()

    def racing(**_):
        if not done and threading.get_ident() == reader:
            done.append(True)
            action()

    events.register("after-call.dynamodb.GetItem", racing)
    try:
        yield done
    finally:
        events.unregister("after-call.dynamodb.GetItem", racing)


# --- defects ----------------------------------------------------------------------------------------------------


def test_a_first_read_racing_a_flash_sale_ending_shows_units_that_exist(admin, anonymous):
    """DEFECT. The first read of a flash-sale product takes its flag from a GetItem and its stock from a later
    BatchGetItem of the buckets. A sale turned off between the two (its buckets deleted, the units moved back into
    the product's item) is read as a flash sale with 0 units: a state that never existed."""
    kettle = _product(admin, stock=30, flash_sale=True)
    _forget(kettle["id"])

    def end_sale():
        _assert_ok(admin.patch(f"/products/{kettle['id']}", {"flash_sale": False}))

    with _between_the_two_reads(end_sale) as done:
        shown = anonymous.get(f"/products/{kettle['id']}", headers=NO_CACHE).json
    assert done and _real_stock(kettle["id"]) == 30
    assert shown["stock"] == 30, shown


def test_a_first_read_racing_a_delete_does_not_show_the_deleted_product(admin, anonymous):
    """DEFECT (same cause). The product deleted between the GetItem and the buckets' read is answered 200, on flash
    sale, with 0 units, though it was never without its units while it existed."""
    kettle = _product(admin, stock=30, flash_sale=True)
    _forget(kettle["id"])

    def delete():
        _assert_status(admin.delete(f"/products/{kettle['id']}"), 204)

    with _between_the_two_reads(delete) as done:
        shown = anonymous.get(f"/products/{kettle['id']}", headers=NO_CACHE)
    assert done
    assert shown.status_code == 404 or shown.json["stock"] == 30, shown.json


def _assert_ok(response):
    _assert_status(response, 200)


def _assert_status(response, status):
    assert response.status_code == status, response.body


# --- guards -----------------------------------------------------------------------------------------------------


def test_the_stock_shown_after_each_toggle_is_the_stock_there(admin, shopper, anonymous):
    lamp = _product(admin, stock=48)
    expected = 48
    for turn in range(6):
        flag = turn % 2 == 0
        changed = admin.patch(f"/products/{lamp['id']}", {"flash_sale": flag})
        assert changed.status_code == 200 and changed.json["stock"] == expected, changed.body
        shown = anonymous.get(f"/products/{lamp['id']}", headers=NO_CACHE).json
        assert shown["flash_sale"] is flag and shown["stock"] == expected == _real_stock(lamp["id"])
        bought = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": lamp["id"], "quantity": 3}],
            },
        )
        assert bought.status_code == 201, bought.body
        expected -= 3
        assert anonymous.get(f"/products/{lamp['id']}", headers=NO_CACHE).json["stock"] == expected


def test_if_match_after_a_toggle_takes_the_etag_the_toggle_answered(admin, anonymous):
    lamp = _product(admin, stock=24)
    for flag in (True, False, True):
        toggled = admin.patch(f"/products/{lamp['id']}", {"flash_sale": flag})
        assert toggled.status_code == 200, toggled.body
        _forget(lamp["id"])  # as a container that has not read it on sale would
        changed = admin.patch(
            f"/products/{lamp['id']}",
            {"stock": 30},
            headers={"If-Match": toggled.headers["ETag"]},
        )
        assert changed.status_code == 200, changed.body
        stale = admin.patch(
            f"/products/{lamp['id']}",
            {"stock": 10},
            headers={"If-Match": toggled.headers["ETag"]},
        )
        assert stale.status_code == 412
        assert _real_stock(lamp["id"]) == 30
        assert anonymous.get(f"/products/{lamp['id']}", headers=NO_CACHE).json["stock"] == 30
        assert admin.patch(f"/products/{lamp['id']}", {"stock": 24}).status_code == 200


def test_a_deleted_flash_sale_product_reads_404_in_a_container_that_knew_it(admin, anonymous):
    kettle = _product(admin, stock=24, flash_sale=True)
    assert anonymous.get(f"/products/{kettle['id']}", headers=NO_CACHE).json["stock"] == 24
    # deleted by "another container": the rows go, this container's _flash still names it
    CatalogItem(kettle["id"]).delete()
    for b in range(FLASH_BUCKETS):
        CatalogItem(bucket_id(kettle["id"], b)).delete()
    assert anonymous.get(f"/products/{kettle['id']}", headers=NO_CACHE).status_code == 404
    assert admin.patch(f"/products/{kettle['id']}", {"stock": 1}).status_code == 404
    assert admin.delete(f"/products/{kettle['id']}").status_code == 404


@pytest.mark.parametrize("start_on_sale", [False, True])
def test_toggles_racing_orders_and_reads_lose_no_unit(
    client, admin, anonymous, live_url, start_on_sale
):
    """Toggles, orders and no-cache reads at once: every read shows a stock that lies between what is left and
    what there was, the orders sell what they say, and what is left is what is there."""
    from tests.conftest import sign_up_and_in

    stock = 60
    lamp = _product(admin, stock=stock, flash_sale=start_on_sale)
    buyers = [sign_up_and_in(client) for _ in range(4)]
    stop = threading.Event()
    shown = []

    def toggle():
        flag = not start_on_sale
        for _ in range(8):
            answer = requests.patch(
                f"{live_url}/products/{lamp['id']}",
                json={"flash_sale": flag},
                headers={"Authorization": f"Bearer {admin.token}"},
                timeout=60,
            )
            assert answer.status_code in (200, 503), answer.text
            flag = not flag
        stop.set()

    def read():
        while not stop.is_set():
            answer = requests.get(f"{live_url}/products/{lamp['id']}", headers=NO_CACHE, timeout=60)
            shown.append(answer.json()["stock"])

    def buy(i):
        return requests.post(
            f"{live_url}/orders",
            json={
                "payment_method": "pm_card_visa",
                "items": [{"product_id": lamp["id"], "quantity": 2}],
            },
            headers={"Authorization": f"Bearer {buyers[i % 4].token}"},
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        toggling = pool.submit(toggle)
        readers = [pool.submit(read) for _ in range(2)]
        statuses = list(pool.map(buy, range(12)))
        toggling.result()
        for r in readers:
            r.result()
    sold = 2 * statuses.count(201)
    assert set(statuses) <= {201, 409, 503}, statuses
    left = _real_stock(lamp["id"])
    assert left == stock - sold
    assert anonymous.get(f"/products/{lamp['id']}", headers=NO_CACHE).json["stock"] == left
    assert all(left <= s <= stock for s in shown), sorted(set(shown))
