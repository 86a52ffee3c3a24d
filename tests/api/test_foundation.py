import io
import json
import re

import boto3
import pytest


def test_stack_provisions_every_resource_of_the_template(stack):
    from devstack import template

    doc = template.load()
    tables = set(boto3.client("dynamodb").list_tables()["TableNames"])
    for resource in template.resources_of_type(doc, "AWS::DynamoDB::Table").values():
        name = resource["Properties"]["TableName"]["Fn::Sub"].replace("${Stage}", "test")
        assert name in tables
        backups = boto3.client("dynamodb").describe_continuous_backups(TableName=name)
        assert (
            backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
                "PointInTimeRecoveryStatus"
            ]
            == "ENABLED"
        )
        ttl = boto3.client("dynamodb").describe_time_to_live(TableName=name)[
            "TimeToLiveDescription"
        ]
        wanted = resource["Properties"].get("TimeToLiveSpecification", {})
        assert (ttl["TimeToLiveStatus"] == "ENABLED") == bool(wanted.get("Enabled"))
    sqs = boto3.client("sqs")
    queue = sqs.get_queue_url(QueueName="shop-test-notifications")["QueueUrl"]
    redrive = json.loads(
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )
    assert redrive["maxReceiveCount"] == 5 and redrive["deadLetterTargetArn"].endswith(
        "notifications-dlq"
    )
    idp = boto3.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=stack.pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert [g["GroupName"] for g in idp.list_groups(UserPoolId=stack.pool_id)["Groups"]] == [
        "admin"
    ]
    assert "shop@example.com" in boto3.client("ses").list_identities()["Identities"]
    assert boto3.client("secretsmanager").get_secret_value(SecretId="shop-test-cursor-key")[
        "SecretString"
    ]


def test_provisioning_twice_changes_nothing(stack):
    from devstack import provision

    again = provision.provision("test", {"QueueVisibilityTimeout": "1"})
    assert again.pool_id == stack.pool_id and again.client_id == stack.client_id


def test_health_is_ok_when_the_tables_answer(anonymous):
    response = anonymous.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_health_is_503_when_a_table_is_missing(anonymous, monkeypatch):
    from chalicelib import settings

    monkeypatch.setenv("SHOP_ORDERS_TABLE", "shop-test-missing")
    settings.reset()
    try:
        response = anonymous.get("/health")
    finally:
        monkeypatch.undo()
        settings.reset()
    assert response.status_code == 503 and response.json == {"status": "unavailable"}


def test_openapi_document_describes_every_route(app, anonymous):
    document = anonymous.get("/openapi.json").json
    assert document["openapi"].startswith("3.")
    described = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    routed = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert described == routed
    assert "SignUp" in document["components"]["schemas"]


def test_malformed_json_is_400(anonymous):
    response = anonymous.post("/users", body=b'{"email": ')
    assert response.status_code == 400 and response.json["Code"] == "BadRequestError"
    assert "not valid JSON" in response.json["Message"]


def test_a_body_that_is_not_an_object_is_400(anonymous):
    response = anonymous.post("/users", body=b'["a", "b"]')
    assert response.status_code == 400 and "object" in response.json["Message"]


def test_unknown_fields_are_400_naming_the_field(anonymous):
    response = anonymous.post(
        "/users", {"email": "x@example.com", "password": "Passw0rdX", "name": "X", "is_admin": True}
    )
    assert response.status_code == 400 and "`is_admin`" in response.json["Message"]


def test_a_body_over_64_kib_is_413(anonymous):
    response = anonymous.post(
        "/users", {"email": "x@example.com", "password": "Passw0rdX", "name": "x" * 70000}
    )
    assert response.status_code == 413 and response.json["Code"] == "RequestEntityTooLargeError"


def test_a_body_that_is_not_json_is_415(anonymous):
    response = anonymous.post("/users", body=b"email=x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_request_id_is_echoed_and_logged(anonymous, monkeypatch):
    from chalicelib import observability

    log = io.StringIO()
    monkeypatch.setattr(observability.logger().registered_handler, "stream", log)
    response = anonymous.get("/health", headers={"X-Request-Id": "trace-CRUNCHY-ARMCHAIR"})
    assert response.headers["X-Request-Id"] == "trace-CRUNCHY-ARMCHAIR"
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    assert any(
        line.get("request_id") == "trace-CRUNCHY-ARMCHAIR" and line.get("path") == "/health"
        for line in lines
    )


def test_request_id_is_generated_when_not_given(anonymous):
    first = anonymous.get("/health").headers["X-Request-Id"]
    second = anonymous.get("/health").headers["X-Request-Id"]
    assert first and second and first != second


def test_demo_catalog_is_seeded_once(stack, anonymous):
    from devstack import catalog

    first = catalog.seed()
    assert first >= 24 and catalog.seed() == 0
    counts = {
        c["name"]: c["product_count"]
        for c in anonymous.get("/categories", headers={"Cache-Control": "no-cache"}).json["items"]
    }
    assert sum(1 for name in catalog.DEMO if counts.get(name)) >= 4
    assert all(counts[name] == len(rows) for name, rows in catalog.DEMO.items())


def test_the_local_stack_finds_its_user_pool_by_name(stack):
    from chalicelib import bootstrap
    from chalicelib.users.identity import find_pool

    assert find_pool(bootstrap.services().client("cognito-idp"), "shop-test") == {
        "pool_id": stack.pool_id,
        "client_id": stack.client_id,
    }


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("x" * 129, id="129-chars"),
        pytest.param("trace id", id="space"),
        pytest.param("trace\u200bid", id="zero-width"),
        pytest.param("trace\u202eid", id="bidi-override"),
        pytest.param("tr\u00e4ce", id="non-ascii"),
        pytest.param("a/b", id="slash"),
        pytest.param("a:b", id="colon"),
        pytest.param('a"b', id="quote"),
        pytest.param("{json}", id="braces"),
        pytest.param("a\tb", id="tab"),
    ],
)
def test_a_request_id_outside_the_allowed_characters_is_replaced(anonymous, monkeypatch, given):
    from chalicelib import observability

    log = io.StringIO()
    monkeypatch.setattr(observability.logger().registered_handler, "stream", log)
    response = anonymous.get("/health", headers={"X-Request-Id": given})
    echoed = response.headers["X-Request-Id"]
    assert echoed != given and re.fullmatch(r"[A-Za-z0-9._-]{1,128}", echoed)
    logged = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [line["request_id"] for line in logged if line.get("path") == "/health"] == [echoed]
    assert given not in log.getvalue()


@pytest.mark.parametrize(
    "given", ["a", "A.b_c-9", "x" * 128, "0f8fad5b-d9cb-469f-a165-70867728950e"]
)
def test_a_request_id_of_1_to_128_allowed_characters_is_echoed(anonymous, given):
    assert (
        anonymous.get("/health", headers={"X-Request-Id": given}).headers["X-Request-Id"] == given
    )


def test_health_describes_the_tables_and_reads_no_item(anonymous):
    from tests import recorder

    assert anonymous.get("/health").status_code == 200
    made = recorder.calls()[("GET", "/health")]  # (another test points /health at a missing table)
    assert {
        f"dynamodb:DescribeTable:{t}"
        for t in ("users", "products", "carts", "orders", "notifications")
    } <= made
    assert all(call.startswith("dynamodb:DescribeTable:") for call in made)
