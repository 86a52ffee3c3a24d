"""Domain errors: what went wrong in the shop's terms. chalicelib/http/responses.py maps them to HTTP."""


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


class Conflict(ShopError):
    pass


class Unprocessable(ShopError):
    pass


class TooManyRequests(ShopError):
    """Refused until `retry_after` seconds have passed (the answer's Retry-After)."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Unavailable(ShopError):
    """A dependency did not answer in time; the client may retry later."""


class PayloadTooLarge(ShopError):
    pass


class UnsupportedMediaType(ShopError):
    """A body that is not JSON in UTF-8 (or has no Content-Type at all)."""


class PreconditionFailed(ShopError):
    """The request's precondition (If-Match) no longer holds."""
