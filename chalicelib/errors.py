"""Domain errors: what went wrong in the shop's terms. web.py maps them to HTTP."""


class ShopError(Exception):
    """Base of every error the API answers deliberately."""


class InvalidInput(ShopError):
    pass


class Unauthenticated(ShopError):
    pass


class Forbidden(ShopError):
    pass


class NotFound(ShopError):
    pass


class PaymentRequired(ShopError):
    """The payment provider refused the payment (its reason in the message)."""


class Conflict(ShopError):
    pass


class Unprocessable(ShopError):
    pass


class TooManyRequests(ShopError):
    pass


class Unavailable(ShopError):
    """A dependency did not answer in time; the client may retry later."""


class PayloadTooLarge(ShopError):
    pass


class PreconditionFailed(ShopError):
    """The request's precondition (If-Match) no longer holds."""
