"""Paying in the storefront: a card becomes a Stripe PaymentMethod in the page and only its id reaches the shop;
a declined card is told in the shopper's words and the cart is kept; the admin ships (capture) and refunds, and
every order shows what became of its payment. On the test stack Stripe is localstripe, whose Stripe.js cannot make
a PaymentMethod: the page offers Stripe's named test cards there."""

import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests import payments
from tests.browser.conftest import screenshot, sign_in, sign_up
from tests.browser.test_storefront import _product
from tests.conftest import PASSWORD


def _email():
    return f"pay-{uuid.uuid4().hex[:8]}@example.com"


def _to_cart(page, product, quantity=1):
    page.goto(f"/#/product/{product['id']}")
    page.fill("#quantity", str(quantity))
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile("#/cart"))


def _orders_sent(page) -> list:
    """The bodies of the POST /orders requests the page sends from now on."""
    sent = []
    page.on(
        "request",
        lambda r: (
            sent.append(json.loads(r.post_data))
            if r.method == "POST" and r.url.endswith("/orders")
            else None
        ),
    )
    return sent


def test_an_approved_card_pays_then_the_admin_ships_and_refunds_it(
    page, admin, category, stripe_api
):
    lamp = _product(admin, category, "Paid Brass Lamp", price=4550)
    email = _email()
    sign_up(page, email)
    _to_cart(page, lamp, 2)
    expect(
        page.locator("#test-cards input[value=pm_card_visa]")
    ).to_be_checked()  # the approved card first
    sent = _orders_sent(page)
    page.click("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    # the payment method's id, and nothing of a card
    assert sent == [{"payment_method": "pm_card_visa"}]
    order = page.locator("[data-order]").first
    order_id = order.get_attribute("data-order")
    expect(order.locator("[data-status]")).to_have_text("PLACED")
    expect(order.locator("[data-payment]")).to_have_text(
        "Payment: $91.00 held on the card until the order ships"
    )
    (intent,) = payments.intents_of(stripe_api, order_id)
    assert intent["status"] == "requires_capture" and intent["amount"] == 9100

    page.click("#signout")
    page.wait_for_selector("#signout", state="hidden")
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    page.click(f"#admin-orders-placed [data-order='{order_id}'] [data-action=ship]")
    shipped = page.locator(f"#admin-orders-shipped [data-order='{order_id}']")
    expect(shipped.locator("[data-payment]")).to_have_text("Payment: $91.00 charged to the card")
    expect(page.locator(f"#admin-orders-placed [data-order='{order_id}']")).to_have_count(0)
    shipped.locator("[data-action=refund]").click()
    refunded = page.locator(f"#admin-orders-refunded [data-order='{order_id}']")
    expect(refunded.locator("[data-status]")).to_have_text("REFUNDED")
    expect(refunded.locator("[data-payment]")).to_have_text("Payment: $91.00 refunded to the card")
    expect(refunded.locator("[data-action]")).to_have_count(0)  # nothing more to do with it
    screenshot(page, "admin-refunded-desktop")
    expect(page.locator(f"[data-order='{order_id}']")).to_have_count(1)  # it left "To deliver"
    expect(page.locator("#admin-orders-status")).to_have_text(
        f"Order {order_id[-8:].upper()} is REFUNDED."
    )
    assert payments.refunded(stripe_api, intent["id"]) == 9100

    page.click("#signout")
    page.wait_for_selector("#signout", state="hidden")
    sign_in(page, email, PASSWORD)
    page.goto("/#/orders")
    expect(page.locator(f"[data-order='{order_id}'] [data-status]")).to_have_text("REFUNDED")
    expect(page.locator(f"[data-order='{order_id}'] [data-payment]")).to_have_text(
        "Payment: $91.00 refunded to the card"
    )


def test_a_delivered_order_is_refunded_from_the_admins_delivered_list(
    page, admin, shopper, category
):
    chair = _product(admin, category, "Delivered Chair", price=12999)
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": chair["id"], "quantity": 1}]},
    ).json
    for move in ("ship", "deliver"):
        assert admin.post(f"/orders/{order['id']}/{move}").status_code == 200
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    delivered = page.locator(f"#admin-orders-delivered [data-order='{order['id']}']")
    expect(delivered.locator("[data-payment]")).to_have_text("Payment: $129.99 charged to the card")
    expect(delivered.locator("[data-action]")).to_have_text(["Refund"])
    delivered.locator("[data-action=refund]").click()
    expect(
        page.locator(f"#admin-orders-refunded [data-order='{order['id']}'] [data-status]")
    ).to_have_text("REFUNDED")
    expect(delivered).to_have_count(0)
    assert shopper.get(f"/orders/{order['id']}").json["payment"]["status"] == "REFUNDED"


def test_a_declined_card_is_told_in_the_shoppers_words_and_the_cart_is_kept(
    page, admin, category, client
):
    from tests.conftest import sign_up_and_in

    lamp = _product(admin, category, "Declined Lamp", stock=3, price=2500)
    shopper = sign_up_and_in(client)
    sign_in(page, shopper.email, PASSWORD)
    _to_cart(page, lamp, 2)
    page.check("#test-cards input[value=pm_card_chargeCustomerFail]")
    page.click("#place-order")
    expect(page.locator("#cart-error")).to_have_text(
        "Your card was declined. Nothing was charged and your cart is kept: try another card."
    )
    expect(page.locator(f"[data-line='{lamp['id']}']")).to_be_visible()
    expect(page.locator("#cart-total")).to_have_text("Total: $50.00")
    screenshot(page, "cart-declined-desktop")
    assert [
        (line["product_id"], line["quantity"]) for line in shopper.get("/cart").json["items"]
    ] == [(lamp["id"], 2)]
    assert shopper.get("/orders").json["items"] == []
    assert (
        admin.get(f"/products/{lamp['id']}", headers={"Cache-Control": "no-cache"}).json["stock"]
        == 3
    )

    page.reload()  # the cart is the shop's, not the page's
    expect(page.locator(f"[data-line='{lamp['id']}']")).to_be_visible()
    page.check("#test-cards input[value=pm_card_visa]")  # another card pays at once
    page.click("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    expect(page.locator("[data-order] [data-payment]")).to_have_text(
        ["Payment: $50.00 held on the card until the order ships"]
    )
    assert shopper.get("/cart").json["items"] == []


def test_a_ship_whose_authorization_is_gone_cancels_the_order_and_says_why(
    page, admin, shopper, category, stripe_api
):
    lamp = _product(admin, category, "Expired Lamp", price=1999)
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": lamp["id"], "quantity": 1}]},
    ).json
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    card = page.locator(f"[data-order='{order['id']}']")
    expect(card.locator("[data-action=ship]")).to_be_visible()
    # as Stripe does after 7 days
    payments.cancel_at_stripe(stripe_api, order["payment"]["reference"])
    card.locator("[data-action=ship]").click()
    expect(card.locator("[data-status]")).to_have_text("CANCELLED")
    expect(card.locator(".error")).to_have_text(
        "The card's authorization had run out or been cancelled, so this order is cancelled and nothing was charged."
    )
    expect(card.locator("[data-payment]")).to_have_text(
        "Payment: $19.99 released: nothing was charged"
    )


def test_stripe_js_is_the_local_stripes_and_the_policy_opens_to_it_and_nothing_else(
    page, live_url, stripe_api
):
    import requests

    answer = requests.get(live_url + "/", timeout=10)
    assert f'<script defer src="{stripe_api}/js.stripe.com/v3/"></script>' in answer.text
    directives = dict(
        d.split(" ", 1) for d in answer.headers["Content-Security-Policy"].split("; ")
    )
    assert (
        directives["script-src"] == f"'self' {stripe_api}"
        and directives["connect-src"] == f"'self' {stripe_api}"
    )
    # localstripe's makes no frames
    assert "frame-src" not in directives and directives["default-src"] == "'none'"
    assert not [
        value
        for name, value in directives.items()
        if "stripe" in value and name not in ("script-src", "connect-src")
    ]

    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/")
    page.wait_for_selector("[data-product]")
    assert page.evaluate("typeof window.Stripe") == "function"  # loaded, and allowed to run
    assert violations == []


# Stripe.js itself cannot run here (no network; localstripe's cannot make a PaymentMethod): this stand-in has its
# shape (Stripe(key), a card Element that is a frame from js.stripe.com, createPaymentMethod) and answers what the
# test sets in `window.stripeAnswer`, so the page the shop serves with Stripe's own Stripe.js runs under its policy.
STRIPE_JS_STAND_IN = """
window.Stripe = (key) => ({
  elements: () => ({ create: (type) => ({ mount(node) {
    const frame = document.createElement("iframe");
    frame.src = "https://js.stripe.com/v3/elements-inner-card.html";
    node.append(frame);
  } }) }),
  createPaymentMethod: async (request) => {
    window.stripeAsked = { key, type: request.type, card: typeof request.card };
    return window.stripeAnswer;
  },
});
"""


def _blocked(page, attempt: str) -> str:
    """The directive that refused what the statement `attempt` tried in the page, or "" when nothing was refused."""
    return page.evaluate(
        """() => new Promise((resolve) => {
        document.addEventListener("securitypolicyviolation", (e) => resolve(e.effectiveDirective), { once: true });
        %s;
        setTimeout(() => resolve(""), 2000);
    })"""
        % attempt
    )


def _as_in_aws(page, live_url, stripe_js_loads=True, key="pk_test_storefront"):
    """The page as the shop serves it in AWS (the app speaking to Stripe itself), with its policy; Stripe.js the
    stand-in, or never arriving."""
    from chalicelib.storefront import routes, stripe_js

    stripe = stripe_js.for_api("")
    html, _ = routes.render(stripe, key, "USD")
    page.route(
        f"{live_url}/",
        lambda route: route.fulfill(
            body=html,
            content_type="text/html",
            headers={"Content-Security-Policy": routes.policy(stripe)},
        ),
    )
    page.route(
        "https://js.stripe.com/v3/",
        lambda route: (
            route.fulfill(body=STRIPE_JS_STAND_IN, content_type="text/javascript")
            if stripe_js_loads
            else route.abort()
        ),
    )
    page.route(
        "https://js.stripe.com/v3/elements-inner-card.html",
        lambda route: route.fulfill(
            body="<input id=number aria-label='Card number'>", content_type="text/html"
        ),
    )


def test_with_stripes_own_stripe_js_the_card_element_makes_the_payment_method(
    page, admin, category, live_url
):
    _as_in_aws(page, live_url)
    lamp = _product(admin, category, "Elements Lamp", price=3000)
    sign_up(page, _email())
    _to_cart(page, lamp)
    expect(page.locator("#test-cards")).to_have_count(0)
    expect(
        page.frame_locator("#card-element iframe").locator("#number")
    ).to_be_visible()  # its frame may load

    sent = _orders_sent(page)
    page.evaluate(
        "window.stripeAnswer = { error: { type: 'validation_error', message: 'Your card number is incomplete.' } }"
    )
    page.click("#place-order")
    expect(page.locator("#cart-error")).to_have_text(
        "Your card number is incomplete."
    )  # Stripe.js's own words
    page.evaluate("window.stripeAnswer = { paymentMethod: { id: 'pm_card_visa' } }")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    assert sent == [{"payment_method": "pm_card_visa"}]
    assert page.evaluate("window.stripeAsked") == {
        "key": "pk_test_storefront",
        "type": "card",
        "card": "object",
    }

    # the policy opens to Stripe and nothing else
    assert (
        _blocked(
            page,
            "document.head.append(Object.assign(document.createElement('script'), "
            "{ src: 'https://example.com/x.js' }))",
        )
        == "script-src-elem"
    )
    assert _blocked(page, "fetch('https://example.com/').catch(() => {})") == "connect-src"
    assert (
        _blocked(
            page,
            "document.body.append(Object.assign(document.createElement('iframe'), "
            "{ src: 'https://example.com/' }))",
        )
        == "frame-src"
    )
    page.route(
        "https://api.stripe.com/**",
        lambda route: route.fulfill(body="{}", content_type="application/json"),
    )
    assert _blocked(page, "fetch('https://api.stripe.com/v1/ping').catch(() => {})") == ""


@pytest.mark.parametrize(
    "loads, key, unusable",
    [
        (
            False,
            "pk_test_storefront",
            "The card form could not be loaded. Check your connection and reload the page.",
        ),
        (True, "", "This shop takes no card payments yet."),
    ],
    ids=["stripe.js-unreachable", "no-publishable-key"],
)
def test_without_a_card_form_the_cart_says_why_and_sends_no_order(
    page, admin, category, live_url, loads, key, unusable
):
    _as_in_aws(page, live_url, stripe_js_loads=loads, key=key)
    lamp = _product(admin, category, "Offline Lamp", price=3000)
    sign_up(page, _email())
    _to_cart(page, lamp)
    expect(page.locator("#card-element")).to_have_text(unusable)
    sent = _orders_sent(page)
    page.click("#place-order")
    expect(page.locator("#cart-error")).to_have_text(unusable)
    expect(page.locator(f"[data-line='{lamp['id']}']")).to_be_visible()
    assert sent == []
