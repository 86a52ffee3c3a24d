"""Orders: checkout, history, and the lifecycle moves."""
import hashlib
import json
from typing import Annotated, List, Optional

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap, errors, observability, settings
from chalicelib.http import cursors, responses
from chalicelib.http import request as parse
from chalicelib.http.request import Caller
from chalicelib.http.routing import route
from chalicelib.orders.commands import CancelOrder, DeliverOrder, IdempotencyKey, PlaceOrder, Requester, ShipOrder
from chalicelib.orders.model import MAX_LINES, STATUSES
from chalicelib.orders.shapes import LineOut, ProductId, Quantity, lines_out
from chalicelib.orders.service import Checkout
from chalicelib.paging import PageRequest
from chalicelib.products.takes import OutOfStock

bp = Blueprint(__name__)


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: ProductId
    quantity: Quantity


class NewOrder(msgspec.Struct, forbid_unknown_fields=True):
    """`{}` orders the cart; `items` orders these lines (the same product twice is merged)."""
    items: Optional[Annotated[List[LineIn], msgspec.Meta(min_length=1, max_length=MAX_LINES)]] = None


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


@route(bp, "/orders", "POST", "Place an order from the cart or from explicit lines", request=NewOrder,
       response=OrderOut, status=201, errors=(400, 409, 422, 503),
       headers=(("Idempotency-Key", "idempotency-key"),),
       needs=("dynamodb:BatchGetItem:orders,carts,products", "dynamodb:UpdateItem:carts", "dynamodb:PutItem:orders",
              "dynamodb:UpdateItem:products(flash_sale,id,listed,price_cents,stock)"))
def place_order(request, form: NewOrder, caller: Caller):
    lines = None if form.items is None else tuple((line.product_id, line.quantity) for line in form.items)
    key = _idempotency_key(request)
    command = PlaceOrder(caller.user_id, lines, IdempotencyKey(key, _body_hash(form)) if key is not None else None)
    try:
        placed = checkout().place(command)
    except OutOfStock:
        observability.count("OutOfStock")
        raise
    observability.count("OrderReplayed" if placed.replayed else "OrderPlaced")
    return responses.answer(_order(placed.order), status=201)


@route(bp, "/orders", "GET", "The caller's orders, newest first", response=OrderPage, errors=(400,),
       query=PAGING, needs=("dynamodb:Query:orders", "secretsmanager:GetSecretValue"))
def list_orders(request, caller: Caller):
    scope = f"orders:user:{caller.user_id}"
    orders, after = checkout().history(caller.user_id, _page_request(request, scope))
    return responses.answer(_page(orders, after, scope))


@route(bp, "/orders/{order_id}", "GET", "One order (the caller's own; admins see all)", response=OrderOut,
       errors=(404,), needs=("dynamodb:GetItem:orders",))
def get_order(request, order_id: str, caller: Caller):
    return responses.answer(_order(checkout().find(order_id, _requester(caller))))


@route(bp, "/orders/{order_id}/cancel", "POST", "Cancel a PLACED order and return its stock",
       response=OrderOut, errors=(404, 409, 503),
       needs=("dynamodb:GetItem:orders", OFFERS, "dynamodb:UpdateItem:orders",
              "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)"))
def cancel_order(request, order_id: str, caller: Caller):
    order = checkout().cancel(CancelOrder(order_id, _requester(caller)))
    observability.count("OrderCancelled")
    return responses.answer(_order(order))


@route(bp, "/orders/{order_id}/ship", "POST", "Ship a PLACED order", admin=True, response=OrderOut,
       errors=(404, 409), needs=("dynamodb:UpdateItem:orders", "dynamodb:GetItem:orders"))
def ship_order(request, order_id: str):
    return responses.answer(_order(checkout().ship(ShipOrder(order_id))))


@route(bp, "/orders/{order_id}/deliver", "POST", "Mark a SHIPPED order delivered", admin=True,
       response=OrderOut, errors=(404, 409), needs=("dynamodb:UpdateItem:orders", "dynamodb:GetItem:orders"))
def deliver_order(request, order_id: str):
    return responses.answer(_order(checkout().deliver(DeliverOrder(order_id))))


@route(bp, "/admin/orders", "GET", "All users' orders, newest first, of one status when given", admin=True,
       response=OrderPage, errors=(400,), query=(("status", "enum:" + ",".join(STATUSES)),) + PAGING,
       needs=("dynamodb:Query:orders", "dynamodb:BatchGetItem:orders", "secretsmanager:GetSecretValue"))
def list_all_orders(request):
    status = parse.query(request, "status")
    if status is not None and status not in STATUSES:
        raise errors.InvalidInput(f"query parameter `status`: one of {', '.join(STATUSES)}")
    scope = f"orders:status:{status or '*'}"
    orders, after = checkout().everything(status, _page_request(request, scope))
    return responses.answer(_page(orders, after, scope))


def checkout() -> Checkout:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().checkout


def _requester(caller: Caller) -> Requester:
    return Requester(caller.user_id, caller.is_admin)


def _page_request(request, scope: str) -> PageRequest:
    return PageRequest(parse.limit(request), cursors.page_position(request, scope))


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


def _order(order) -> OrderOut:
    return OrderOut(order.id, order.user_id, order.status, lines_out(order.lines), order.total_cents,
                    settings.get().currency, order.created_at, order.updated_at)
