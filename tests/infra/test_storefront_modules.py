"""The storefront's ES modules: small, each served under a name that changes whenever it or anything it imports
changes, every import naming a module the server serves, and the entry naming them all (a first visit fetches
them in one round after it). A module the server cannot rewrite is refused when the assets load."""

import re
import shutil

import pytest

from chalicelib.storefront import modules, routes, stripe_js

SCRIPTS = sorted(routes.ASSETS.glob("*.js"))
ENTRY = "app.js"
HASHED = re.compile(r"([\w-]+)\.[0-9a-f]{12}\.(\w+)")


@pytest.fixture
def assets(tmp_path, monkeypatch):
    """A copy of assets/ that the server serves instead, to change; its caches emptied before and after."""
    copy = tmp_path / "assets"
    shutil.copytree(routes.ASSETS, copy)
    monkeypatch.setattr(routes, "ASSETS", copy)
    routes._assets.cache_clear()
    yield copy
    routes._assets.cache_clear()


def _served() -> dict:
    """file name (`api.js`) -> (hashed name, text as served)"""
    return {_file(hashed): (hashed, text) for hashed, (text, _, _) in routes._assets().items()}


def _file(hashed: str) -> str:
    match = HASHED.fullmatch(hashed)
    assert match, hashed
    return f"{match.group(1)}.{match.group(2)}"


def _entry_in_page() -> str:
    html, _ = routes.render(stripe_js.for_api(""), "pk_test_storefront", "USD")
    (entry,) = re.findall(r'<script type="module" src="/static/([^"]+)"', html)
    return entry


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_no_storefront_module_is_longer_than_250_lines(path):
    assert len(path.read_text().splitlines()) <= 250, path.name


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_no_storefront_function_is_longer_than_40_lines(path):
    # top-level functions (the style here: `function` at the start of a line, its `}` too); the admin page was 137
    lines = path.read_text().splitlines()
    starts = [
        i
        for i, line in enumerate(lines)
        if re.match(r"(export )?(async )?function ", line) and not line.endswith("}")
    ]
    for start in starts:
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("}"))
        assert end - start + 1 <= 40, f"{path.name}:{start + 1} {lines[start]}"


def test_the_storefront_is_modules_and_the_page_names_the_entry_by_its_hashed_name():
    assert len(SCRIPTS) >= 10 and (routes.ASSETS / ENTRY).exists()
    served = _served()
    assert _entry_in_page() == served[ENTRY][0]
    assert all(
        t == "text/javascript; charset=utf-8"
        for n, (_, t, _) in routes._assets().items()
        if n.endswith(".js")
    )


def test_every_hashed_import_resolves_to_an_asset_the_server_serves():
    assets = routes._assets()
    seen, waiting = set(), [_entry_in_page()]
    while waiting:
        name = waiting.pop()
        seen.add(name)
        text = assets[name][0]  # KeyError: an import the server would answer 404
        names = modules.served_imports(text)
        assert len(names) == text.count('from "./') + text.count('import "./'), name  # none missed
        waiting += [n for n in names if n not in seen]
        assert all(n in assets for n in names), name
    assert {_file(n) for n in seen} == {
        p.name for p in SCRIPTS
    }  # every module reached: none left out


def test_the_entry_imports_every_module_so_a_first_visit_fetches_them_in_one_round():
    text = (routes.ASSETS / ENTRY).read_text()
    assert set(modules.imports(ENTRY, text)) == {p.name for p in SCRIPTS} - {ENTRY}


def test_the_page_preloads_every_module_beside_the_entry_so_a_first_visit_takes_one_round():
    html, _ = routes.render(stripe_js.for_api(""), "pk_test_storefront", "USD")
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', html)
    served = _served()
    assert sorted(preloaded) == sorted(
        h for f, (h, _) in served.items() if f.endswith(".js") and f != ENTRY
    )


def test_changing_an_imported_module_renames_its_importers_up_to_the_page_and_nothing_else(assets):
    before = _served()
    entry = _entry_in_page()
    (assets / "format.js").write_text((assets / "format.js").read_text() + "// a change\n")
    routes._assets.cache_clear()
    after = _served()
    renamed = {name for name in before if before[name][0] != after[name][0]}
    # format.js, what imports it (catalog, cart, paying, orders, admin...), theirs (router), up to app.js
    assert {"format.js", "catalog.js", "paying.js", "cart.js", "router.js", ENTRY} <= renamed
    assert {"api.js", "dom.js", "session.js", "errors.js", "style.css"}.isdisjoint(renamed)
    for name in renamed - {"format.js"}:
        assert any(after[dep][0] in after[name][1] for dep in renamed - {name}), name
    assert _entry_in_page() == after[ENTRY][0] != entry


def _hashed(sources):
    return modules.hashed(sources, lambda name, text: f"{name[:-3]}.{len(text):012x}.js")


def test_an_import_cycle_is_refused_when_the_modules_load():
    cycle = {
        "a.js": 'import { b } from "./b.js";\n',
        "b.js": 'import { c } from "./c.js";\n',
        "c.js": 'import "./a.js";\n',
    }
    with pytest.raises(modules.ModuleError, match=r"import cycle: a.js -> b.js -> c.js -> a.js"):
        _hashed(cycle)


@pytest.mark.parametrize(
    "text, refused",
    [
        ('import { x } from "./nowhere.js";\n', "not one of the storefront's modules"),
        ('import { x } from "lodash";\n', "cannot be rewritten"),
        ('import { x } from "https://example.com/x.js";\n', "cannot be rewritten"),
        ('import { x } from "../b.js";\n', "cannot be rewritten"),
        ('import {\n  x,\n} from "./b.js";\n', "cannot be rewritten"),
        ("import { x } from './b.js';\n", "cannot be rewritten"),
        ('export { x } from "b.js";\n', "cannot be rewritten"),
        ('const b = await import("./b.js");\n', "dynamic import"),
    ],
    ids=["unknown", "bare", "url", "parent", "multi-line", "single-quotes", "re-export", "dynamic"],
)
def test_an_import_the_server_cannot_rewrite_is_refused_when_the_modules_load(text, refused):
    with pytest.raises(modules.ModuleError, match=refused):
        _hashed({"a.js": text, "b.js": "export const x = 1;\n"})


def test_the_served_assets_refuse_to_load_with_a_broken_import(assets):
    (assets / "dom.js").write_text(
        'import { x } from "./gone.js";\n' + (assets / "dom.js").read_text()
    )
    with pytest.raises(modules.ModuleError, match="dom.js imports gone.js"):
        routes._assets()


def test_imports_and_re_exports_are_rewritten_and_other_lines_left_alone():
    served = _hashed(
        {
            "a.js": 'import "./b.js";\nimport { x, y as z } from "./b.js";\nexport * from "./b.js";\n'
            'export const from_ = "import from ./b.js";\n',
            "b.js": "export const x = 1, y = 2;\n",
        }
    )
    b = served["b.js"][0]
    assert served["a.js"][1] == (
        f'import "./{b}";\nimport {{ x, y as z }} from "./{b}";\nexport * from "./{b}";\n'
        'export const from_ = "import from ./b.js";\n'
    )
