"""The composition root: each blueprint's service is built from the root's parts, and a test can give any part."""

from chalicelib import ids
from tests.unit import fakes


def test_the_composition_root_builds_the_services_from_the_parts_it_is_given(client):
    """A fresh root with a fake catalog: the products service built meanwhile reads it; the rest stays real."""
    from chalicelib import bootstrap
    from chalicelib.products.model import Product

    shop = fakes.FakeShop()
    fake = fakes.FakeCatalog(shop)
    product = Product(ids.new_id(), "Fake Stool", "", "fakes", 700, 3, None, "t", "t")
    fake.add(product)
    with bootstrap.replaced(catalog=fake) as parts:
        answer = client.http.get(f"/products/{product.id}", headers={"Cache-Control": "no-cache"})
        assert answer.status_code == 200 and b"Fake Stool" in answer.body
        assert parts.products is bootstrap.services().products  # built once, then kept
    assert (
        client.http.get(
            f"/products/{product.id}", headers={"Cache-Control": "no-cache"}
        ).status_code
        == 404
    )


def test_no_route_reaches_into_the_composition_root_but_through_its_blueprints_accessor():
    """Each blueprint reads its ready-made service in one accessor (a function that only returns it); a route
    names no collaborator of it. Every module that defines a blueprint is held to it, whatever its name."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "chalicelib"
    blueprints = [m for m in root.glob("**/*.py") if "Blueprint(" in m.read_text()]
    assert {"routes.py", "system.py", "auth.py"} <= {m.name for m in blueprints}
    for module in blueprints:
        source = module.read_text()
        reaching = [
            f
            for f in ast.walk(ast.parse(source))
            if isinstance(f, ast.FunctionDef) and "bootstrap.services()" in ast.unparse(f)
        ]
        where = str(module.relative_to(root))
        assert source.count("bootstrap.services()") <= 1, where
        for accessor in reaching:
            body = [s for s in accessor.body if not isinstance(s, ast.Expr)]  # less its docstring
            assert not accessor.decorator_list, (where, accessor.name)
            assert len(body) == 1 and isinstance(body[0], ast.Return), (where, accessor.name)
