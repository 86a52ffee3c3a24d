"""The storefront's Stripe.js: which one the page loads, what its policy opens for it, and the publishable key."""

import pytest

from chalicelib import settings
from chalicelib.storefront import routes, stripe_js


def _directives(policy: str) -> dict:
    return dict(directive.split(" ", 1) for directive in policy.split("; "))


def test_with_stripe_itself_the_page_loads_stripes_stripe_js_and_the_policy_opens_to_stripe_alone():
    stripe = stripe_js.for_api("")
    assert stripe.script == "https://js.stripe.com/v3/" and not stripe.test_cards
    assert _directives(routes.policy(stripe)) == {
        "default-src": "'none'",
        "script-src": "'self' https://js.stripe.com https://*.js.stripe.com",
        "style-src": "'self'",
        "img-src": "'self' https: data:",
        "connect-src": "'self' https://api.stripe.com",
        "frame-src": "https://js.stripe.com https://*.js.stripe.com",
        "font-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def test_with_localstripe_the_page_loads_its_stripe_js_offers_test_cards_and_opens_to_its_origin_only():
    stripe = stripe_js.for_api("http://127.0.0.1:8420/")
    assert stripe.script == "http://127.0.0.1:8420/js.stripe.com/v3/" and stripe.test_cards
    directives = _directives(routes.policy(stripe))
    assert directives["script-src"] == directives["connect-src"] == "'self' http://127.0.0.1:8420"
    assert "frame-src" not in directives and "stripe.com" not in routes.policy(stripe)


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:8420; script-src *",
        "javascript:alert(1)",
        "http://a b:1",
        "ftp://127.0.0.1:8420",
        'http://host"onload=x',
    ],
)
def test_a_stripe_base_that_is_no_http_origin_is_refused_before_it_reaches_the_policy(base):
    with pytest.raises(ValueError, match="SHOP_STRIPE_API_BASE"):
        stripe_js.for_api(base)


def test_the_page_names_stripe_js_the_card_input_and_the_key_escaped():
    html, tag = routes.render(stripe_js.for_api(""), 'pk_live_"><script>', "USD")
    assert '<script defer src="https://js.stripe.com/v3/"></script>' in html
    assert (
        'data-card-input="stripe-elements"' in html
        and 'data-stripe-key="pk_live_&quot;&gt;&lt;script&gt;"' in html
    )
    local, local_tag = routes.render(
        stripe_js.for_api("http://127.0.0.1:8420"), "pk_test_local", "USD"
    )
    assert 'data-card-input="test-cards"' in local and local_tag != tag and "{{" not in local


def test_the_publishable_key_defaults_to_a_local_one_only_beside_localstripe():
    assert (
        settings.from_environ(
            {"SHOP_STRIPE_API_BASE": "http://127.0.0.1:8420"}
        ).stripe_publishable_key
        == "pk_test_local"
    )
    # Stripe's own takes only the account's key
    assert settings.from_environ({}).stripe_publishable_key == ""
    assert (
        settings.from_environ({"STRIPE_PUBLISHABLE_KEY": "pk_live_abc"}).stripe_publishable_key
        == "pk_live_abc"
    )
