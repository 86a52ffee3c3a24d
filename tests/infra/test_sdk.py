"""botocore clients as the functions make them: one shared data loader that finds services by their directory's name,
so no cold start looks inside botocore's ~400 service directories, and any service still works."""

import os

import botocore
import botocore.exceptions
import pytest

from chalicelib import sdk, storage

DATA = os.path.join(os.path.dirname(botocore.__file__), "data")


@pytest.mark.parametrize(
    "service", ["cognito-idp", "dynamodb", "secretsmanager", "ses", "sqs", "sts", "sso"]
)
def test_each_service_gets_its_own_model(service):
    client = sdk.client(service, "eu-west-1")
    assert client.meta.service_model.service_name == service
    assert client.meta.region_name == "eu-west-1"


def test_a_service_that_does_not_exist_is_refused_by_name():
    with pytest.raises(botocore.exceptions.UnknownServiceError, match="no-such-service"):
        sdk.client("no-such-service", "eu-west-1")


def test_making_a_client_lists_no_other_service_directory(monkeypatch):
    monkeypatch.setattr(sdk, "_loader", None)  # a fresh container's loader
    listed = []
    real = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path=".": listed.append(str(path)) or real(path))
    sdk.client("sqs", "eu-west-1")
    others = [
        path
        for path in listed
        if path.startswith(DATA + os.sep) and not path.startswith(os.path.join(DATA, "sqs"))
    ]
    assert others == []  # botocore's own loader lists every service's directory first
    assert any(path.startswith(os.path.join(DATA, "sqs")) for path in listed)


def test_pynamodb_and_every_client_share_the_one_loader():
    connection = storage.connection("eu-west-1")
    shared = sdk.session().get_component("data_loader")
    assert connection.session.get_component("data_loader") is shared
    assert connection.client.meta.service_model.service_name == "dynamodb"
    # sessions are not shared between threads; the loader is
    assert sdk.session() is not sdk.session()


def test_an_assume_role_profile_works_through_the_shops_sessions(tmp_path, monkeypatch):
    """botocore's credential providers make their own STS (or SSO) client through the same session: `make admin
    STAGE=prod` under a role profile goes through here (found by a review: a fixed service list refused STS)."""
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n"
        "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
        "source_profile = base\nregion = us-east-1\n"
    )
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "deployer")
    # nothing listens: no call leaves
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    # it got as far as STS
    with pytest.raises(botocore.exceptions.EndpointConnectionError, match="127.0.0.1:9"):
        sdk.client("sqs", "us-east-1").list_queues()
