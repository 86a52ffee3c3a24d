"""botocore clients as the functions make them: one shared data loader that is told the shop's services, so no
cold start lists botocore's ~400 service directories, and every client the code asks for is one of them."""
import os
import pathlib
import re

import botocore
import pytest

from chalicelib import sdk, storage

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = os.path.join(os.path.dirname(botocore.__file__), "data")


def test_every_client_the_code_asks_for_is_a_declared_service():
    asked = {name for path in (ROOT / "chalicelib").rglob("*.py")
             for name in re.findall(r"""\bclient\(["']([a-z0-9-]+)["']""", path.read_text())}
    assert asked and asked <= set(sdk.SERVICES)


@pytest.mark.parametrize("service", sdk.SERVICES)
def test_each_declared_service_gets_its_own_model(service):
    client = sdk.client(service, "eu-west-1")
    assert client.meta.service_model.service_name == service
    assert client.meta.region_name == "eu-west-1"


def test_a_service_not_declared_is_refused_by_name():
    with pytest.raises(ValueError, match="s3"):
        sdk.client("s3", "eu-west-1")


def test_making_a_client_lists_no_other_service_directory(monkeypatch):
    monkeypatch.setattr(sdk, "_loader", None)  # a fresh container's loader
    listed = []
    real = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path=".": listed.append(str(path)) or real(path))
    sdk.client("sqs", "eu-west-1")
    assert listed and all(path.startswith(os.path.join(DATA, "sqs")) or not path.startswith(DATA) for path in listed)
    assert DATA not in listed  # botocore's own loader lists every service directory here first


def test_pynamodb_and_every_client_share_the_one_loader():
    connection = storage.connection("eu-west-1")
    shared = sdk.session().get_component("data_loader")
    assert connection.session.get_component("data_loader") is shared
    assert connection.client.meta.service_model.service_name == "dynamodb"
    assert sdk.session() is not sdk.session()  # sessions are not shared between threads; the loader is
