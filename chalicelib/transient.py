"""Which failures of AWS mean "try again shortly" (throttling, 5xx, a connection lost) rather than "the request
was wrong": the web edge answers them 503 with Retry-After, the catalog's cache answers them from a stale copy."""

_CODES = {
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "TooManyRequestsException", "InternalServerError", "InternalFailure", "ServiceUnavailable",
    "ServiceUnavailableException", "InternalErrorException", "TransactionInProgressException",
}


def is_transient(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
    cause = getattr(exc, "cause", None)  # PynamoDB wraps botocore's error
    if cause is not None and type(exc).__module__.startswith("pynamodb"):
        exc = cause
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") in _CODES or \
            exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
    return isinstance(exc, (ConnectionError, HTTPClientError))
