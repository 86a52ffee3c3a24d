"""A payment as the shop keeps it, and what the provider says of one; standard library only."""

import re
from dataclasses import dataclass, replace
from typing import Optional

from chalicelib import errors

AUTHORIZED, CAPTURED, VOIDED, REFUNDED = "AUTHORIZED", "CAPTURED", "VOIDED", "REFUNDED"
STATUSES = (AUTHORIZED, CAPTURED, VOIDED, REFUNDED)
# what the provider takes (Stripe: 50 cents to 99,999,999 minor units in USD)
MIN_AMOUNT, MAX_AMOUNT = 50, 99_999_999
PAYMENT_METHOD = re.compile(r"pm_[A-Za-z0-9_]{1,250}")
# what a reference to Stripe's PaymentIntent looks like
PAYMENT_INTENT = re.compile(r"pi_[A-Za-z0-9_]{1,250}")
# the operations that call the provider once an order exists; each is recorded on the order before the call
CAPTURE, VOID, REFUND = "capture", "void", "refund"
# how long a recorded operation is another request's to finish; after that anyone may settle it
OPERATION_LEASE_SECONDS = 60


@dataclass(frozen=True)
class Payment:
    status: str
    amount_cents: int
    currency: str
    reference: str  # the provider's id (a Stripe PaymentIntent)

    def moved(self, status: str) -> "Payment":
        return replace(self, status=status)


@dataclass(frozen=True)
class Authorization:
    """What to authorize; `attempt` names this try at paying for the order (a new one after a refusal), so that
    the idempotency key repeats only when the same call is repeated."""

    order_id: str
    user_id: str
    amount_cents: int
    currency: str
    payment_method: str
    attempt: str

    @property
    def key(self) -> str:
        return f"{self.order_id}:authorize:{self.attempt}"


@dataclass(frozen=True)
class Intent:
    """A payment as the provider reports it now (never as a webhook's body says)."""

    reference: str
    status: str  # Stripe's: requires_capture, succeeded, canceled, requires_payment_method, requires_action, ...
    amount_cents: int
    refunded_cents: int = 0
    order_id: Optional[str] = None
    attempt: Optional[str] = None
    created: int = 0

    @property
    def authorized(self) -> bool:
        return self.status == "requires_capture"

    @property
    def captured(self) -> bool:
        return self.status == "succeeded"

    @property
    def cancelled(self) -> bool:
        return self.status == "canceled"

    @property
    def refunded(self) -> bool:
        return self.captured and self.refunded_cents >= self.amount_cents


@dataclass(frozen=True)
class Event:
    """A provider's event, its signature verified: what happened, to which payment."""

    id: str
    type: str
    reference: Optional[str]


class PaymentRefused(errors.PaymentRequired):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"the payment was refused: {reason}" + (f" ({detail})" if detail else ""))
        self.reason = reason


class NothingAuthorized(errors.Unavailable):
    """The provider surely did nothing with an authorization (it throttled the call, or could not be reached):
    there is nothing to look for or cancel."""


def check_method(payment_method: str) -> str:
    if not PAYMENT_METHOD.fullmatch(payment_method):
        raise errors.InvalidInput(
            "field `payment_method`: a payment method id, `pm_` and 1 to 250 of A-Z a-z 0-9 _"
        )
    return payment_method


def check_amount(total_cents: int) -> int:
    if not MIN_AMOUNT <= total_cents <= MAX_AMOUNT:
        raise errors.Unprocessable(
            f"field `total_cents`: the payment provider takes {MIN_AMOUNT} to {MAX_AMOUNT} "
            f"cents; this order is {total_cents}"
        )
    return total_cents
