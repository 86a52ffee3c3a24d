"""Products and their rules; standard library only."""
import re
from dataclasses import dataclass, replace
from typing import Optional

from chalicelib import errors, text

CATEGORY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PRICE_CENTS = 100_000_000
MAX_STOCK = 1_000_000_000


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    description: str
    category: str
    price_cents: int
    stock: int
    image_url: Optional[str]
    created_at: str
    updated_at: str

    def changed(self, changes: dict, at: str) -> "Product":
        return check(replace(self, **changes, updated_at=at))


@dataclass(frozen=True)
class Category:
    name: str
    product_count: int


def check(product: Product) -> Product:
    """Every rule a product must keep, whatever wrote it; violations name the field."""
    name = text.require_printable("name", product.name).strip()
    if not 1 <= len(name) <= 200:
        raise errors.InvalidInput("field `name`: 1 to 200 characters (not blank)")
    if not (1 <= len(product.category) <= 50 and CATEGORY.match(product.category)):
        raise errors.InvalidInput("field `category`: a lower-case slug of 1 to 50 characters (a-z, 0-9, -)")
    if not 0 <= product.price_cents <= MAX_PRICE_CENTS:
        raise errors.InvalidInput(f"field `price_cents`: an integer from 0 to {MAX_PRICE_CENTS}")
    if not 0 <= product.stock <= MAX_STOCK:
        raise errors.InvalidInput(f"field `stock`: an integer from 0 to {MAX_STOCK}")
    if len(product.description) > 5000:
        raise errors.InvalidInput("field `description`: at most 5000 characters")
    if product.image_url is not None and not re.match(r"^https://[^\s/$.?#][^\s]*$", product.image_url):
        raise errors.InvalidInput("field `image_url`: an https:// URL")
    return replace(product, name=name)
