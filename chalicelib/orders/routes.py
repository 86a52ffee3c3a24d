"""Orders: checkout, history, and the lifecycle moves."""

import hashlib
import json
from typing import Annotated, List, Optional

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap, errors, observability
from chalicelib.http import cursors, responses
from chalicelib.http import request as parse
from chalicelib.http.request import Caller
from chalicelib.http.routing import route
from chalicelib.orders.commands import (
    AllOrders,
    FindOrder,
    IdempotencyKey,
    OrderHistory,
    PlaceOrder,
    Requester,
)
from chalicelib.orders.model import MAX_LINES, STATUSES
from chalicelib.orders.shapes import OrderOut, ProductId, Quantity, order_out
from chalicelib.payments.model import PAYMENT_METHOD
from chalicelib.orders.use_cases import Orders
from chalicelib.paging import PageRequest
from chalicelib.products.takes import OutOfStock

bp = Blueprint(__name__)
PaymentMethod = Annotated[
    str,
    msgspec.Meta(
        pattern=f"^{PAYMENT_METHOD.pattern}$",
        description="a Stripe PaymentMethod id, e.g. pm_card_visa",
    ),
]


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: ProductId
    quantity: Quantity


class NewOrder(msgspec.Struct, forbid_unknown_fields=True):
    """`{"payment_method"}` orders the cart; with `items`, these lines (the same product twice is merged). The
    total is authorized with the payment method (a Stripe PaymentMethod id) and captured when the order ships."""

    payment_method: PaymentMethod
    items: Optional[Annotated[List[LineIn], msgspec.Meta(min_length=1, max_length=MAX_LINES)]] = (
        None
    )


class OrderPage(msgspec.Struct):
    items: List[OrderOut]
    next_cursor: Optional[str]


PAGING = (("limit", "limit"), ("cursor", "cursor"))


@route(
    bp,
    "/orders",
    "POST",
    "Place an order from the cart or from explicit lines, its total authorized",
    request=NewOrder,
    response=OrderOut,
    status=201,
    errors=(400, 402, 409, 422, 503),
    headers=(("Idempotency-Key", "idempotency-key"),),
    needs=(
        "dynamodb:BatchGetItem:orders,carts,products",
        "dynamodb:UpdateItem:carts",
        "dynamodb:PutItem:orders",
        "dynamodb:UpdateItem:orders",
        "dynamodb:DeleteItem:orders",
        "dynamodb:GetItem:orders",
        "dynamodb:UpdateItem:products(flash_sale,id,listed,price_cents,stock)",
        "dynamodb:BatchGetItem:products",
        "secretsmanager:GetSecretValue:stripe",
    ),
)
def place_order(request, form: NewOrder, caller: Caller):
    lines = (
        None
        if form.items is None
        else tuple((line.product_id, line.quantity) for line in form.items)
    )
    key = _idempotency_key(request)
    command = PlaceOrder(
        caller.user_id,
        form.payment_method,
        lines,
        IdempotencyKey(key, _body_hash(form)) if key is not None else None,
    )
    try:
        placed = orders().place(command)
    except OutOfStock:
        observability.count(observability.OUT_OF_STOCK)
        raise
    observability.count(
        observability.ORDER_REPLAYED if placed.replayed else observability.ORDER_PLACED
    )
    return responses.answer(order_out(placed.order), status=201)


@route(
    bp,
    "/orders",
    "GET",
    "The caller's orders, newest first",
    response=OrderPage,
    errors=(400,),
    query=PAGING,
    needs=(
        "dynamodb:Query:orders",
        "dynamodb:BatchGetItem:orders",
        "secretsmanager:GetSecretValue:cursor-key",
    ),
)
def list_orders(request, caller: Caller):
    scope = f"orders:user:{caller.user_id}"
    found, after = orders().history(OrderHistory(caller.user_id, _page_request(request, scope)))
    return responses.answer(_page(found, after, scope))


@route(
    bp,
    "/orders/{order_id}",
    "GET",
    "One order (the caller's own; admins see all)",
    response=OrderOut,
    errors=(404,),
    needs=("dynamodb:GetItem:orders",),
)
def get_order(request, order_id: str, caller: Caller):
    return responses.answer(order_out(orders().find(FindOrder(order_id, _requester(caller)))))


@route(
    bp,
    "/admin/orders",
    "GET",
    "All users' orders, newest first, of one status when given",
    admin=True,
    response=OrderPage,
    errors=(400,),
    query=(("status", "enum:" + ",".join(STATUSES)),) + PAGING,
    needs=(
        "dynamodb:Query:orders",
        "dynamodb:BatchGetItem:orders",
        "secretsmanager:GetSecretValue:cursor-key",
    ),
)
def list_all_orders(request):
    status = parse.query(request, "status")
    if status is not None and status not in STATUSES:
        raise errors.InvalidInput(f"query parameter `status`: one of {', '.join(STATUSES)}")
    scope = f"orders:status:{status or '*'}"
    found, after = orders().everything(AllOrders(status, _page_request(request, scope)))
    return responses.answer(_page(found, after, scope))


def orders() -> Orders:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().order_use_cases


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


def _page(found, after, scope: str) -> OrderPage:
    return OrderPage([order_out(o) for o in found], cursors.next_cursor(scope, after))
