"""What the order service needs of a payment provider (Stripe in payments/stripe_provider.py; in memory, with
faults to inject, in tests/unit/fakes.py). Every call that moves money carries a key naming the order and the
operation, so a retry of the same call is the same operation at the provider."""

from typing import Optional, Protocol

from chalicelib.payments.model import Authorization, Event, Intent


class PaymentProvider(Protocol):
    def authorize(self, request: Authorization) -> Intent:
        """Hold the amount on the payment method (refused: PaymentRefused; the provider failing: Unavailable, or
        NothingAuthorized when it surely did nothing). An authorization that needs the shopper's action is
        cancelled and refused."""
        ...

    def recover(self, request: Authorization) -> Optional[Intent]:
        """What an authorization whose answer was lost left behind (None: nothing is held)."""
        ...

    def capture(self, reference: str, key: str) -> Intent: ...

    def void(self, reference: str, key: str) -> Intent: ...

    def refund(self, reference: str, key: str) -> Intent: ...

    def intent(self, reference: str) -> Intent:
        """The payment as the provider has it now."""
        ...

    def event(self, payload: bytes, signature: str) -> Event:
        """A webhook's event, once its signature verifies (InvalidInput otherwise)."""
        ...
