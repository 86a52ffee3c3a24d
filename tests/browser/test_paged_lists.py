"""The storefront's paged lists (pagedList) racing the admin's saves and moves: each item shown once, none lost
(the first three were found by a review of the first version)."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_storefront import _page_on_until, _product
from tests.conftest import PASSWORD


def _all_products(api):
    items, cursor = [], None
    while True:
        page = api.get(
            "/products?limit=50" + (f"&cursor={cursor}" if cursor else ""),
            headers={"Cache-Control": "no-cache"},
        ).json
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def _show_every_page(page):
    expect(page.locator("#admin-products tr").first).to_be_visible()
    while page.locator("#more-products").is_visible():
        page.click("#more-products", timeout=30_000)
        page.wait_for_selector("#more-products:not([disabled])", state="attached", timeout=30_000)


def _create_in_form(page, name, category):
    page.fill("#p-name", name)
    page.fill("#p-category", category)
    page.fill("#p-price", "1.00")
    page.fill("#p-stock", "1")
    page.click("#save-product")
    expect(page.locator("#product-form-status")).to_contain_text(f"Saved {name}")


def test_a_product_created_before_the_catalog_first_page_arrives_is_shown_once(
    page, admin, category
):
    there = _product(admin, category, "Already There")
    sign_in(page, admin.email, PASSWORD)
    held = []
    # the first page is slow to come
    page.route("**/products?limit=50", lambda route: held.append(route))
    page.goto("/#/admin")
    page.locator("#save-product").wait_for()
    _create_in_form(page, "Made Early", category)
    with page.expect_response(lambda r: r.url.endswith("/products?limit=50")):
        held[0].continue_()
    page.locator("#admin-products tr").nth(1).wait_for(state="attached")  # the first page is shown
    _show_every_page(page)
    page.locator(f"[data-admin-product='{there['id']}']").wait_for(state="attached")
    made = next(
        p for p in _all_products(admin) if p["name"] == "Made Early" and p["category"] == category
    )
    rows = page.locator(f"[data-admin-product='{made['id']}']")
    assert rows.count() == 1, f"the new product has {rows.count()} rows in the catalog table"


def test_a_product_created_while_the_last_page_loads_is_shown(page, admin, category):
    for n in range(51 - len(_all_products(admin))):  # at least two pages
        _product(admin, category, f"Filler {n}")
    pages = -(-len(_all_products(admin)) // 50)
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    expect(page.locator("#admin-products tr").first).to_be_visible()
    for _ in range(pages - 2):  # all but the last page
        page.click("#more-products", timeout=30_000)
        page.wait_for_selector("#more-products:not([disabled])", state="attached", timeout=30_000)
    held = []

    def slow_answer(route):  # the shop answers the last page now; the answer reaches the page later
        held.append((route, route.fetch()))

    page.route("**/products?limit=50&cursor=*", slow_answer)
    page.click("#more-products")
    expect(page.locator("#more-products")).to_be_disabled()
    while not held:
        page.wait_for_timeout(50)
    _create_in_form(page, "Made Meanwhile", category)
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(page.locator("#more-products")).to_be_hidden()
    made = next(
        p
        for p in _all_products(admin)
        if p["name"] == "Made Meanwhile" and p["category"] == category
    )
    rows = page.locator(f"[data-admin-product='{made['id']}']")
    assert rows.count() == 1, (
        f"the new product has {rows.count()} rows, and no 'More products' button is left"
    )


def test_an_order_shipped_from_to_ship_is_not_shown_twice_after_more_to_deliver(
    page, admin, shopper, category
):
    pencil = _product(admin, category, "Paged Pencil", stock=100, price=99)
    order = lambda: (
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": pencil["id"], "quantity": 1}],
            },
        ).json
    )  # noqa
    old = order()
    for newer in [order() for _ in range(21)]:  # more than a page of newer orders to deliver
        assert admin.post(f"/orders/{newer['id']}/ship").status_code == 200
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    card = page.locator(f"#admin-orders-placed [data-order='{old['id']}']")
    expect(page.locator("#admin-orders-placed [data-order]").first).to_be_visible()
    _page_on_until(page, "#more-placed", card)
    card.locator("[data-action=ship]").click()
    expect(page.locator("#admin-orders-status")).to_have_text(f"Order {old['id'][-8:]} is SHIPPED.")
    expect(card).to_have_count(0)  # it left "To ship"
    in_deliver = page.locator(f"#admin-orders-shipped [data-order='{old['id']}']")
    while not in_deliver.count() and page.locator("#more-shipped").is_visible():
        page.click("#more-shipped", timeout=30_000)
        page.wait_for_selector("#more-shipped:not([disabled])", state="attached", timeout=30_000)
    expect(in_deliver.locator("[data-status]")).to_have_text("SHIPPED")
    cards = page.locator(f"[data-order='{old['id']}']")
    assert cards.count() == 1, f"order {old['id']} is shown {cards.count()} times on the admin page"


def test_moves_on_the_first_page_then_more_neither_repeat_nor_skip(page, admin, shopper, category):
    """Cancelling or shipping on the first page and then loading more neither repeats nor skips an order, and
    a double click on "More" loads one page."""
    pencil = _product(admin, category, "Holding Pencil", stock=100, price=99)
    ids = [
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": pencil["id"], "quantity": 1}],
            },
        ).json["id"]
        for _ in range(25)
    ]
    sign_in(page, shopper.email, PASSWORD)
    page.goto("/#/orders")
    expect(page.locator("[data-order]")).to_have_count(20)
    last_on_first = page.locator("[data-order]").nth(19)
    cancelled = last_on_first.get_attribute("data-order")
    last_on_first.locator("[data-action=cancel]").click()
    expect(last_on_first.locator("[data-status]")).to_have_text("CANCELLED")
    page.dblclick("#more-orders")
    expect(page.locator("#more-orders")).to_be_hidden()
    page.wait_for_timeout(500)
    shown = [
        page.locator("[data-order]").nth(i).get_attribute("data-order")
        for i in range(page.locator("[data-order]").count())
    ]
    assert sorted(shown) == sorted(ids)

    page.click("#signout")
    page.wait_for_selector("#signout", state="hidden")
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    cards = page.locator("#admin-orders-placed [data-order]")
    expect(cards.first).to_be_visible()
    count = cards.count()
    # its last one among them
    chosen = [cards.nth(i).get_attribute("data-order") for i in (0, 5, count - 1)]
    for order_id in chosen:
        page.click(f"#admin-orders-placed [data-order='{order_id}'] [data-action=ship]")
        expect(page.locator(f"#admin-orders-placed [data-order='{order_id}']")).to_have_count(0)
    while page.locator("#more-placed").is_visible():
        page.click("#more-placed", timeout=30_000)
        page.wait_for_selector("#more-placed:not([disabled])", state="attached", timeout=30_000)
    shown = [cards.nth(i).get_attribute("data-order") for i in range(cards.count())]
    assert len(shown) == len(set(shown))
    assert set(ids) - {cancelled} - set(chosen) <= set(shown)  # every order still PLACED is reached
    assert not set(chosen) & set(shown)
