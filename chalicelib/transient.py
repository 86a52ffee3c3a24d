"""Which failures of AWS mean "try again shortly" (throttling, 5xx, a connection lost) rather than "the request
was wrong": the web edge answers them 503 with Retry-After, the catalog's cache answers them from a stale copy.
`explain` says which: a dependency that is busy, or one that cannot be reached (and where it was looked for)."""

from urllib.parse import urlsplit

_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalErrorException",
    "TransactionInProgressException",
}


def _unwrapped(exc: BaseException) -> BaseException:
    cause = getattr(exc, "cause", None)  # PynamoDB wraps botocore's error
    if cause is not None and type(exc).__module__.startswith("pynamodb"):
        return cause
    return exc


def is_transient(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    exc = _unwrapped(exc)
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        # a 5xx whose body is no AWS error (an HTML page from a proxy or an overloaded endpoint) has only its
        # status for a code
        return (
            code in _CODES
            or (code.isdigit() and int(code) >= 500)
            or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
        )
    return isinstance(exc, (ConnectionError, HTTPClientError))


def explain(exc: BaseException) -> str:
    """The 503's message for a transient failure: an endpoint that refuses or never answers a connection is
    named (host and port, as the SDK was told: `http://127.0.0.1:4566` locally, the AWS service's endpoint in
    production); anything else is a dependency under load."""
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    exc = _unwrapped(exc)
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        where = urlsplit(str(exc.kwargs.get("endpoint_url", "")))
        endpoint = f"{where.scheme}://{where.netloc}" if where.netloc else "its endpoint"
        return f"a dependency cannot be reached: no connection to {endpoint}; retry shortly"
    return "a dependency is busy; retry shortly"
