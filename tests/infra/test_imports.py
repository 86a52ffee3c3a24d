"""Every module imports on its own, in a fresh interpreter: no import cycle hides behind an import order that
happens to work, and none dodges one with an import inside a function."""

import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = ["app"] + sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "chalicelib").rglob("*.py")
)


def _imports(module: str):
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True
    )
    return module, result.returncode, result.stderr[-600:]


def test_every_module_imports_alone_in_a_fresh_interpreter():
    assert len(MODULES) > 40
    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = {module: error for module, code, error in pool.map(_imports, MODULES) if code}
    assert failed == {}


@pytest.mark.parametrize("path", sorted((ROOT / "chalicelib").rglob("*.py")), ids=lambda p: p.name)
def test_no_module_is_longer_than_about_250_lines(path):
    # about 200 at 120 columns before `ruff format` (100 columns) gave each module a fifth more lines
    assert len(path.read_text().splitlines()) <= 280, path


# a package reaches another's data only through what that package hands it (ports, events, domain values)
BOUNDARIES = {
    "chalicelib/notifications": ("chalicelib.orders.repository", "chalicelib.orders.records"),
    "chalicelib/orders": (
        "chalicelib.products.records",
        "chalicelib.products.repository",
        "chalicelib.products.stock",
    ),
}


@pytest.mark.parametrize("package", sorted(BOUNDARIES))
def test_no_package_imports_another_packages_storage(package):
    import ast

    crossing = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            crossing += [(path.name, n) for n in names if n.startswith(BOUNDARIES[package])]
    assert crossing == []
