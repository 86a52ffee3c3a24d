"""Review attacks on the storefront's modules under hashed names (storefront/modules.py, routes.py): the preloads
name exactly what the entry imports, revalidation answers 304 only for the module's own ETag, wrong names are 404s
(never a 500 or a file outside the assets), and the policy lets every module load."""

import re
from urllib.parse import quote

import pytest

MODULE = re.compile(r"[\w-]+\.[0-9a-f]{12}\.js")


def _page(anonymous):
    page = anonymous.get("/")
    assert page.status_code == 200
    return page, page.body.decode()


def _entry_and_preloads(html):
    (entry,) = re.findall(r'<script type="module" src="/static/([\w.-]+)"', html)
    preloads = re.findall(r'<link rel="modulepreload" href="/static/([\w.-]+)">', html)
    return entry, preloads


def _reached(anonymous, entry):
    """Every module the entry reaches through its imports, the entry left out."""
    seen, waiting = set(), [entry]
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        module = anonymous.get(f"/static/{name}")
        assert module.status_code == 200, name
        waiting += re.findall(
            r'^(?:import|export)[^"\n]*"\./([\w.-]+)";$', module.body.decode(), re.MULTILINE
        )
    return seen - {entry}


def test_the_page_preloads_every_module_the_entry_reaches_once_and_no_other(anonymous):
    _, html = _page(anonymous)
    entry, preloads = _entry_and_preloads(html)
    assert MODULE.fullmatch(entry) and entry.startswith("app.")
    assert len(preloads) == len(set(preloads)) and entry not in preloads
    assert all(MODULE.fullmatch(name) for name in preloads), preloads
    assert set(preloads) == _reached(anonymous, entry)


def test_a_module_revalidates_on_its_own_etag_only(anonymous):
    _, html = _page(anonymous)
    entry, preloads = _entry_and_preloads(html)
    first, other = (anonymous.get(f"/static/{n}") for n in (entry, preloads[0]))
    tag = first.headers["ETag"]
    assert tag != other.headers["ETag"] and tag[1:13] == entry.split(".")[1]
    for given in (tag, f"W/{tag}", f'"nope", {tag}', "*"):
        again = anonymous.get(f"/static/{entry}", headers={"If-None-Match": given})
        assert again.status_code == 304 and again.body in (b"", ""), given
        assert again.headers["ETag"] == tag
        assert again.headers["Cache-Control"] == "no-store"
    for given in (other.headers["ETag"], tag.strip('"'), '"' + "0" * 32 + '"', ""):
        again = anonymous.get(f"/static/{entry}", headers={"If-None-Match": given})
        assert again.status_code == 200 and again.body == first.body, given


@pytest.mark.parametrize(
    "name",
    [
        "app.js",
        "app.000000000000.js",
        "APP.{hash}.js",
        "app.{hash}.js.map",
        "app.{hash}",
        "index.html",
        "modules.py",
        "..",
        "..%2F..%2Fapp.py",
        "%2e%2e%2frepository.py",
        "..\\app.py",
        "app.{hash}.js%00",
        "\u00e4pp.{hash}.js",
        "x" * 3000,
    ],
)
def test_wrong_asset_names_are_404(anonymous, name):
    _, html = _page(anonymous)
    entry, _ = _entry_and_preloads(html)
    name = name.replace("{hash}", entry.split(".")[1])
    answer = anonymous.get(f"/static/{quote(name, safe='%')}")
    assert answer.status_code == 404, (name, answer.status_code)
    assert b"import" not in (
        answer.body if isinstance(answer.body, bytes) else answer.body.encode()
    )


def test_the_policy_lets_the_page_load_its_modules_and_nothing_inline(anonymous):
    page, html = _page(anonymous)
    policy = {
        d.split()[0]: d.split()[1:] for d in page.headers["Content-Security-Policy"].split("; ")
    }
    assert "'self'" in policy["script-src"]
    assert not any("unsafe" in s for s in policy["script-src"] + policy["style-src"])
    # every script and preload is same-origin but Stripe.js's, which the policy names
    for src in re.findall(r'<script[^>]*src="([^"]+)"', html):
        assert src.startswith("/static/") or any(
            src.startswith(origin) for origin in policy["script-src"] if origin != "'self'"
        ), src
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert " style=" not in html  # no inline style either
    entry, _ = _entry_and_preloads(html)
    module = anonymous.get(f"/static/{entry}")
    assert module.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert module.headers["X-Content-Type-Options"] == "nosniff"
