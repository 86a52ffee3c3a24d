import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in, sign_up
from tests.conftest import PASSWORD


def _product(admin, category, name, stock=5, price=2599):
    return admin.post(
        "/products",
        {
            "name": name,
            "category": category,
            "price_cents": price,
            "stock": stock,
            "description": f"{name}, made to last.",
        },
    ).json


def _email():
    return f"browser-{uuid.uuid4().hex[:8]}@example.com"


def test_a_shopper_buys_two_products_is_notified_and_cancels(page, admin, category):
    chair = _product(admin, category, "Crunchy Armchair", price=12999)
    lamp = _product(admin, category, "Brass Lamp", price=4550)
    sign_up(page, _email())
    page.goto(f"/#/?category={category}")
    for product in (chair, lamp):
        page.click(f"[data-add='{product['id']}']")
        expect(page.locator(f"[data-add='{product['id']}']")).to_have_text("Added ✓")
    screenshot(page, "catalog-desktop")
    page.goto("/#/cart")
    expect(page.locator("#cart-total")).to_have_text(re.compile(r"Total: \$175\.49"))
    screenshot(page, "cart-desktop")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    order = page.locator("[data-order]").first
    expect(order.locator("[data-status]")).to_have_text("PLACED")
    order_id = order.get_attribute("data-order")

    page.goto("/#/inbox")
    for _ in range(30):  # the notification arrives asynchronously, through the stream and the queue
        if page.locator(f"[data-notification$='-{order_id}.PLACED']").count():
            break
        page.wait_for_timeout(300)
        page.reload()
    expect(page.locator(f"[data-notification$='-{order_id}.PLACED']")).to_have_attribute(
        "data-type", "ORDER_PLACED"
    )
    expect(page.locator("#unread")).to_have_text("1")

    page.goto("/#/orders")
    page.click(f"[data-order='{order_id}'] [data-action=cancel]")
    expect(page.locator(f"[data-order='{order_id}'] [data-status]")).to_have_text("CANCELLED")
    screenshot(page, "orders-desktop")
    page.goto(f"/#/product/{chair['id']}")
    expect(page.locator(f"[data-stock='{chair['id']}']")).to_have_text("5 in stock")


def test_a_double_click_on_place_order_makes_one_order(page, admin, category):
    lamp = _product(admin, category, "Brass Lamp")
    email = _email()
    sign_up(page, email)
    page.goto(f"/#/product/{lamp['id']}")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile("#/cart"))
    page.dblclick("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    page.wait_for_timeout(500)
    page.reload()
    expect(page.locator("[data-order]")).to_have_count(1)


def test_a_retry_after_a_network_error_reuses_the_idempotency_key(page, admin, category):
    lamp = _product(admin, category, "Brass Lamp", stock=5)
    sign_up(page, _email())
    page.goto(f"/#/product/{lamp['id']}")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile("#/cart"))
    keys = []

    def lose_the_answer(route):
        keys.append(route.request.headers["idempotency-key"])
        route.fetch()  # the shop places the order ...
        route.abort()  # ... but the answer never reaches the shopper

    page.route("**/orders", lose_the_answer, times=1)
    page.click("#place-order")
    expect(page.locator("#cart-error")).to_contain_text("could not be reached")
    page.route(
        "**/orders",
        lambda route: (keys.append(route.request.headers["idempotency-key"]), route.continue_()),
    )
    page.click("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    assert len(keys) == 2 and keys[0] == keys[1]
    expect(page.locator("[data-order]")).to_have_count(1)
    page.goto(f"/#/product/{lamp['id']}")
    expect(page.locator(f"[data-stock='{lamp['id']}']")).to_have_text("4 in stock")


def test_an_admin_creates_a_product_and_ships_an_order(page, admin, shopper, category, stack):
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    page.fill("#p-name", "Oak Bookshelf")
    page.fill("#p-category", category)
    page.fill("#p-price", "149.90")
    page.fill("#p-stock", "7")
    page.click("#save-product")
    expect(page.locator("#product-form-status")).to_have_text(
        "Saved Oak Bookshelf ($149.90, 7 in stock)."
    )
    created = [
        p
        for p in shopper.get(
            f"/products?category={category}", headers={"Cache-Control": "no-cache"}
        ).json["items"]
        if p["name"] == "Oak Bookshelf"
    ]
    assert created and created[0]["price_cents"] == 14990 and created[0]["stock"] == 7
    order = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": created[0]["id"], "quantity": 2}],
        },
    ).json
    page.reload()
    page.click(f"[data-order='{order['id']}'] [data-action=ship]")
    expect(page.locator(f"[data-order='{order['id']}'] [data-status]")).to_have_text("SHIPPED")
    assert shopper.get(f"/orders/{order['id']}").json["status"] == "SHIPPED"
    screenshot(page, "admin-desktop")


def _page_on_until(page, more, wanted):
    """Click a list's "More" button until `wanted` is shown, each time waiting for the page to arrive (the
    button is disabled while it loads; the admin's order pages read 32 shards of a busy test stack)."""
    while not wanted.count():
        page.click(more, timeout=30_000)
        page.wait_for_selector(f"{more}:not([disabled])", state="attached", timeout=30_000)


def _edit(page, product_id):
    row = page.locator(f"[data-admin-product='{product_id}']")
    expect(page.locator("#admin-products tr").first).to_be_visible()  # the first page has loaded
    _page_on_until(
        page, "#more-products", row
    )  # the catalog table shows 50 products a page, oldest first
    row.locator("button:text('Edit')").click()
    expect(page.locator("#save-product")).to_have_text("Save changes")


def test_an_admin_edit_never_puts_back_units_sold_after_the_form_was_loaded(
    page, admin, shopper, category
):
    # more than a page of products before it: a save keeps the pages shown
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: _product(admin, category, f"Filler {n}"), range(50)))
    lamp = _product(admin, category, "Sold While Editing", stock=10)
    row = page.locator(f"[data-admin-product='{lamp['id']}']")
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    _edit(page, lamp["id"])
    expect(page.locator("#p-stock")).to_have_value("10")
    assert (
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": lamp["id"], "quantity": 4}],
            },
        ).status_code
        == 201
    )
    page.fill(
        "#p-description", "Changed while a customer bought four"
    )  # only the description changes
    page.click("#save-product")
    expect(page.locator("#product-form-status")).to_contain_text("6 in stock")
    expect(row.locator("td").nth(3)).to_have_text("6")  # its row shows what was saved, where it was
    stock = lambda: (
        shopper.get(f"/products/{lamp['id']}", headers={"Cache-Control": "no-cache"}).json
    )  # noqa: E731
    assert (
        stock()["stock"] == 6 and stock()["description"] == "Changed while a customer bought four"
    )

    _edit(page, lamp["id"])  # a restock as a delta keeps a sale made meanwhile
    assert (
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": lamp["id"], "quantity": 1}],
            },
        ).status_code
        == 201
    )
    page.fill("#p-stock-delta", "10")
    page.click("#save-product")
    expect(page.locator("#product-form-status")).to_contain_text("15 in stock")
    expect(row.locator("td").nth(3)).to_have_text("15")

    # setting the stock outright after a sale is refused, and the form reloads
    _edit(page, lamp["id"])
    assert (
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": lamp["id"], "quantity": 2}],
            },
        ).status_code
        == 201
    )
    page.fill("#p-stock", "40")
    page.click("#save-product")
    expect(page.locator("#product-form-error")).to_contain_text("changed since you opened it")
    expect(page.locator("#p-stock")).to_have_value("13")
    assert stock()["stock"] == 13
    page.fill("#p-stock", "40")
    page.click("#save-product")
    expect(page.locator("#product-form-status")).to_contain_text("40 in stock")
    assert stock()["stock"] == 40


def test_an_admin_form_error_is_shown_beside_the_form(page, admin):
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    page.fill("#p-name", "Bad Category")
    page.fill("#p-category", "Not A Slug")
    page.fill("#p-price", "1")
    page.click("#save-product")
    expect(page.locator("#product-form-error")).to_have_text(
        "Category: lower-case letters and digits, words joined by single hyphens, such as garden-tools (up to 50)."
    )


def test_markup_in_a_product_name_is_shown_as_text(page, admin, category):
    name = "<img src=x onerror=alert(1)>"
    product = _product(admin, category, name)
    page.goto(f"/#/?category={category}")
    expect(page.locator(f"[data-product='{product['id']}'] h2")).to_have_text(name)
    assert page.locator("img[src=x]").count() == 0
    page.goto(f"/#/product/{product['id']}")
    expect(page.locator("h1")).to_have_text(name)
    assert page.dialogs == []


def test_a_wrong_password_is_told_next_to_the_form_in_the_storefronts_words(page):
    page.goto("/#/signin")
    page.fill("#field-email", "nobody@example.com")
    page.fill("#field-password", "Wrong-Passw0rd")
    page.click("form button[type=submit]")
    expect(page.locator("#auth-error")).to_have_text("The email address or password is wrong.")


def test_the_keyboard_alone_can_sign_in_and_fill_the_cart(page, admin, category, client):
    from tests.conftest import sign_up_and_in

    lamp = _product(admin, category, "Keyboard Lamp")
    shopper = sign_up_and_in(client)
    page.goto("/#/signin")
    page.keyboard.type(shopper.email)  # the first field has focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#signout:visible")
    page.goto(f"/#/?category={category}")
    button = page.locator(f"[data-add='{lamp['id']}']")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_text("Added ✓")
    assert [line["product_id"] for line in shopper.get("/cart").json["items"]] == [lamp["id"]]


def test_a_slow_request_shows_progress(page):
    page.goto("/")
    page.wait_for_selector("[data-product]")
    page.route("**/products?*", lambda route: (page.wait_for_timeout(800), route.continue_()))
    page.evaluate("location.hash = '#/?category=kitchen'")
    expect(page.locator("#progress")).to_be_visible()
    expect(page.locator("#progress")).to_be_hidden(timeout=10_000)


def test_the_page_is_served_with_a_strict_policy_and_hashed_assets(page, live_url):
    import requests

    answer = requests.get(live_url + "/", timeout=10)
    policy = answer.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy
        and "default-src 'none'" in policy
    )
    from chalicelib.storefront import routes

    assets = re.findall(r"/static/[\w.-]+", answer.text)
    # the script, the style sheet, the favicon and the modules the script imports (preloaded beside it)
    assert sorted(a.removeprefix("/static/") for a in assets) == sorted(routes._assets())
    for asset in assets:
        first = requests.get(live_url + asset, timeout=10)
        assert first.headers["Cache-Control"] == "no-store"
        again = requests.get(
            live_url + asset, headers={"If-None-Match": first.headers["ETag"]}, timeout=10
        )
        assert again.status_code == 304
    assert requests.get(live_url + "/static/app.000000000000.js", timeout=10).status_code == 404


def test_phone_sized_screens(browser, live_url, pump, admin, category):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_url, is_mobile=True
    )
    page = context.new_page()
    _product(admin, category, "Pocket Lamp")
    sign_in(page, admin.email, PASSWORD)
    for name, path in (
        ("catalog", f"/#/?category={category}"),
        ("cart", "/#/cart"),
        ("orders", "/#/orders"),
        ("admin", "/#/admin"),
    ):
        page.goto(path)
        page.wait_for_selector("main h1")
        page.wait_for_timeout(300)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (name, width)  # nothing forces sideways scrolling
        screenshot(page, f"{name}-phone")
    context.close()


def test_every_list_that_grows_pages_on_to_its_oldest_item(page, admin, shopper, category):
    """21 orders: the shopper's orders and inbox show 20 and then the oldest; the admin reaches it and ships it."""
    pencil = _product(admin, category, "Paged Pencil", stock=100, price=99)
    placed = [
        shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": pencil["id"], "quantity": 1}],
            },
        )
        for _ in range(21)
    ]
    assert [r.status_code for r in placed] == [201] * 21
    oldest = placed[0].json["id"]
    sign_in(page, shopper.email, PASSWORD)

    page.goto("/#/orders")
    expect(page.locator("[data-order]")).to_have_count(20)
    expect(page.locator(f"[data-order='{oldest}']")).to_have_count(0)
    page.click("#more-orders")
    expect(page.locator(f"[data-order='{oldest}'] [data-status]")).to_have_text("PLACED")
    expect(page.locator("[data-order]")).to_have_count(21)
    expect(page.locator("#more-orders")).to_be_hidden()

    # the notifications arrive asynchronously, through the stream and the queue
    for _ in range(120):
        if len(shopper.get("/notifications?limit=100").json["items"]) >= 21:
            break
        page.wait_for_timeout(250)
    page.goto("/#/inbox")
    expect(page.locator("[data-notification]")).to_have_count(20)
    page.click("#more-notifications")
    expect(page.locator(f"[data-notification$='-{oldest}.PLACED']")).to_be_visible()
    expect(page.locator("#more-notifications")).to_be_hidden()

    page.click("#signout")
    page.wait_for_selector("#signout", state="hidden")
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    expect(page.locator("#admin-orders-placed [data-order]")).to_have_count(20)
    card = page.locator(f"#admin-orders-placed [data-order='{oldest}']")
    _page_on_until(page, "#more-placed", card)  # at least 20 newer orders to ship come first
    card.locator("[data-action=ship]").click()
    expect(page.locator("#admin-orders-status")).to_have_text(f"Order {oldest[-8:]} is SHIPPED.")
    expect(card).to_have_count(0)  # it moved from "To ship" to "To deliver"
    assert shopper.get(f"/orders/{oldest}").json["status"] == "SHIPPED"


def test_the_sign_in_form_says_how_long_to_wait_after_too_many_failures(page):
    from tests.conftest import unique_email

    email = unique_email("locked")
    page.goto("/#/signin")
    page.fill("#field-email", email)
    for _ in range(5):
        page.fill("#field-password", "Wrong-Passw0rd")
        page.click("form button[type=submit]")
        expect(page.locator("#auth-error")).to_have_text("The email address or password is wrong.")
        page.evaluate("document.getElementById('auth-error').textContent = ''")
    page.fill("#field-password", "Wrong-Passw0rd")
    page.click("form button[type=submit]")
    expect(page.locator("#auth-error")).to_have_text(
        "Too many sign-in attempts. Try again in 15 minutes."
    )
