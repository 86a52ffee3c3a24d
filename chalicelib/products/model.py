"""Products, their stock and their rules; standard library only.

A flash-sale product keeps its stock in FLASH_BUCKETS items of its own, each with its own `stock >= q`
condition, so orders spread over many partition keys instead of queueing on one (see docs/design.md, "Flash sales").
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Mapping, Optional

from chalicelib import errors, text

CATEGORY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IMAGE_URL = re.compile(r"^https://[^\s/$.?#][^\s]*$")
MAX_NAME = 200
MAX_CATEGORY = 50
MAX_DESCRIPTION = 5000
MAX_IMAGE_URL = 2048
MAX_PRICE_CENTS = 100_000_000
MAX_STOCK = 1_000_000_000
# a bucket takes 2 WCU per order (a transactional write of an item under 1 KB) and a partition key 1,000 WCU/s:
# 24 buckets carry 12,000 orders/s of one product; a product read is one BatchGetItem of 1 + 24 keys
FLASH_BUCKETS = 24


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
    flash_sale: bool = False
    revision: int = 0

    def changed(self, changes: Mapping[str, Any], at: str) -> "Product":
        """The product with the named changes; only the named fields are checked (a stock above the cap that
        cancellations returned stays sellable). `stock_delta` adds to the stock as it is now."""
        fields = dict(changes)
        delta = fields.pop("stock_delta", None)
        check_fields(fields)
        if delta is not None:
            if "stock" in fields:
                raise errors.InvalidInput("give either `stock` or `stock_delta`, not both")
            if delta == 0:
                raise errors.InvalidInput("field `stock_delta`: a non-zero integer")
            if self.stock + delta < 0:
                raise errors.Conflict(
                    f"product {self.id} has {self.stock} in stock; cannot take {-delta}"
                )
            # an admin's own limit (returns may pass it)
            if delta > 0 and self.stock + delta > MAX_STOCK:
                raise errors.InvalidInput(f"field `stock_delta`: the stock would pass {MAX_STOCK}")
            fields["stock"] = self.stock + delta
        return replace(self, **fields, updated_at=at, revision=self.revision + 1)

    @property
    def offer(self) -> "Offer":
        return Offer(self.id, self.name, self.price_cents, self.flash_sale)


@dataclass(frozen=True)
class Current:
    """A product as read for a change: with each flash-sale bucket's stock (none when not on flash sale)."""

    product: Product
    levels: Dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Offer:
    """What a cart and a checkout need of a product: cacheable, since the checkout's conditions check the price."""

    id: str
    name: str
    price_cents: int
    flash_sale: bool = False


@dataclass(frozen=True)
class Category:
    name: str
    product_count: int


def check(product: Product) -> Product:
    """Every rule a new product must keep; violations name the field."""
    fields = {
        f: getattr(product, f)
        for f in ("name", "category", "price_cents", "stock", "description", "image_url")
    }
    return replace(product, **check_fields(fields))


def check_fields(fields: Dict[str, Any]) -> Dict[str, Any]:
    """Check the named fields (only those) and return them normalised."""
    for name, value in fields.items():
        _RULES[name](value)
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
    return fields


def _name(value) -> None:
    if not 1 <= len(text.require_printable("name", value).strip()) <= MAX_NAME:
        raise errors.InvalidInput(f"field `name`: 1 to {MAX_NAME} characters (not blank)")


def _category(value) -> None:
    if not (1 <= len(value) <= MAX_CATEGORY and CATEGORY.match(value)):
        raise errors.InvalidInput(
            f"field `category`: a lower-case slug of 1 to {MAX_CATEGORY} characters (a-z, 0-9, -)"
        )


def _price(value) -> None:
    if not 0 <= value <= MAX_PRICE_CENTS:
        raise errors.InvalidInput(f"field `price_cents`: an integer from 0 to {MAX_PRICE_CENTS}")


def _stock(value) -> None:
    if not 0 <= value <= MAX_STOCK:
        raise errors.InvalidInput(f"field `stock`: an integer from 0 to {MAX_STOCK}")


def _description(value) -> None:
    if len(value) > MAX_DESCRIPTION:
        raise errors.InvalidInput(f"field `description`: at most {MAX_DESCRIPTION} characters")
    text.require_text("description", value)


def _image_url(value) -> None:
    if value is not None and not (len(value) <= MAX_IMAGE_URL and IMAGE_URL.match(value)):
        raise errors.InvalidInput("field `image_url`: an https:// URL")
    if value is not None:
        text.require_printable("image_url", value)


_RULES = {
    "name": _name,
    "category": _category,
    "price_cents": _price,
    "stock": _stock,
    "description": _description,
    "image_url": _image_url,
    "flash_sale": lambda value: None,
}
