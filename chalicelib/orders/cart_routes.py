"""The cart: what a shopper is about to order, at current prices."""

from typing import List

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap, settings
from chalicelib.http import responses
from chalicelib.http.request import Caller
from chalicelib.http.routing import route
from chalicelib.orders.cart import Cart
from chalicelib.orders.model import Cart as CartView
from chalicelib.orders.shapes import LineOut, Quantity, lines_out

bp = Blueprint(__name__)


class CartQuantity(msgspec.Struct, forbid_unknown_fields=True):
    quantity: Quantity


class CartOut(msgspec.Struct):
    items: List[LineOut]
    total_cents: int
    currency: str


OFFERS = "dynamodb:BatchGetItem:products"
# a line put: the offer and the cart in one BatchGetItem where the offer is not cached, then one write
CART = (
    "dynamodb:BatchGetItem:carts,products",
    "dynamodb:GetItem:carts",
    "dynamodb:UpdateItem:carts",
    "dynamodb:PutItem:carts",
)


@route(
    bp,
    "/cart",
    "GET",
    "The caller's cart at current prices",
    response=CartOut,
    needs=("dynamodb:GetItem:carts", OFFERS),
)
def get_cart(request, caller: Caller):
    return responses.answer(_out(cart().view(caller.user_id)))


@route(
    bp,
    "/cart/items/{product_id}",
    "PUT",
    "Put a product into the cart (at most 50 different products)",
    request=CartQuantity,
    response=CartOut,
    errors=(400, 404),
    needs=CART + (OFFERS,),
)
def put_cart_item(request, product_id: str, form: CartQuantity, caller: Caller):
    return responses.answer(_out(cart().put(caller.user_id, product_id, form.quantity)))


@route(
    bp,
    "/cart/items/{product_id}",
    "DELETE",
    "Take a product out of the cart",
    response=CartOut,
    needs=("dynamodb:UpdateItem:carts", "dynamodb:GetItem:carts", OFFERS),
)
def delete_cart_item(request, product_id: str, caller: Caller):
    return responses.answer(_out(cart().remove(caller.user_id, product_id)))


@route(bp, "/cart", "DELETE", "Empty the cart", status=204, needs=("dynamodb:UpdateItem:carts",))
def delete_cart(request, caller: Caller):
    cart().empty(caller.user_id)
    return responses.no_content()


def cart() -> Cart:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().cart


def _out(view: CartView) -> CartOut:
    return CartOut(lines_out(view.lines), view.total_cents, settings.get().currency)
