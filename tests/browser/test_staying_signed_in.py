"""The storefront's session: it renews its access token before the shop stops admitting it, recovers when a
request is refused for an old token, and Sign out revokes the refresh token at the shop. Plus its favicon."""

import re
import time
import uuid

from playwright.sync_api import expect

from tests import tokens
from tests.browser.conftest import sign_up
from tests.conftest import Api


def _stored(page, key):
    return page.evaluate("key => sessionStorage.getItem(key)", key)


def _email():
    return f"session-{uuid.uuid4().hex[:8]}@example.com"


def test_the_access_token_is_renewed_before_the_shop_stops_admitting_it(page, client):
    page.clock.install()
    sign_up(page, _email())
    first = _stored(page, "shop.token")
    expires_in = (
        Api(client)
        .post("/auth/token", {"refresh_token": _stored(page, "shop.refresh")})
        .json["expires_in"]
    )
    with page.expect_request(
        lambda r: r.url.endswith("/auth/token") and "refresh_token" in (r.post_data or "")
    ):
        page.clock.fast_forward((expires_in - 50) * 1000)  # renewal is due a minute before expiry
    page.wait_for_function("first => sessionStorage.getItem('shop.token') !== first", arg=first)
    assert Api(client, _stored(page, "shop.token")).get("/users/me").status_code == 200
    expect(page.locator("#signout")).to_be_visible()


def test_a_shopper_whose_token_grew_too_old_still_checks_out(page, admin, client, stack):
    lamp = admin.post(
        "/products",
        {
            "name": "Night Lamp",
            "category": f"night-{uuid.uuid4().hex[:6]}",
            "price_cents": 2500,
            "stock": 4,
        },
    ).json
    sign_up(page, _email())
    user_id = Api(client, _stored(page, "shop.token")).get("/users/me").json["id"]
    page.goto(f"/#/product/{lamp['id']}")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile("#/cart"))
    # the renewal timer never fired (a laptop asleep): the stored token is now one the shop no longer admits
    now = int(time.time())
    stale = tokens.mint(stack.pool_id, stack.client_id, sub=user_id, iat=now - 700, exp=now + 2000)
    assert Api(client, stale).get("/users/me").status_code == 403
    page.evaluate("token => sessionStorage.setItem('shop.token', token)", stale)
    statuses = []
    page.on(
        "response",
        lambda r: statuses.append(
            (r.request.method, r.url.split("?")[0].rsplit("/", 1)[-1], r.status)
        ),
    )
    page.click("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    expect(page.locator("[data-order]")).to_have_count(1)
    expect(page.locator("#signout")).to_be_visible()
    assert (
        ("POST", "orders", 403) in statuses
        and ("POST", "token", 200) in statuses
        and ("POST", "orders", 201) in statuses
    )
    assert _stored(page, "shop.token") != stale


def test_sign_out_revokes_the_refresh_token_at_the_shop(page, client):
    sign_up(page, _email())
    refresh_token = _stored(page, "shop.refresh")
    assert refresh_token
    with page.expect_response(lambda r: r.url.endswith("/auth/sign-out")) as signed_out:
        page.click("#signout")
    assert signed_out.value.status == 204
    expect(page.locator("a[href='#/signin']")).to_be_visible()
    assert _stored(page, "shop.token") is None and _stored(page, "shop.refresh") is None
    assert Api(client).post("/auth/token", {"refresh_token": refresh_token}).status_code == 401


def test_a_revoked_session_ends_cleanly_in_the_browser(page, client, stack):
    sign_up(page, _email())
    user_id = Api(client, _stored(page, "shop.token")).get("/users/me").json["id"]
    refresh_token = _stored(page, "shop.refresh")
    assert (
        Api(client, _stored(page, "shop.token"))
        .post("/auth/sign-out", {"refresh_token": refresh_token})
        .status_code
        == 204
    )
    now = int(time.time())
    page.evaluate(
        "token => sessionStorage.setItem('shop.token', token)",
        tokens.mint(stack.pool_id, stack.client_id, sub=user_id, iat=now - 700, exp=now + 2000),
    )
    page.goto("/#/cart")
    expect(page.locator("#cart-error")).to_contain_text("session has ended")
    expect(page.locator("a[href='#/signin']")).to_be_visible()
    assert _stored(page, "shop.refresh") is None


def test_the_first_page_load_requests_nothing_that_is_missing_and_has_a_favicon(page, live_url):
    import requests

    failures, errors = [], []
    page.on("response", lambda r: failures.append((r.status, r.url)) if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/")
    page.wait_for_selector("[data-product]")
    assert failures == [] and errors == []
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", icon)
    answer = requests.get(live_url + icon, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/svg+xml"
    assert answer.text.startswith("<svg") and answer.headers["Cache-Control"] == "no-store"
