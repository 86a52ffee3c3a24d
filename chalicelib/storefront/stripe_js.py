"""Stripe.js in the storefront: where the page loads it from, how a card becomes a payment method there, and what
the page's Content-Security-Policy must open for it (and nothing more).

Stripe's own Stripe.js (`https://js.stripe.com/v3/`) turns the card typed into its card Element into a
PaymentMethod; the API receives only its id. On the local stack the app speaks to localstripe
(`settings.stripe_api_base`), which serves its own Stripe.js at `<base>/js.stripe.com/v3/`: that one cannot make a
PaymentMethod (`createPaymentMethod` does nothing), so the page offers Stripe's named test cards instead.
"""

import re
import urllib.parse
from dataclasses import dataclass
from typing import Tuple

STRIPE_JS = "https://js.stripe.com/v3/"
# What Stripe.js needs for a card Element and createPaymentMethod (Stripe's integration security guide): its script
# and the Element's frames from js.stripe.com and its subdomains, its calls to api.stripe.com. Not hooks.stripe.com:
# the page never asks Stripe.js for 3-D Secure (the API refuses such a card as `authentication_required`).
STRIPE_SCRIPTS = ("https://js.stripe.com", "https://*.js.stripe.com")
STRIPE_API = ("https://api.stripe.com",)
ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
)


@dataclass(frozen=True)
class StripeJs:
    script: str  # the Stripe.js URL the page loads
    script_src: Tuple[str, ...]  # what the policy adds to each directive for it
    frame_src: Tuple[str, ...]
    connect_src: Tuple[str, ...]
    test_cards: bool  # this Stripe.js cannot make a PaymentMethod: the page offers Stripe's named test cards


def for_api(api_base: str) -> StripeJs:
    """Stripe's own Stripe.js when the app speaks to Stripe (no base), else the one the base serves (localstripe:
    script and calls from its origin, no frames)."""
    if not api_base:
        return StripeJs(STRIPE_JS, STRIPE_SCRIPTS, STRIPE_SCRIPTS, STRIPE_API, test_cards=False)
    origin = origin_of(api_base)
    return StripeJs(
        f"{api_base.rstrip('/')}/js.stripe.com/v3/", (origin,), (), (origin,), test_cards=True
    )


def origin_of(url: str) -> str:
    """The scheme, host and port of a configured URL, refused when it is anything else (it goes into a header and
    a page: a `;` or a space would open the policy to whatever follows)."""
    parts = urllib.parse.urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if not ORIGIN.fullmatch(origin):
        raise ValueError(f"SHOP_STRIPE_API_BASE must be an http(s) URL, not {url[:100]!r}")
    return origin
