"""Moving a placed order on: ship (the payment captured), deliver, cancel (voided), refund."""

from chalice import Blueprint

from chalicelib import bootstrap, observability
from chalicelib.http import responses
from chalicelib.http.request import Caller
from chalicelib.http.routing import route
from chalicelib.orders.commands import CancelOrder, DeliverOrder, RefundOrder, Requester, ShipOrder
from chalicelib.orders.shapes import OrderOut, order_out
from chalicelib.orders.use_cases import Orders

bp = Blueprint(__name__)

OFFERS = "dynamodb:BatchGetItem:products"
STRIPE = "secretsmanager:GetSecretValue:stripe"
# a move with a payment operation: recorded on the order, then finished (a cancel gives units back in a transaction)
MOVES = ("dynamodb:UpdateItem:orders", "dynamodb:GetItem:orders", STRIPE)


@route(
    bp,
    "/orders/{order_id}/cancel",
    "POST",
    "Cancel a PLACED order: its authorization voided, its stock returned",
    response=OrderOut,
    errors=(404, 409, 503),
    needs=MOVES + (OFFERS, "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)"),
)
def cancel_order(request, order_id: str, caller: Caller):
    order = orders().cancel(CancelOrder(order_id, Requester(caller.user_id, caller.is_admin)))
    observability.count(observability.ORDER_CANCELLED)
    return responses.answer(order_out(order))


@route(
    bp,
    "/orders/{order_id}/ship",
    "POST",
    "Ship a PLACED order: its payment captured",
    admin=True,
    response=OrderOut,
    errors=(402, 404, 409, 503),
    needs=MOVES + (OFFERS, "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)"),
)
def ship_order(request, order_id: str):
    return responses.answer(order_out(orders().ship(ShipOrder(order_id))))


@route(
    bp,
    "/orders/{order_id}/deliver",
    "POST",
    "Mark a SHIPPED order delivered",
    admin=True,
    response=OrderOut,
    errors=(404, 409),
    needs=MOVES + (OFFERS, "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)"),
)
def deliver_order(request, order_id: str):
    return responses.answer(order_out(orders().deliver(DeliverOrder(order_id))))


@route(
    bp,
    "/orders/{order_id}/refund",
    "POST",
    "Refund a SHIPPED or DELIVERED order's payment in full",
    admin=True,
    response=OrderOut,
    errors=(404, 409, 503),
    needs=MOVES,
)
def refund_order(request, order_id: str):
    order = orders().refund(RefundOrder(order_id))
    observability.count(observability.ORDER_REFUNDED)
    return responses.answer(order_out(order))


def orders() -> Orders:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().order_use_cases
