"""The embedded AWS for the whole run (moto's server on a free port, provisioned from infra/ by the
same devstack code `make run` uses), the app, a Chalice test client and signed-in users."""

import os
import pathlib
import uuid

import boto3
import pytest

from devstack import aws, provision
from devstack.api import Api

PASSWORD = "Sturdy-Passw0rd"
ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def app_log():
    """The app's JSON log lines and metrics go to a file (CI keeps it with the test reports), not between
    pytest's dots; `app_log.read_text()` is what the app logged."""
    path = ROOT / "artifacts" / "app-test.log"
    path.parent.mkdir(exist_ok=True)
    path.write_text("")
    os.environ["SHOP_LOG_FILE"] = str(path)
    return path


@pytest.fixture(scope="session")
def stack():
    server = aws.start(aws.free_port())
    os.environ.update(
        SHOP_STAGE="test",
        SHOP_AUTO_CONFIRM="true",
        SHOP_SENDER_EMAIL="shop@example.com",
        SHOP_PARTIAL_BATCH_RESPONSE="true",
    )
    from chalicelib import bootstrap
    from tests import recorder

    bootstrap.reset()
    recorder.install("test")
    stack = provision.provision("test", {"QueueVisibilityTimeout": "1"})
    # as in production, the pool's ids come from settings (make run looks them up by name instead)
    os.environ.update(SHOP_USER_POOL_ID=stack.pool_id, SHOP_USER_POOL_CLIENT_ID=stack.client_id)
    yield stack
    server.stop()


@pytest.fixture(scope="session")
def stripe_api(tmp_path_factory):
    """localstripe on a free port for the whole run, the app's Stripe settings pointed at it (as `make run`
    does); its base URL. Register a webhook with `devstack.stripe.register_webhook(stripe_api, url, secret)`."""
    from chalicelib import settings
    from devstack import stripe

    running = stripe.start(aws.free_port(), tmp_path_factory.mktemp("stripe") / "stripe.log")
    os.environ.update(stripe.environment(running.url))
    settings.reset()
    yield running.url
    stripe.stop(running)


@pytest.fixture(scope="session")
def app(stack, stripe_api):
    from devstack import gateway

    gateway.match_production()
    from app import app

    return app


@pytest.fixture(scope="session")
def client(app):
    from chalice.test import Client

    with Client(app, stage_name="test") as test_client:
        yield test_client


def unique_email(prefix: str = "shopper") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def sign_up_and_in(client, email=None, name="Ada Lovelace", admin=False, stack=None) -> Api:
    email = email or unique_email()
    api = Api(client)
    created = api.post("/users", {"email": email, "password": PASSWORD, "name": name})
    assert created.status_code == 201, created.body
    if admin:
        boto3.client("cognito-idp").admin_add_user_to_group(
            UserPoolId=stack.pool_id, Username=email, GroupName="admin"
        )
    tokens = api.post("/auth/token", {"email": email, "password": PASSWORD}).json
    signed_in = Api(client, tokens["access_token"])
    signed_in.email = email
    signed_in.user_id = created.json["id"]
    signed_in.tokens = tokens
    return signed_in


@pytest.fixture
def anonymous(client):
    return Api(client)


@pytest.fixture
def shopper(client):
    return sign_up_and_in(client)


@pytest.fixture
def other_shopper(client):
    return sign_up_and_in(client, name="Grace Hopper")


@pytest.fixture(scope="session")
def admin(client, stack):
    return sign_up_and_in(
        client, email=unique_email("admin"), name="Shop Admin", admin=True, stack=stack
    )


@pytest.fixture(scope="session")
def live_url(app):
    """The app behind Chalice's threaded local server on a free port: real HTTP, real threads."""
    import pathlib
    import threading
    from chalice.cli.factory import CLIFactory

    root = str(pathlib.Path(__file__).resolve().parent.parent)
    factory = CLIFactory(root, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="test")
    port = aws.free_port()
    server = factory.create_local_server(app, config, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def pump(app, stack):
    """The local event pump between the test stack and the app's handlers, running as under `make run`."""
    import sys
    import threading
    from devstack import pump as pumps

    stop = threading.Event()
    running = pumps.for_stack(sys.modules["app"], stack, stop, idle_seconds=0.05).start()
    yield running
    stop.set()
    running.join(timeout=5)
