"""The storefront speaks to shoppers: its own words from what it knows (a product's name, the allowed range, why
it asks to sign in), never the API's developer text; one order reference and one money format, the same as the
inbox's and the emails'; the admin's form shows only the fields that apply, each beside its label."""

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import send_sign_up, sign_in, sign_up
from tests.browser.test_storefront import _edit
from tests.conftest import PASSWORD
from tests.support import sent_emails

DEVELOPER_TEXT = re.compile(r"`|Expected|\$\.|regex|\[a-z|product [0-9A-Z]{26}")


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
    return f"words-{uuid.uuid4().hex[:8]}@example.com"


def sign_out(page):
    page.click("#signout")
    page.wait_for_selector("nav a[href='#/signin']:visible")  # the sign-out has come back


def _add_from_product_page(page, product, quantity):
    page.goto(f"/#/product/{product['id']}")
    page.fill("#quantity", str(quantity))
    page.click("form button[type=submit]")


def test_add_to_cart_while_signed_out_asks_to_sign_in_and_comes_back(page, admin, category):
    lamp = _product(admin, category, "Signed-Out Lamp")
    email = _email()
    sign_up(page, email)
    sign_out(page)
    page.goto(f"/#/?category={category}")
    page.click(f"[data-add='{lamp['id']}']")
    page.wait_for_url(re.compile("#/signin$"))
    expect(page.locator("#auth-notice")).to_have_text("Sign in to add this to your cart.")
    page.fill("#field-email", email)
    page.fill("#field-password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"#/\?category={category}$"))
    page.goto("/#/signin")
    expect(page.locator("#auth-notice")).to_have_count(0)  # said once, for the time it applied


def test_a_quantity_out_of_range_names_the_range(page, admin, category):
    lamp = _product(admin, category, "Range Lamp")
    sign_up(page, _email())
    _add_from_product_page(page, lamp, 100)
    expect(page.locator("#product-error")).to_have_text("Choose a quantity from 1 to 99.")
    page.wait_for_url(re.compile("#/product/"))


def test_an_order_short_of_stock_names_the_product_and_what_is_left(page, admin, category):
    lamp = _product(admin, category, "Brass Reading Lamp", stock=3)
    sign_up(page, _email())
    _add_from_product_page(page, lamp, 3)
    page.wait_for_url(re.compile("#/cart"))
    assert admin.patch(f"/products/{lamp['id']}", {"stock_delta": -2}).status_code == 200
    page.click("#place-order")
    expect(page.locator("#cart-error")).to_have_text(
        "Only 1 of Brass Reading Lamp left: lower the quantity to order."
    )
    assert admin.patch(f"/products/{lamp['id']}", {"stock_delta": -1}).status_code == 200
    page.click("#place-order")
    expect(page.locator("#cart-error")).to_have_text(
        "Brass Reading Lamp is sold out: remove it to order the rest."
    )


def test_sign_up_words_the_password_rule_and_a_taken_email(page):
    send_sign_up(page, "grace@example.com", "short", "Grace Hopper")
    expect(page.locator("#auth-error")).to_have_text(
        "Choose a password of at least 8 characters, with upper- and lower-case letters and a digit."
    )
    email = _email()
    sign_up(page, email)
    sign_out(page)
    send_sign_up(page, email, PASSWORD, "Grace Hopper")
    expect(page.locator("#auth-error")).to_have_text(
        "An account with this email address exists already: sign in instead."
    )


def test_no_message_shown_to_a_shopper_carries_developer_text(page, admin, category):
    lamp = _product(admin, category, "Plain Words Lamp", stock=1)
    sign_up(page, _email())
    _add_from_product_page(page, lamp, 0)
    _add_from_product_page(page, lamp, 1)
    page.wait_for_url(re.compile("#/cart"))
    admin.patch(f"/products/{lamp['id']}", {"stock_delta": -1})
    page.click("#place-order")
    expect(page.locator("#cart-error")).not_to_be_empty()
    shown = page.locator(".error").all_text_contents()
    assert shown and not [text for text in shown if DEVELOPER_TEXT.search(text)], shown


def test_the_inbox_the_orders_page_and_the_email_name_an_order_and_its_amount_alike(
    page, admin, category
):
    chair = _product(admin, category, "Reference Chair", price=16700)
    email = _email()
    sign_up(page, email)
    _add_from_product_page(page, chair, 1)
    page.wait_for_url(re.compile("#/cart"))
    page.click("#place-order")
    page.wait_for_url(re.compile(r"#/orders\?placed="))
    card = page.locator("[data-order]").first
    reference = card.get_attribute("data-order")[-8:]
    expect(card.locator("h2")).to_have_text(f"Order {reference}")
    expect(card.locator(".price")).to_have_text("$167.00")

    page.goto("/#/inbox")
    for _ in range(30):  # the notification arrives through the stream and the queue
        if page.locator("[data-type=ORDER_PLACED]").count():
            break
        page.wait_for_timeout(300)
        page.reload()
    note = page.locator("[data-type=ORDER_PLACED]")
    expect(note.locator("h2")).to_have_text(f"We received your order {reference}")
    expect(note.locator("p").first).to_have_text(
        f"Thank you! Your order {reference} for 1 item, $167.00, is placed. We will let you know when it ships."
    )
    mail = sent_emails(email)[-1]
    assert mail.subject == f"We received your order {reference}" and "$167.00" in mail.body


def test_the_admin_form_hides_the_units_field_while_creating_and_keeps_the_flash_sale_box_by_its_label(
    page, admin, category
):
    lamp = _product(admin, category, "Form Lamp")
    sign_in(page, admin.email, PASSWORD)
    page.goto("/#/admin")
    expect(page.locator("#p-stock-delta")).to_be_hidden()
    expect(page.locator("#p-stock-delta-label")).to_be_hidden()
    gap = page.evaluate("""() => {
        const box = document.getElementById("p-flash"), label = box.closest("label");
        const words = document.createRange();
        words.selectNodeContents(label.lastChild);
        return { gap: words.getBoundingClientRect().left - box.getBoundingClientRect().right,
                 width: box.getBoundingClientRect().width };
    }""")
    assert 0 <= gap["gap"] <= 16 and gap["width"] <= 24, gap
    _edit(page, lamp["id"])
    expect(page.locator("#p-stock-delta")).to_be_visible()
    page.click("#save-product")  # nothing changed
    page.fill("#p-name", "Form Lamp, renamed")
    page.click("#save-product")
    expect(page.locator("#product-form-status")).to_contain_text("Saved Form Lamp, renamed")
    expect(page.locator("#p-stock-delta")).to_be_hidden()
