"""The payment provider's webhook: Stripe's events, their signature checked on the raw bytes."""

from typing import Literal, Optional

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap, errors
from chalicelib.http import request as parse
from chalicelib.http import responses
from chalicelib.http.routing import route
from chalicelib.orders.settlement import PaymentEvents

bp = Blueprint(__name__)
# Stripe's events are JSON of a few KB; its own limit is far above what it sends
MAX_EVENT_BYTES = 512 * 1024


class StripeObject(msgspec.Struct):
    """The object an event is about: a PaymentIntent, or a Charge naming its PaymentIntent."""

    id: str
    object: str
    payment_intent: Optional[str] = None


class StripeEventData(msgspec.Struct):
    object: StripeObject


class StripeEvent(msgspec.Struct):
    """A Stripe event as Stripe sends it (the OpenAPI document's description of the body, never a check: the body
    is verified by its signature, and whatever else Stripe sends is accepted)."""

    id: str
    type: str
    data: StripeEventData


class Received(msgspec.Struct):
    received: Literal["settled", "unchanged", "duplicate", "ignored"]


@route(
    bp,
    "/payments/webhook",
    "POST",
    "Stripe's events (signed with the webhook secret; 5 minutes' tolerance)",
    public=True,
    raw_body=True,
    described_body=StripeEvent,
    max_body=MAX_EVENT_BYTES,
    response=Received,
    errors=(400, 413, 503),
    headers=(("Stripe-Signature", "stripe-signature"),),
    needs=(
        "dynamodb:GetItem:orders",
        "dynamodb:UpdateItem:orders",
        "dynamodb:PutItem:payments",
        "dynamodb:BatchGetItem:products",
        "dynamodb:UpdateItem:products(flash_sale,id,listed,stock)",
        "secretsmanager:GetSecretValue:stripe",
    ),
)
def webhook(request, raw: bytes):
    """The body is Stripe's, not the shop's: checked by its signature, not by the shop's JSON rules."""
    signature = parse.header(request, "Stripe-Signature")
    if not signature:
        raise errors.InvalidInput("header `Stripe-Signature` is required")
    return responses.answer(Received(events().receive(raw, signature)))


def events() -> PaymentEvents:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().payment_events
