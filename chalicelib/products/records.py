"""The products table's item kinds as PynamoDB models (private to the products package).

- a product: `id`, its fields, `listed = "product"` (the `catalog` index, every product in id order) and
  `category` (the `by_category` index); both indexes project what a page shows but not `stock`, so a sale
  writes no index.
- a flash-sale stock bucket: `id = <product id>#<n>`, with `stock` and a copy of the price, so an order
  checks and takes one bucket and never touches the product's own item.
- a category's product count: `id = category#<name>`, `tally = "category"` (the `category_counts` index),
  changed in the same transaction as the product write that changes it (admin writes only).
"""

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.products.model import Product

LISTED = "product"
TALLY = "category"
PAGE_FIELDS = [
    "kind",
    "name",
    "description",
    "price_cents",
    "image_url",
    "created_at",
    "updated_at",
    "flash_sale",
]


class CatalogItem(Model):
    class Meta:
        table_name = "products"

    table_setting = "products_table"  # the setting that names its table

    id = UnicodeAttribute(hash_key=True)
    kind = DiscriminatorAttribute()


class CatalogIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "catalog"
        projection = IncludeProjection(["category"] + PAGE_FIELDS)

    listed = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class CategoryIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_category"
        projection = IncludeProjection(PAGE_FIELDS)

    category = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class ProductRecord(CatalogItem, discriminator="product"):
    listed = UnicodeAttribute(default=LISTED)
    category = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    price_cents = NumberAttribute()
    stock = NumberAttribute(default=0)
    image_url = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    flash_sale = BooleanAttribute(default=False)
    revision = NumberAttribute(default=0)

    catalog = CatalogIndex()
    by_category = CategoryIndex()


class BucketRecord(CatalogItem, discriminator="bucket"):
    product_id = UnicodeAttribute()
    price_cents = NumberAttribute()
    stock = NumberAttribute(default=0)


class CountIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "category_counts"
        projection = AllProjection()

    tally = UnicodeAttribute(hash_key=True)
    category_name = UnicodeAttribute(range_key=True)


class CategoryRecord(CatalogItem, discriminator="category"):
    tally = UnicodeAttribute(default=TALLY)
    category_name = UnicodeAttribute()
    product_count = NumberAttribute(default=0)

    counts = CountIndex()


MODELS = (CatalogItem,)


def bucket_id(product_id: str, bucket: int) -> str:
    return f"{product_id}#{bucket}"


def category_id(category: str) -> str:
    return f"category#{category}"


def record_of(product: Product) -> ProductRecord:
    return ProductRecord(
        product.id,
        category=product.category,
        name=product.name,
        description=product.description,
        price_cents=product.price_cents,
        stock=0 if product.flash_sale else product.stock,
        image_url=product.image_url,
        created_at=product.created_at,
        updated_at=product.updated_at,
        flash_sale=product.flash_sale,
        revision=product.revision,
    )


def product_of(record: ProductRecord, stock: int) -> Product:
    return Product(
        id=record.id,
        name=record.name,
        description=record.description or "",
        category=record.category,
        price_cents=int(record.price_cents),
        stock=stock,
        image_url=record.image_url,
        created_at=record.created_at,
        updated_at=record.updated_at,
        flash_sale=bool(record.flash_sale),
        revision=int(record.revision or 0),
    )
