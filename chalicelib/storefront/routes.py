"""The storefront: one HTML page and its assets, served by the app itself.

Assets are served under names that carry their content hash (`app.3f2a9c1b04de.js`): the page names the current
ones, so a page and the assets it names always belong to one release (a page of the last release never loads a
module of this one). Like every answer but the catalog's reads, neither the page nor an asset is stored
(`no-store`, as the contract says), so a release shows at the next visit. The script is ES modules: the page names
the entry module (app.js), and each module's imports are rewritten to the hashed names of what it imports, so a
change renames every module that reaches it (modules.py). Hashes are computed once per container, from the files
themselves: there is no build step.
"""

import functools
import pathlib
from html import escape
from typing import Any, Dict, Tuple

from chalice import Blueprint, Response

from chalicelib import display, errors, settings
from chalicelib.http import responses
from chalicelib.http import request as parse
from chalicelib.http.middleware import NOT_STORED
from chalicelib.http.routing import route
from chalicelib.storefront import modules, stripe_js
from chalicelib.storefront.stripe_js import StripeJs

bp = Blueprint(__name__)
ASSETS = pathlib.Path(__file__).resolve().parent / "assets"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


def policy(stripe: StripeJs) -> str:
    """The page's own origin for everything, and Stripe.js's (the one in use) where it needs it; nothing else."""
    directives = (
        ("default-src", "'none'"),
        ("script-src", "'self'", *stripe.script_src),
        ("style-src", "'self'"),
        ("img-src", "'self'", "https:", "data:"),
        ("connect-src", "'self'", *stripe.connect_src),
        ("frame-src", *stripe.frame_src),
        ("font-src", "'self'"),
        ("base-uri", "'none'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
    )
    return "; ".join(" ".join(directive) for directive in directives if len(directive) > 1)


@functools.lru_cache(maxsize=1)
def _security() -> Dict[str, str]:
    # (nosniff, HSTS and framing refusal come with every answer: chalicelib/http/middleware.py)
    return {"Content-Security-Policy": policy(_stripe_js()), "Referrer-Policy": "no-referrer"}


def _stripe_js() -> StripeJs:
    return stripe_js.for_api(settings.get().stripe_api_base)


@route(bp, "/", "GET", "The storefront page", public=True, produces=("text/html",), errors=(304,))
def page(request):
    body, tag = _page()
    return _answer(request, body, "text/html; charset=utf-8", tag)


@route(
    bp,
    "/static/{name}",
    "GET",
    "A storefront asset (content-hashed name)",
    public=True,
    produces=tuple(t.split(";")[0] for t in TYPES.values()),
    errors=(304, 404),
)
def asset(request, name):
    found = _assets().get(name)
    if found is None:
        raise errors.NotFound(f"asset {name} does not exist")
    body, content_type, tag = found
    return _answer(request, body, content_type, tag)


def _answer(request, body: str, content_type: str, tag: str) -> Response:
    headers: Dict[str, Any] = {"ETag": tag, **NOT_STORED, **_security()}
    if responses.etag_matches(parse.header(request, "If-None-Match"), tag):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=body, status_code=200, headers={"Content-Type": content_type, **headers})


@functools.lru_cache(maxsize=1)
def _assets() -> Dict[str, Tuple[str, str, str]]:
    """hashed name -> (text, content type, ETag), for every file in assets/ but the page itself; the modules with
    their imports rewritten to the hashed names of what they import (modules.py)."""
    files = {p.name: p.read_text() for p in sorted(ASSETS.iterdir()) if p.suffix in TYPES}
    scripts = modules.hashed({n: t for n, t in files.items() if n.endswith(".js")}, _hashed_name)
    served = {}
    for name, text in files.items():
        hashed_name, text = scripts.get(name) or (_hashed_name(name, text), text)
        served[hashed_name] = (
            text,
            TYPES[pathlib.Path(name).suffix],
            responses.etag_of(text.encode()),
        )
    return served


def _hashed_name(name: str, text: str) -> str:
    """`app.js` -> `app.3f2a9c1b04de.js`: the first 12 hex digits of its ETag, that of the text as served."""
    path = pathlib.Path(name)
    return f"{path.stem}.{responses.etag_of(text.encode())[1:13]}{path.suffix}"


@functools.lru_cache(maxsize=1)
def _page() -> Tuple[str, str]:
    shop = settings.get()
    return render(_stripe_js(), shop.stripe_publishable_key, shop.currency)


def render(stripe: StripeJs, publishable_key: str, currency: str) -> Tuple[str, str]:
    """The page and its ETag: the assets' hashed names, the currency, and Stripe.js's URL and key."""
    html = (ASSETS / "index.html").read_text()
    for hashed in _assets():
        stem, _, suffix = hashed.split(".")
        html = html.replace(f"/static/{stem}.{suffix}", f"/static/{hashed}")
    preloads = [h for h in _assets() if h.endswith(".js") and not h.startswith("app.")]
    html = html.replace(
        "<!-- modulepreload -->",
        "\n  ".join(f'<link rel="modulepreload" href="/static/{h}">' for h in preloads),
    )
    for name, value in (
        ("currency_prefix", display.currency_prefix(currency)),
        ("currency", currency),
        ("stripe_js", stripe.script),
        ("stripe_key", publishable_key),
        ("card_input", "test-cards" if stripe.test_cards else "stripe-elements"),
    ):
        html = html.replace("{{%s}}" % name, escape(value))
    return html, responses.etag_of(html.encode())
