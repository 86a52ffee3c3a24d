"""The data the benchmarks run against, and one scenario per API operation whose DynamoDB calls
are counted (botocore's before-call hook on the app's own client)."""
import contextlib
from dataclasses import dataclass, field
from typing import Callable, Dict, List

from chalice.test import Client

from chalicelib import bootstrap
from devstack.api import Api

PASSWORD = "Bench-Passw0rd"


@dataclass
class World:
    stack: object
    client: Client
    shopper: Api
    admin: Api
    token: str
    product_id: str = "none"
    cold_start_event: dict = field(default_factory=dict)
    warm_requests: List[dict] = field(default_factory=list)

    @classmethod
    def create(cls, stack) -> "World":
        import boto3
        from app import app
        client = Client(app, stage_name="test")
        anonymous = Api(client)

        def account(email, admin=False):
            anonymous.post("/users", {"email": email, "password": PASSWORD, "name": "Bench"})
            if admin:
                boto3.client("cognito-idp").admin_add_user_to_group(UserPoolId=stack.pool_id, Username=email,
                                                                     GroupName="admin")
            tokens = anonymous.post("/auth/token", {"email": email, "password": PASSWORD}).json
            api = Api(client, tokens["access_token"])
            api.user_id = api.get("/users/me").json["id"]
            return api

        shopper, admin = account("bench-shopper@example.com"), account("bench-admin@example.com", admin=True)
        world = cls(stack=stack, client=client, shopper=shopper, admin=admin, token=shopper.token)
        world.cold_start_event = {"method": "GET", "path": "/health"}
        world.warm_requests = [{"method": "GET", "path": "/health"},
                               {"method": "GET", "path": "/users/me", "user_id": shopper.user_id}]
        for prepare in PREPARE:
            prepare(world)
        return world


class Counter:
    def __init__(self) -> None:
        self.operations: List[str] = []

    def __call__(self, model, **_):
        self.operations.append(model.name)


@contextlib.contextmanager
def counting():
    counter = Counter()
    events = bootstrap.dynamodb().meta.events
    events.register("before-call.dynamodb", counter, unique_id="bench-counter")
    try:
        yield counter
    finally:
        events.unregister("before-call.dynamodb", unique_id="bench-counter")


SCENARIOS: List[Callable[[World], Dict]] = []
PREPARE: List[Callable[[World], None]] = []


def scenario(name: str):
    def register(run):
        def measured(world):
            with counting() as counter:
                response = run(world)
            assert response.status_code < 400, (name, response.status_code, response.body)
            return name, {"calls": len(counter.operations), "operations": counter.operations}
        SCENARIOS.append(measured)
        return run
    return register


def count_calls(world: World) -> Dict[str, Dict]:
    return dict(run(world) for run in SCENARIOS)


def extra(world: World) -> Dict:
    return {}


@scenario("GET /health")
def _health(world):
    return Api(world.client).get("/health")


@scenario("GET /users/me")
def _me(world):
    return world.shopper.get("/users/me")


@scenario("PATCH /users/me")
def _rename(world):
    return world.shopper.patch("/users/me", {"name": "Bench Renamed"})
