"""Which AWS failures are "try again shortly" (a 503 with Retry-After) rather than a bug (a 500)."""

from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from chalicelib import transient


def _error(code: str, status: int = 0) -> ClientError:
    response = {"Error": {"Code": code, "Message": "x"}}
    if status:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, "UpdateItem")


def test_throttling_and_5xx_are_transient_wrapped_by_pynamodb_or_not():
    assert transient.is_transient(_error("ThrottlingException"))
    assert transient.is_transient(_error("InternalServerError", 500))
    assert transient.is_transient(
        UpdateError("failed", cause=_error("ProvisionedThroughputExceededException"))
    )


def test_a_5xx_without_an_aws_error_body_is_transient_by_its_status_alone():
    """An overloaded endpoint's HTML page leaves botocore only the status for a code (seen from moto under load)."""
    assert transient.is_transient(UpdateError("failed", cause=_error("500")))
    assert transient.is_transient(_error("503"))


def test_refusals_are_not_transient():
    assert not transient.is_transient(_error("ConditionalCheckFailedException", 400))
    assert not transient.is_transient(_error("ValidationException", 400))
    assert not transient.is_transient(_error("404"))
    assert not transient.is_transient(ValueError("a bug"))
