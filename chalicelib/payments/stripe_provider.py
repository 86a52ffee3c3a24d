"""Stripe, through its official library, behind the PaymentProvider port.

`stripe` is imported where the first client is made: only the functions that take or move money pay for it.
Every call that moves money carries an idempotency key naming the order, the operation and the attempt. After an
error from capture, cancel or refund the intent is read again and its state decides (localstripe's errors carry no
codes, and Stripe's own may be ambiguous after a timeout); a state that is not what the call should have left (say,
a "captured" intent that is in fact cancelled, as localstripe answers) is reported as it is, never as a success.
"""

import json
import time
from typing import Any, Callable, Iterator, Optional

from chalicelib import errors, observability
from chalicelib.payments import stripe_transport as transport
from chalicelib.payments.model import (
    Authorization,
    Event,
    Intent,
    NothingAuthorized,
    PaymentRefused,
)

WEBHOOK_TOLERANCE_SECONDS = 300


class StripeProvider:
    def __init__(
        self, secret_key: Callable[[], str], webhook_secret: Callable[[], str], api_base: str = ""
    ) -> None:
        self._secret_key = secret_key  # read on first use (Secrets Manager in AWS)
        self._webhook_secret = webhook_secret
        self._api_base = api_base  # localstripe's address on the local stack; empty: Stripe's own
        self._client: Any = None
        self._reach = transport.Reach()

    # --- moving money -------------------------------------------------------------------------------------

    def authorize(self, request: Authorization) -> Intent:
        stripe = _stripe()
        self._reach.reached = False
        try:
            answer = self._create(request)
        except stripe.CardError as exc:
            raise PaymentRefused(exc.code or "card_declined", _reason(exc)) from exc
        # an unknown payment method, or one Stripe cannot use
        except stripe.InvalidRequestError as exc:
            raise PaymentRefused(
                exc.code or ("resource_missing" if exc.http_status == 404 else "invalid_request"),
                _reason(exc),
            ) from exc
        except stripe.StripeError as exc:
            if (
                not self._reach.reached
            ):  # throttled, or never connected: Stripe surely holds nothing
                raise _unavailable(exc, NothingAuthorized) from exc
            raise _unavailable(exc) from exc
        intent = _intent(answer)
        # 3-D Secure: the shopper must be there; this API cannot ask
        if intent.status == "requires_action":
            self.void(intent.reference, f"{request.key}:needs-action")
            raise PaymentRefused(
                "authentication_required", "the card needs the shopper's authentication"
            )
        if not intent.authorized:
            raise PaymentRefused(intent.status)
        return intent

    def recover(self, request: Authorization) -> Optional[Intent]:
        """What an authorization request that never got its answer left at Stripe: the create replayed with the
        same idempotency key gives the same intent (or the same refusal: nothing held). localstripe ignores
        idempotency keys (a replay would authorize again), so on the local stack the intent is found by listing."""
        stripe = _stripe()
        try:
            if self._api_base:
                return next(
                    (
                        i
                        for i in map(
                            _intent,
                            _every(self._stripe().v1.payment_intents.list(params={"limit": 100})),
                        )
                        if i.order_id == request.order_id and i.attempt == request.attempt
                    ),
                    None,
                )
            return _intent(self._create(request))
        except (stripe.CardError, stripe.InvalidRequestError):
            return None  # refused: nothing is held
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc

    def _create(self, request: Authorization) -> Any:
        params = {
            "amount": request.amount_cents,
            "currency": request.currency.lower(),
            "capture_method": "manual",
            "confirm": True,
            "payment_method": request.payment_method,
            "payment_method_types": ["card"],
            "metadata": {
                "order_id": request.order_id,
                "user_id": request.user_id,
                "attempt": request.attempt,
            },
        }
        return self._stripe().v1.payment_intents.create(
            params=params, options={"idempotency_key": request.key}
        )

    def capture(self, reference: str, key: str) -> Intent:
        return self._then_read(
            reference,
            lambda client: client.v1.payment_intents.capture(
                reference, options={"idempotency_key": key}
            ),
        )

    def void(self, reference: str, key: str) -> Intent:
        return self._then_read(
            reference,
            lambda client: client.v1.payment_intents.cancel(
                reference, options={"idempotency_key": key}
            ),
        )

    def refund(self, reference: str, key: str) -> Intent:
        def refund_in_full(client) -> Intent:
            done = client.v1.refunds.create(
                params={"payment_intent": reference}, options={"idempotency_key": key}
            )
            refunded = int(done.amount) if done.status in ("succeeded", "pending") else 0
            return Intent(reference, "succeeded", int(done.amount), refunded_cents=refunded)

        return self._then_read(reference, refund_in_full)

    def _then_read(self, reference: str, call: Callable[[Any], Any]) -> Intent:
        stripe = _stripe()
        try:
            answer = call(self._stripe())
        except stripe.StripeError as exc:
            if exc.http_status is None or exc.http_status >= 429:  # Stripe failing, not refusing
                observability.count(observability.STRIPE_ERROR)
            return self.intent(reference)  # decide from what the intent is now, not from the error
        return answer if isinstance(answer, Intent) else _intent(answer)

    # --- reading --------------------------------------------------------------------------------------------

    def intent(self, reference: str) -> Intent:
        stripe = _stripe()
        try:
            found = _intent(self._stripe().v1.payment_intents.retrieve(reference))
            if found.captured:
                refunds = self._stripe().v1.refunds.list(
                    params={"payment_intent": reference, "limit": 100}
                )
                refunded = sum(
                    int(r.amount) for r in refunds.data if r.status in ("succeeded", "pending")
                )
                found = Intent(
                    found.reference,
                    found.status,
                    found.amount_cents,
                    refunded,
                    found.order_id,
                    found.attempt,
                    found.created,
                )
        # Stripe knows no such intent (or the id is not one of its ids)
        except stripe.InvalidRequestError:
            return Intent(reference, "missing", 0)
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return found

    def event(self, payload: bytes, signature: str) -> Event:
        stripe = _stripe()
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, self._webhook_secret(), tolerance=WEBHOOK_TOLERANCE_SECONDS
            )
            body = json.loads(payload)
            kind, subject = str(body["type"]), body["data"]["object"]
            reference = (
                subject.get("payment_intent") if kind.startswith("charge.") else subject.get("id")
            )
            return Event(str(body["id"]), kind, reference if isinstance(reference, str) else None)
        except stripe.SignatureVerificationError as exc:
            raise errors.InvalidInput(
                f"header `Stripe-Signature`: {_first_sentence(str(exc))}"
            ) from exc
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as exc:  # UnicodeDecodeError is a ValueError
            raise errors.InvalidInput("the body is not a Stripe event") from exc

    def _stripe(self) -> Any:
        if self._client is None:
            stripe = _stripe()
            local = (
                {"base_addresses": {"api": self._api_base}, "max_network_retries": 0}
                if self._api_base
                else {"max_network_retries": transport.RETRIES}
            )  # Stripe's own retries reuse the idempotency key: safe
            http_client = stripe.new_default_http_client(
                timeout=(transport.CONNECT_SECONDS, transport.READ_SECONDS)
            )
            self._reach.watch(http_client)
            self._client = stripe.StripeClient(self._secret_key(), http_client=http_client, **local)
        return self._client


def _stripe() -> Any:
    import stripe

    return stripe


def _every(page: Any) -> Iterator[Any]:
    yield from page.auto_paging_iter()


def _intent(answer: Any) -> Intent:
    found = answer.to_dict()
    metadata = found.get("metadata") or {}
    return Intent(
        reference=found["id"],
        status=found["status"],
        amount_cents=int(found["amount"]),
        order_id=metadata.get("order_id"),
        attempt=metadata.get("attempt"),
        created=int(found.get("created") or time.time()),
    )


def _unavailable(exc: Any, kind: type = errors.Unavailable) -> errors.Unavailable:
    observability.count(observability.STRIPE_ERROR)
    observability.logger().warning(
        "payment provider failed",
        extra={"error": type(exc).__name__, "status": getattr(exc, "http_status", None)},
    )
    return kind("the payment provider is not answering; nothing was charged, retry shortly")


def _reason(exc: Any) -> str:
    return _first_sentence(getattr(exc, "user_message", None) or str(exc) or "")


def _first_sentence(text: Optional[str]) -> str:
    return (text or "").split(". ")[0].strip()[:100]
