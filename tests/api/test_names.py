"""Names shown to people (accounts, products) refuse control and format characters: one rule, chalicelib/text.py."""

import uuid

import pytest

from tests.conftest import PASSWORD, unique_email

UNPRINTABLE = [
    pytest.param("Ada\u0000", id="NUL"),
    pytest.param("Ada\u0007", id="BEL"),
    pytest.param("Ada\tLovelace", id="tab"),
    pytest.param("Ada\nLovelace", id="newline"),
    pytest.param("Ada\u200bLovelace", id="zero-width-space"),
    pytest.param("Ada\u2060", id="word-joiner"),
    pytest.param("\u202eecalevoL adA", id="bidi-override"),
    pytest.param("Ada\u2066x\u2069", id="bidi-isolate"),
    pytest.param("Ada\u00ad", id="soft-hyphen"),
    pytest.param("Ada\u2028", id="line-separator"),
    pytest.param("\ufeffAda", id="byte-order-mark"),
    pytest.param("\u0085Ada", id="next-line"),
]


@pytest.mark.parametrize("name", UNPRINTABLE)
def test_an_account_name_with_control_or_format_characters_is_400_naming_the_field(
    anonymous, shopper, name
):
    signed_up = anonymous.post(
        "/users", {"email": unique_email(), "password": PASSWORD, "name": name}
    )
    assert signed_up.status_code == 400 and "`name`" in signed_up.json["Message"], signed_up.body
    renamed = shopper.patch("/users/me", {"name": name})
    assert renamed.status_code == 400 and "`name`" in renamed.json["Message"], renamed.body
    assert shopper.get("/users/me").json["name"] == "Ada Lovelace"


@pytest.mark.parametrize("name", UNPRINTABLE)
def test_a_product_name_with_control_or_format_characters_is_400_naming_the_field(admin, name):
    created = admin.post("/products", {"name": name, "category": "names", "price_cents": 100})
    assert created.status_code == 400 and "`name`" in created.json["Message"], created.body


def test_a_product_cannot_be_renamed_to_an_unprintable_name(admin, anonymous):
    product = admin.post(
        "/products",
        {"name": "Plain Lamp", "category": f"names-{uuid.uuid4().hex[:6]}", "price_cents": 100},
    ).json
    renamed = admin.patch(f"/products/{product['id']}", {"name": "Plain\u202eLamp"})
    assert renamed.status_code == 400 and "`name`" in renamed.json["Message"]
    assert (
        anonymous.get(f"/products/{product['id']}", headers={"Cache-Control": "no-cache"}).json[
            "name"
        ]
        == "Plain Lamp"
    )


@pytest.mark.parametrize("name", ["Zoë Ångström", "李小龙", "O'Brien-Smith", "Ada 🚀", "عائشة"])
def test_names_in_any_script_are_kept(anonymous, admin, name):
    created = anonymous.post(
        "/users", {"email": unique_email(), "password": PASSWORD, "name": name}
    )
    assert created.status_code == 201 and created.json["name"] == name
    product = admin.post("/products", {"name": name, "category": "names", "price_cents": 100})
    assert product.status_code == 201 and product.json["name"] == name
