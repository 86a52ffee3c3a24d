"""The cart and orders: checkout, history, and the lifecycle moves."""
import hashlib
import json
from typing import Annotated, List, Optional

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap, errors, ids, observability, settings
from chalicelib.http import cursors, responses
from chalicelib.http import request as parse
from chalicelib.http.routing import route
from chalicelib.orders import service
from chalicelib.orders.model import MAX_LINES, MAX_QUANTITY, STATUSES, OutOfStock

bp = Blueprint(__name__)

Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]
ProductId = Annotated[str, msgspec.Meta(pattern=ids.PATTERN, description="a product id")]


class CartQuantity(msgspec.Struct, forbid_unknown_fields=True):
    quantity: Quantity


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: ProductId
    quantity: Quantity


class NewOrder(msgspec.Struct, forbid_unknown_fields=True):
    """`{}` orders the cart; `items` orders these lines (the same product twice is merged)."""
    items: Optional[Annotated[List[LineIn], msgspec.Meta(min_length=1, max_length=MAX_LINES)]] = None


class LineOut(msgspec.Struct):
    product_id: str
    name: str
    unit_price_cents: int
    quantity: int
    line_total_cents: int


class CartOut(msgspec.Struct):
    items: List[LineOut]
    total_cents: int
    currency: str


class OrderOut(msgspec.Struct):
    id: str
    user_id: str
    status: str
    items: List[LineOut]
    total_cents: int
    currency: str
    created_at: str
    updated_at: str


class OrderPage(msgspec.Struct):
    items: List[OrderOut]
    next_cursor: Optional[str]


PAGING = (("limit", "limit"), ("cursor", "cursor"))
OFFERS = "dynamodb:BatchGetItem:products"
CART = "dynamodb:GetItem:carts", "dynamodb:UpdateItem:carts", "dynamodb:PutItem:carts"


@route(bp, "/cart", "GET", "The caller's cart at current prices", response=CartOut,
       needs=("dynamodb:GetItem:carts", OFFERS))
def get_cart(request, caller):
    cart = service.view_cart(caller.user_id, carts=_services().carts, catalog=_services().catalog,
                             offers=_services().offers)
    return responses.answer(_cart(cart))


@route(bp, "/cart/items/{product_id}", "PUT", "Put a product into the cart (at most 50 different products)",
       request=CartQuantity, response=CartOut, errors=(400, 404), needs=CART + (OFFERS,))
def put_cart_item(request, product_id, form, caller):
    cart = service.set_cart_quantity(caller.user_id, product_id, form.quantity, carts=_services().carts,
                                     catalog=_services().catalog, offers=_services().offers)
    return responses.answer(_cart(cart))


@route(bp, "/cart/items/{product_id}", "DELETE", "Take a product out of the cart", response=CartOut,
       needs=("dynamodb:UpdateItem:carts", "dynamodb:GetItem:carts", OFFERS))
def delete_cart_item(request, product_id, caller):
    cart = service.remove_from_cart(caller.user_id, product_id, carts=_services().carts,
                                    catalog=_services().catalog, offers=_services().offers)
    return responses.answer(_cart(cart))


@route(bp, "/cart", "DELETE", "Empty the cart", status=204, needs=("dynamodb:UpdateItem:carts",))
def delete_cart(request, caller):
    service.empty_cart(caller.user_id, carts=_services().carts)
    return responses.no_content()


@route(bp, "/orders", "POST", "Place an order from the cart or from explicit lines", request=NewOrder,
       response=OrderOut, status=201, errors=(400, 409, 422, 503),
       headers=(("Idempotency-Key", "idempotency-key"),),
       needs=("dynamodb:BatchGetItem:orders,carts,products", "dynamodb:UpdateItem:carts", "dynamodb:PutItem:orders",
              "dynamodb:UpdateItem:products(flash_sale,id,listed,price_cents,stock)"))
def place_order(request, form, caller):
    requested = None if form.items is None else [(line.product_id, line.quantity) for line in form.items]
    parts = _services()
    try:
        order, replayed = service.place_order(caller.user_id, requested, _idempotency_key(request),
                                              _body_hash(form), checkout=parts.checkout, catalog=parts.catalog,
                                              stock=parts.stock, offers=parts.offers, cache=parts.warm_cache,
                                              rotation=parts.rotation)
    except OutOfStock:
        observability.count("OutOfStock")
        raise
    observability.count("OrderReplayed" if replayed else "OrderPlaced")
    return responses.answer(_order(order), status=201)


@route(bp, "/orders", "GET", "The caller's orders, newest first", response=OrderPage, errors=(400,),
       query=PAGING, needs=("dynamodb:Query:orders", "secretsmanager:GetSecretValue"))
def list_orders(request, caller):
    scope = f"orders:user:{caller.user_id}"
    orders, after = service.list_orders(caller.user_id, parse.limit(request), cursors.page_position(request, scope),
                                        orders=_services().orders)
    return responses.answer(_page(orders, after, scope))


@route(bp, "/orders/{order_id}", "GET", "One order (the caller's own; admins see all)", response=OrderOut,
       errors=(404,), needs=("dynamodb:GetItem:orders",))
def get_order(request, order_id, caller):
    order = service.get_order(order_id, caller.user_id, caller.is_admin, orders=_services().orders)
    return responses.answer(_order(order))


@route(bp, "/orders/{order_id}/cancel", "POST", "Cancel a PLACED order and return its stock",
       response=OrderOut, errors=(404, 409, 503),
       needs=("dynamodb:GetItem:orders", OFFERS, "dynamodb:UpdateItem:orders",
              "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)"))
def cancel_order(request, order_id, caller):
    parts = _services()
    order = service.cancel_order(order_id, caller.user_id, caller.is_admin, orders=parts.orders, checkout=parts.checkout,
                                 catalog=parts.catalog, offers=parts.offers, cache=parts.warm_cache)
    observability.count("OrderCancelled")
    return responses.answer(_order(order))


@route(bp, "/orders/{order_id}/ship", "POST", "Ship a PLACED order", admin=True, response=OrderOut,
       errors=(404, 409), needs=("dynamodb:UpdateItem:orders", "dynamodb:GetItem:orders"))
def ship_order(request, order_id):
    return responses.answer(_order(service.advance_order(order_id, "ship", orders=_services().orders)))


@route(bp, "/orders/{order_id}/deliver", "POST", "Mark a SHIPPED order delivered", admin=True,
       response=OrderOut, errors=(404, 409), needs=("dynamodb:UpdateItem:orders", "dynamodb:GetItem:orders"))
def deliver_order(request, order_id):
    return responses.answer(_order(service.advance_order(order_id, "deliver", orders=_services().orders)))


@route(bp, "/admin/orders", "GET", "All users' orders, newest first, of one status when given", admin=True,
       response=OrderPage, errors=(400,), query=(("status", "enum:" + ",".join(STATUSES)),) + PAGING,
       needs=("dynamodb:Query:orders", "dynamodb:BatchGetItem:orders", "secretsmanager:GetSecretValue"))
def list_all_orders(request):
    status = parse.query(request, "status")
    if status is not None and status not in STATUSES:
        raise errors.InvalidInput(f"query parameter `status`: one of {', '.join(STATUSES)}")
    scope = f"orders:status:{status or '*'}"
    orders, after = service.list_all_orders(status, parse.limit(request), cursors.page_position(request, scope),
                                            orders=_services().orders)
    return responses.answer(_page(orders, after, scope))


def _services():
    return bootstrap.services()


def _idempotency_key(request) -> Optional[str]:
    key = parse.header(request, "Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 255 and all(" " <= c <= "~" for c in key)):
        raise errors.InvalidInput("header `Idempotency-Key`: 1 to 255 printable ASCII characters")
    return key


def _body_hash(form: NewOrder) -> str:
    canonical = json.dumps(msgspec.to_builtins(form), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _page(orders, after, scope: str) -> OrderPage:
    return OrderPage([_order(o) for o in orders], cursors.next_cursor(scope, after))


def _lines(lines) -> List[LineOut]:
    return [LineOut(l.product_id, l.name, l.unit_price_cents, l.quantity, l.line_total_cents) for l in lines]


def _cart(cart) -> CartOut:
    return CartOut(_lines(cart.lines), cart.total_cents, settings.get().currency)


def _order(order) -> OrderOut:
    return OrderOut(order.id, order.user_id, order.status, _lines(order.lines), order.total_cents,
                    settings.get().currency, order.created_at, order.updated_at)
