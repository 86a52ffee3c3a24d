"""The composition root: every part is a typed attribute of bootstrap.services(), and can be replaced one by one."""
from chalicelib import ids
from tests.unit import fakes


def test_the_composition_root_takes_a_fake_part_by_part(client):
    """Tests (and anything else) assign their own parts to bootstrap.services(); the rest stays real."""
    from chalicelib import bootstrap
    from chalicelib.products.model import Product
    parts = bootstrap.services()
    real_catalog, shop = parts.catalog, fakes.FakeShop()
    fake = fakes.FakeCatalog(shop)
    product = Product(ids.new_id(), "Fake Stool", "", "fakes", 700, 3, None, "t", "t")
    fake.add(product)
    parts.catalog = fake
    try:
        answer = client.http.get(f"/products/{product.id}", headers={"Cache-Control": "no-cache"})
        assert answer.status_code == 200 and b"Fake Stool" in answer.body
    finally:
        parts.catalog = real_catalog
    assert client.http.get(f"/products/{product.id}", headers={"Cache-Control": "no-cache"}).status_code == 404
