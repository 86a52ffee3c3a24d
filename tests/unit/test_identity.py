"""The Cognito adapter's messages, over a stubbed client: what Cognito says about the client's input is never
passed through whole (an error message quotes at most 100 characters of what the client sent)."""

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib import errors
from chalicelib.users.identity import CognitoIdentity

HUGE = "q" * 60000 + "@example.com"


@pytest.fixture
def cognito():
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubbed:
        yield client, stubbed, CognitoIdentity(client, {"pool_id": "P", "client_id": "C"})


def test_a_parameter_cognito_refuses_at_sign_up_is_400_naming_the_field_without_echoing_it(cognito):
    _, stubbed, identity = cognito
    stubbed.add_client_error(
        "sign_up",
        service_error_code="InvalidParameterException",
        service_message=f"1 validation error detected: Value '{HUGE}' at 'username' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    )
    with pytest.raises(errors.InvalidInput) as refused:
        identity.sign_up(HUGE, "Sturdy-Passw0rd", "Ada")
    message = str(refused.value)
    assert "`email`" in message and "q" * 101 not in message and len(message) < 300, message
