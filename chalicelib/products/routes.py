"""The catalog: products and categories, cacheable reads, admin writes."""

from typing import Annotated, List, Optional, Union

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap, errors, settings
from chalicelib.http import cursors, responses
from chalicelib.http import request as parse
from chalicelib.http.routing import route
from chalicelib.paging import PageRequest
from chalicelib.products.service import Precondition, Products
from chalicelib.products.model import (
    CATEGORY,
    IMAGE_URL,
    MAX_CATEGORY,
    MAX_DESCRIPTION,
    MAX_IMAGE_URL,
    MAX_NAME,
    MAX_PRICE_CENTS,
    MAX_STOCK,
)

bp = Blueprint(__name__)

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME)]
CategoryName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_CATEGORY, pattern=CATEGORY.pattern)
]
Price = Annotated[int, msgspec.Meta(ge=0, le=MAX_PRICE_CENTS)]
Stock = Annotated[int, msgspec.Meta(ge=0, le=MAX_STOCK)]
StockDelta = Annotated[
    int, msgspec.Meta(ge=-MAX_STOCK, le=MAX_STOCK, description="non-zero: units to add (or take)")
]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION)]
ImageUrl = Annotated[str, msgspec.Meta(max_length=MAX_IMAGE_URL, pattern=IMAGE_URL.pattern)]
UNSET = msgspec.UNSET


class NewProduct(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    category: CategoryName
    price_cents: Price
    stock: Stock = 0
    description: Description = ""
    image_url: Optional[ImageUrl] = None
    flash_sale: bool = False


class ProductChanges(msgspec.Struct, forbid_unknown_fields=True):
    """Any subset of the writable fields (`image_url: null` removes the image); `stock_delta` instead of `stock`
    changes the stock as it is when the change is written. Fields not named are left as they are."""

    name: Union[Name, msgspec.UnsetType] = UNSET
    category: Union[CategoryName, msgspec.UnsetType] = UNSET
    price_cents: Union[Price, msgspec.UnsetType] = UNSET
    stock: Union[Stock, msgspec.UnsetType] = UNSET
    stock_delta: Union[StockDelta, msgspec.UnsetType] = UNSET
    description: Union[Description, msgspec.UnsetType] = UNSET
    image_url: Union[Optional[ImageUrl], msgspec.UnsetType] = UNSET
    flash_sale: Union[bool, msgspec.UnsetType] = UNSET


class ProductOut(msgspec.Struct):
    id: str
    name: str
    description: str
    category: str
    price_cents: int
    currency: str
    stock: int
    flash_sale: bool
    image_url: Optional[str]
    created_at: str
    updated_at: str


class ProductPage(msgspec.Struct):
    items: List[ProductOut]
    next_cursor: Optional[str]


class CategoryOut(msgspec.Struct):
    name: str
    product_count: int


class CategoryList(msgspec.Struct):
    items: List[CategoryOut]


PAGING = (("limit", "limit"), ("cursor", "cursor"))
READ_STOCK = "dynamodb:BatchGetItem:products"
# one product: GetItem, and for one on flash sale its buckets by BatchGetItem
READ_ONE = ("dynamodb:GetItem:products", READ_STOCK)


@route(
    bp,
    "/products",
    "GET",
    "A page of products, of one category when given",
    public=True,
    response=ProductPage,
    errors=(400,),
    cacheable=True,
    query=(("category", "pattern:" + CATEGORY.pattern),) + PAGING,
    needs=("dynamodb:Query:products", READ_STOCK, "secretsmanager:GetSecretValue:cursor-key"),
)
def list_products(request):
    category = parse.query(request, "category")
    if category is not None and not (len(category) <= 50 and CATEGORY.fullmatch(category)):
        raise errors.InvalidInput(
            "query parameter `category`: a lower-case slug of 1 to 50 characters (a-z, 0-9, -)"
        )
    scope = f"products:{category or '*'}"
    position = cursors.page_position(request, scope)
    page = PageRequest(parse.limit(request), position and position.get("id"))
    items, after = products().page(category, page, fresh=parse.wants_fresh(request))
    return _cached(
        request,
        ProductPage(
            [_out(p) for p in items], cursors.next_cursor(scope, {"id": after} if after else None)
        ),
    )


@route(
    bp,
    "/products/{product_id}",
    "GET",
    "One product",
    public=True,
    response=ProductOut,
    errors=(404,),
    cacheable=True,
    needs=READ_ONE,
)
def get_product(request, product_id):
    return _cached(request, _out(products().get(product_id, fresh=parse.wants_fresh(request))))


@route(
    bp,
    "/categories",
    "GET",
    "Categories with their product counts",
    public=True,
    response=CategoryList,
    cacheable=True,
    needs=("dynamodb:Query:products",),
)
def list_categories(request):
    categories = products().categories(fresh=parse.wants_fresh(request))
    return _cached(
        request, CategoryList([CategoryOut(c.name, c.product_count) for c in categories])
    )


WRITES = (
    "dynamodb:PutItem:products",
    "dynamodb:UpdateItem:products",
    "dynamodb:DeleteItem:products",
)


@route(
    bp,
    "/products",
    "POST",
    "Add a product",
    admin=True,
    request=NewProduct,
    response=ProductOut,
    status=201,
    errors=(400,),
    needs=WRITES,
)
def create_product(request, form):
    product = products().create(msgspec.structs.asdict(form))
    return responses.answer(_out(product), status=201)


@route(
    bp,
    "/products/{product_id}",
    "PATCH",
    "Change some of a product's fields",
    admin=True,
    request=ProductChanges,
    response=ProductOut,
    errors=(400, 404, 409, 412),
    headers=(("If-Match", "if-match"),),
    needs=READ_ONE + WRITES,
)
def update_product(request, product_id, form):
    changes = {k: v for k, v in msgspec.structs.asdict(form).items() if v is not UNSET}
    product = products().update(product_id, changes, if_match=_if_match(request))
    out = _out(product)
    return responses.answer(out, headers={"ETag": responses.etag_of(msgspec.json.encode(out))})


@route(
    bp,
    "/products/{product_id}",
    "DELETE",
    "Remove a product from the catalog",
    admin=True,
    status=204,
    errors=(404, 409),
    needs=READ_ONE + WRITES,
)
def delete_product(request, product_id):
    products().delete(product_id)
    return responses.no_content()


def products() -> Products:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().products


def _if_match(request) -> Optional[Precondition]:
    """`If-Match: <ETag>[, <ETag>...]` or `*`: a test of the product as it is now (strong comparison)."""
    given = parse.header(request, "If-Match")
    if given is None:
        return None
    tags = {tag.strip() for tag in given.split(",")}
    return lambda product: (
        "*" in tags or responses.etag_of(msgspec.json.encode(_out(product))) in tags
    )


def _cached(request, payload):
    return responses.cached(request, payload, settings.get().cache_max_age_seconds)


def _out(product) -> ProductOut:
    return ProductOut(
        id=product.id,
        name=product.name,
        description=product.description,
        category=product.category,
        price_cents=product.price_cents,
        currency=settings.get().currency,
        stock=product.stock,
        flash_sale=product.flash_sale,
        image_url=product.image_url,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )
