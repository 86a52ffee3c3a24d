"""`make package STAGE=prod`: the production template and zip, checked as a reviewer would."""

import ast
import json
import os
import pathlib
import re
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# CPython's bytecode magic number per runtime (importlib.util.MAGIC_NUMBER of each release line)
MAGIC = {"python3.11": 3495, "python3.12": 3531, "python3.13": 3571}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    from ops import package as packaging

    out = packaging.build("prod", tmp_path_factory.mktemp("dist") / "prod")
    return json.loads((out / "sam.json").read_text()), out / "deployment.zip"


@pytest.fixture(scope="module")
def template(package):
    return package[0]


def _resources(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _integrations(template):
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    return {
        (method.upper(), path): op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        for path, ops in paths.items()
        for method, op in ops.items()
    }


def test_every_api_operation_has_a_function_and_a_role_of_its_own(template, app):
    operations = {(m, p) for p, methods in app.routes.items() for m in methods}
    integrations = _integrations(template)
    assert set(integrations) == operations
    targets = [uri.split("${")[-1].split(".Arn}")[0] for uri in integrations.values()]
    assert len(set(targets)) == len(operations)  # no two operations share a function
    functions = _resources(template, "AWS::Serverless::Function")
    # + authorizer, 4 handlers
    assert set(targets) <= set(functions) and len(functions) == len(operations) + 5
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()]
    assert len(set(roles)) == len(functions)
    permissions = _resources(template, "AWS::Lambda::Permission")
    invoked = {p["Properties"]["FunctionName"].get("Ref") for p in permissions.values()}
    assert set(targets) <= invoked and "APIHandler" not in template["Resources"]


ROUTES_AND_MODULES = """
import json, sys
from app import app
print(json.dumps({"routes": sorted(f"{m} {p}" for p, methods in app.routes.items() for m in methods),
                  "modules": sorted(m for m in sys.modules if m.startswith("chalicelib."))}))
"""


def test_each_api_function_loads_only_its_own_blueprint_and_serves_its_route(template):
    functions = _resources(template, "AWS::Serverless::Function")
    served_by = {
        uri.split("${")[-1].split(".Arn}")[0]: op for op, uri in _integrations(template).items()
    }
    wanted = {}
    for name, (method, path) in served_by.items():
        variables = functions[name]["Properties"]["Environment"]["Variables"]
        wanted.setdefault(variables.get("SHOP_BLUEPRINTS"), set()).add(f"{method} {path}")
    assert set(wanted) == {
        None,
        "users",
        "products",
        "cart",
        "orders",
        "fulfilment",
        "payments",
        "notifications",
        "storefront",
    }  # None: all
    loaded = {}
    for blueprints in list(wanted) + [""]:
        env = {k: v for k, v in os.environ.items() if k != "SHOP_BLUEPRINTS"}
        if blueprints is not None:
            env["SHOP_BLUEPRINTS"] = blueprints
        out = subprocess.run(
            [sys.executable, "-c", ROUTES_AND_MODULES],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        loaded[blueprints] = json.loads(out.stdout.strip().splitlines()[-1])
    everything = set(loaded[None]["routes"])
    for blueprints, operations in wanted.items():
        assert operations <= set(loaded[blueprints]["routes"]), blueprints
    assert wanted[None] == {
        "GET /health",
        "GET /openapi.json",
    }  # the API document describes every route
    assert set(loaded["products"]["routes"]) < everything
    assert not {
        m
        for m in loaded["products"]["modules"]
        if m.startswith(("chalicelib.orders", "chalicelib.users"))
    }
    assert loaded[""]["routes"] == []  # the event handlers' functions serve no route
    for handler in ("PublishOrderEvents", "DeliverNotifications", "CheckReservations"):
        assert functions[handler]["Properties"]["Environment"]["Variables"]["SHOP_BLUEPRINTS"] == ""


def test_no_policy_grants_a_data_action_on_everything(template):
    for name, role in _resources(template, "AWS::IAM::Role").items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                if statement["Resource"] == "*" or "*" in statement.get("Resource", []):
                    assert all(a.startswith("xray:") for a in statement["Action"]), (
                        name,
                        statement,
                    )


def test_reading_a_product_may_only_get_a_product(template):
    role = template["Resources"]["GetProductFunctionRole"]["Properties"]["Policies"][0][
        "PolicyDocument"
    ]
    data = [s for s in role["Statement"] if not s["Action"][0].startswith(("logs:", "xray:"))]
    # the product by GetItem; a flash-sale product's buckets (or the product with them) by BatchGetItem
    assert sorted(data, key=lambda s: s["Action"]) == [
        {
            "Effect": "Allow",
            "Action": [action],
            "Resource": [{"Fn::GetAtt": ["ProductsTable", "Arn"]}],
        }
        for action in ("dynamodb:BatchGetItem", "dynamodb:GetItem")
    ]


def test_tables_queues_and_mappings_are_production_ready(template):
    for name, table in _resources(template, "AWS::DynamoDB::Table").items():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, (
            name
        )
        assert (
            props["DeletionProtectionEnabled"] is True and props["SSESpecification"]["SSEEnabled"]
        ), name
    queue = template["Resources"]["NotificationsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["NotificationsDeadLetterQueue", "Arn"]
    }
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    checks = template["Resources"]["ReservationChecksQueue"]["Properties"]
    assert checks["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["ReservationChecksDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    # held back past the lease, within SQS's 15 minutes; hidden while the checker may still run
    assert 60 < checks["DelaySeconds"] <= 900
    functions = template["Resources"]
    assert checks["VisibilityTimeout"] >= functions["CheckReservations"]["Properties"]["Timeout"]
    for handler, queue_name in (
        ("DeliverNotifications", "NotificationsQueue"),
        ("CheckReservations", "ReservationChecksQueue"),
    ):
        sqs = functions[handler]["Properties"]["Events"][f"{handler}SqsEventSource"]["Properties"]
        assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert sqs["Queue"] == {"Fn::GetAtt": [queue_name, "Arn"]}
        variables = functions[handler]["Properties"]["Environment"]["Variables"]
        assert variables["SHOP_PARTIAL_BATCH_RESPONSE"] == "true"
    stream = functions["PublishOrderEvents"]["Properties"]["Events"][
        "PublishOrderEventsDynamodbEventSource"
    ]["Properties"]
    assert stream["BisectBatchOnFunctionError"] and stream["MaximumRetryAttempts"] == 5
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["StreamFailureQueue", "Arn"]
    }
    assert "DeadLetterAlarm" in template["Resources"]


def test_functions_run_on_arm64_traced_with_log_retention(template):
    for name, function in _resources(template, "AWS::Serverless::Function").items():
        props = function["Properties"]
        assert props["Architectures"] == ["arm64"] and props["Tracing"] == "Active", name
        assert template["Resources"][name + "Logs"]["Properties"]["RetentionInDays"] == 30
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["CacheClusterEnabled"] and any(
        s.get("CachingEnabled") for s in api["MethodSettings"]
    )
    assert (
        json.loads(
            api["GatewayResponses"]["UNAUTHORIZED"]["ResponseTemplates"]["application/json"]
        )["Code"]
        == "UnauthorizedError"
    )


def test_every_function_runs_on_the_python_the_makefile_names(template):
    wanted = re.search(
        r"^PYTHON_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE
    ).group(1)
    runtimes = {
        f["Properties"]["Runtime"]
        for f in _resources(template, "AWS::Serverless::Function").values()
    }
    assert (
        runtimes
        == {f"python{wanted}"}
        == {f"python{sys.version_info.major}.{sys.version_info.minor}"}
    )


def _throttles(template):
    return {
        (s["HttpMethod"], s["ResourcePath"]): (s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"])
        for s in template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    }


def test_the_stage_is_throttled_at_the_account_quota_not_below(template):
    throttles = _throttles(template)
    assert throttles[("*", "/*")] == (10000, 5000)
    assert throttles[("GET", "/~1products~1{product_id}")] == (
        10000,
        5000,
    )  # the cached reads keep the stage's


def test_only_the_operations_behind_cognito_quotas_and_the_webhook_have_tighter_limits(template):
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["prod"][
        "production"
    ]
    tighter = {key: value for key, value in _throttles(template).items() if value != (10000, 5000)}
    assert tighter == {
        (op.split()[0], "/" + op.split()[1].replace("/", "~1")): (limit["rate"], limit["burst"])
        for op, limit in config["method_throttles"].items()
    }
    assert set(tighter) == {
        ("POST", "/~1users"),
        ("POST", "/~1users~1confirm"),
        ("POST", "/~1auth~1token"),
        # public, for Stripe (tests/infra/test_payment_functions.py)
        ("POST", "/~1payments~1webhook"),
    }
    # Cognito's UserCreation quota is 50 requests/s and UserAuthentication 120, each for the whole account
    assert tighter[("POST", "/~1users")][0] + tighter[("POST", "/~1users~1confirm")][0] <= 50
    assert tighter[("POST", "/~1auth~1token")][0] + tighter[("POST", "/~1users")][0] <= 120


def test_a_stage_without_settings_gets_the_account_quota_and_a_typo_is_refused(app):
    from ops import package as packaging

    assert packaging.stage_options("dev")["throttle"] == {"rate": 10000, "burst": 5000}
    options = {
        **packaging.stage_options("prod"),
        "method_throttles": {"POST /user": {"rate": 1, "burst": 1}},
    }
    from ops import template
    from ops.operations import api_operations

    with pytest.raises(ValueError, match="POST /user"):
        template.method_settings(api_operations(app), options)


def test_cfn_lint_finds_nothing_not_even_a_warning(package, tmp_path):
    template_path = tmp_path / "sam.json"
    template_path.write_text(json.dumps(package[0]))
    for path in (template_path, ROOT / "infra" / "template.yaml"):
        result = subprocess.run(
            [str(pathlib.Path(sys.executable).parent / "cfn-lint"), str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout  # bits: 2 errors, 4 warnings, 8 informational


def test_the_zip_holds_the_app_and_arm64_dependencies_but_no_development_tools(package):
    with zipfile.ZipFile(package[1]) as zip_file:
        names = zip_file.namelist()
    tops = {n.split("/")[0] for n in names}
    assert {
        "app.py",
        "chalicelib",
        "chalice",
        "msgspec",
        "jwt",
        "aws_lambda_powertools",
        "cachetools",
        "pynamodb",
        "jmespath",
        "stripe",
        "requests",
    } <= tops
    assert not tops & {
        "moto",
        "pytest",
        "devstack",
        "tests",
        "bench",
        "ops",
        "cfnlint",
        "bin",
        "localstripe",  # GPL-3.0, the local stack's Stripe: never shipped
        "aiohttp",  # localstripe's server
    }
    assert not any(n.startswith("chalice/cli/") for n in names)
    assert any("aarch64" in n for n in names if n.startswith("msgspec/") and n.endswith(".so"))


def test_api_gateway_caches_the_authorizers_answer_no_longer_than_the_token_arithmetic_allows(
    template,
):
    from chalicelib import auth

    definitions = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "securityDefinitions"
    ]
    ttl = definitions["token_authorizer"]["x-amazon-apigateway-authorizer"][
        "authorizerResultTtlInSeconds"
    ]
    assert ttl == auth.CACHE_SECONDS and auth.MAX_TOKEN_AGE + auth.LEEWAY_SECONDS + ttl <= 900


def test_the_sdk_is_left_to_the_runtime_with_what_only_it_needs(package):
    with zipfile.ZipFile(package[1]) as zip_file:
        tops = {n.split("/")[0].split("-")[0] for n in zip_file.namelist()}
    # pynamodb needs botocore, and the runtime has it; jmespath stays, Powertools needs it too, and urllib3
    # stays, requests (Stripe's HTTP client) needs it too
    assert not tops & {"boto3", "botocore", "s3transfer", "dateutil", "six.py", "python_dateutil"}


def test_every_module_in_the_zip_has_bytecode_for_the_templates_runtime(package):
    template, zip_path = package
    runtimes = {
        f["Properties"]["Runtime"]
        for f in _resources(template, "AWS::Serverless::Function").values()
    }
    (runtime,) = runtimes
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
    with zipfile.ZipFile(zip_path) as zip_file:
        names = set(zip_file.namelist())
        sources = [n for n in names if n.endswith(".py")]
        assert len(sources) > 300 and "app.py" in sources and "chalice/app.py" in sources
        for source in sources:
            folder, _, file = source.rpartition("/")
            compiled = f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"
            assert compiled in names, source
            header = zip_file.read(compiled)[:8]
            assert int.from_bytes(header[:2], "little") == MAGIC[runtime], compiled
            # PEP 552 flags: 0b01 is a hash-based .pyc never checked against its source (unzipping changes mtimes)
            assert int.from_bytes(header[4:8], "little") == 0b01, compiled


def _data_statements(template, logical_id):
    role = template["Resources"][logical_id + "Role"]["Properties"]["Policies"][0]["PolicyDocument"]
    return [s for s in role["Statement"] if not s["Action"][0].startswith(("logs:", "xray:"))]


def test_checkout_and_cancel_may_change_only_the_stock_attributes_of_products(template):
    for logical_id in ("PlaceOrderFunction", "CancelOrderFunction"):
        products = [
            s
            for s in _data_statements(template, logical_id)
            if s["Resource"] == [{"Fn::GetAtt": ["ProductsTable", "Arn"]}]
            and s["Action"] == ["dynamodb:UpdateItem"]
        ]
        (statement,) = products
        allowed = set(statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])
        assert "stock" in allowed and not allowed & {
            "name",
            "description",
            "category",
            "revision",
            "updated_at",
        }


def test_a_stage_that_does_not_auto_confirm_grants_no_admin_confirmation():
    from ops import iam, operations

    sign_up = next(
        op
        for op in operations.api_operations(__import__("app").app)
        if op.logical_id == "SignUpFunction"
    )
    actions = lambda settings: {
        a for s in iam.statements_for(sign_up.needs, settings) for a in s["Action"]
    }  # noqa: E731
    assert "cognito-idp:AdminConfirmSignUp" not in actions({"auto_confirm": "false"})
    assert "cognito-idp:AdminConfirmSignUp" in actions({"auto_confirm": "true"})
    assert "cognito-idp:SignUp" in actions({"auto_confirm": "false"})


def _stripe_readers(template):
    return {
        name
        for name, role in _resources(template, "AWS::IAM::Role").items()
        for statement in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        if {"Ref": "StripeSecret"}
        in (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
    }


def test_only_the_functions_that_call_stripe_may_read_its_secret(template):
    readers = {name.removesuffix("Role") for name in _stripe_readers(template)}
    assert readers == {
        "PlaceOrderFunction",
        "CancelOrderFunction",
        "ShipOrderFunction",
        "DeliverOrderFunction",
        "RefundOrderFunction",
        "WebhookFunction",
        "CheckReservations",
        "SweepPayments",
    }
    env = _resources(template, "AWS::Serverless::Function")["ShipOrderFunction"]["Properties"][
        "Environment"
    ]["Variables"]
    assert (
        env["SHOP_STRIPE_SECRET_ID"] == {"Ref": "StripeSecret"} and "STRIPE_SECRET_KEY" not in env
    )
    assert not any(
        "sk_" in json.dumps(f["Properties"]["Environment"])
        for f in _resources(template, "AWS::Serverless::Function").values()
    )


def test_the_sweep_runs_on_a_schedule_every_few_minutes(template):
    sweep = _resources(template, "AWS::Serverless::Function")["SweepPayments"]["Properties"]
    (schedule,) = [
        e["Properties"]["Schedule"] for e in sweep["Events"].values() if e["Type"] == "Schedule"
    ]
    assert (
        schedule == "rate(5 minutes)" and sweep["Environment"]["Variables"]["SHOP_BLUEPRINTS"] == ""
    )


def test_the_design_doc_states_the_functions_and_memory_the_template_has(template):
    stated = re.search(
        r"The shop's (\d+) functions hold ([\d.]+) GB", (ROOT / "docs" / "design.md").read_text()
    )
    functions = _resources(template, "AWS::Serverless::Function")
    memory_gb = sum(f["Properties"]["MemorySize"] for f in functions.values()) / 1024
    assert stated and (int(stated.group(1)), float(stated.group(2))) == (len(functions), memory_gb)


# --- API Gateway's own answers and the web ACL (ops/edge.py) ---------------------------------------


def test_every_gateway_response_has_the_contracts_body_and_every_header_the_app_sends(template):
    from chalicelib.http.middleware import NOT_STORED, SECURITY_HEADERS

    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert {
        "UNAUTHORIZED",
        "ACCESS_DENIED",
        "MISSING_AUTHENTICATION_TOKEN",
        "THROTTLED",
        "WAF_FILTERED",
        "DEFAULT_4XX",
        "DEFAULT_5XX",
    } <= set(responses)
    for kind, response in responses.items():
        headers = response["ResponseParameters"]["Headers"]
        assert {
            name: value.strip("'") for name, value in headers.items() if name != "Retry-After"
        } == {**SECURITY_HEADERS, **NOT_STORED}, kind
        assert all(value.startswith("'") and value.endswith("'") for value in headers.values()), (
            kind
        )
        assert "Code" in response["ResponseTemplates"]["application/json"], kind
    assert (
        responses["WAF_FILTERED"]["StatusCode"] == "429"
        and "Retry-After" in responses["WAF_FILTERED"]["ResponseParameters"]["Headers"]
    )
    assert (
        "StatusCode" not in responses["DEFAULT_4XX"]
        and "StatusCode" not in responses["DEFAULT_5XX"]
    )


def test_the_local_gateway_answers_its_refusals_as_the_template_says(template, client):
    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    for kind, request in (
        ("UNAUTHORIZED", {}),
        ("ACCESS_DENIED", {"Authorization": "Bearer forged"}),
    ):
        answer = client.http.get("/users/me", headers=request)
        declared = responses[kind]
        assert answer.status_code == int(declared["StatusCode"])
        assert json.loads(answer.body) == json.loads(
            declared["ResponseTemplates"]["application/json"]
        )
        for name, value in declared["ResponseParameters"]["Headers"].items():
            assert answer.headers[name] == value.strip("'"), (kind, name)
    missing = client.http.get("/no/such/route")
    assert missing.status_code == int(responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"])


def _scope_matches(statement: dict, method: str, path: str) -> bool:
    """The web ACL's scope-down statement, read as WAF would for one request (URL-decoded path)."""
    if "OrStatement" in statement:
        return any(_scope_matches(s, method, path) for s in statement["OrStatement"]["Statements"])
    if "AndStatement" in statement:
        return all(_scope_matches(s, method, path) for s in statement["AndStatement"]["Statements"])
    if "RegexMatchStatement" in statement:
        from urllib.parse import unquote

        return re.search(statement["RegexMatchStatement"]["RegexString"], unquote(path)) is not None
    match = statement["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"Method": {}} and match["PositionalConstraint"] == "EXACTLY"
    return method == match["SearchString"]


def test_a_web_acl_on_the_stage_limits_each_address_on_the_account_routes_only(template):
    resources = template["Resources"]
    ((acl_id, acl),) = _resources(template, "AWS::WAFv2::WebACL").items()
    (association,) = _resources(template, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert association["Properties"]["ResourceArn"]["Fn::Sub"].endswith(
        "/restapis/${RestAPI}/stages/${RestAPI.Stage}"
    )
    assert acl["Properties"]["Scope"] == "REGIONAL" and acl["Properties"]["DefaultAction"] == {
        "Allow": {}
    }
    (rule,) = acl["Properties"]["Rules"]
    limit = rule["Statement"]["RateBasedStatement"]
    assert (
        rule["Action"] == {"Block": {}}
        and limit["AggregateKeyType"] == "IP"
        and 10 <= limit["Limit"] <= 1000
    )
    stage = resources["RestAPI"]["Properties"]["StageName"]
    limited = [
        ("POST", "/auth/token"),
        ("POST", "/auth/sign-out"),
        ("POST", "/users"),
        ("POST", "/users/confirm"),
        ("POST", f"/{stage}/auth/token"),
        ("POST", f"/{stage}/users"),
        ("POST", "/%61uth/token"),
    ]
    free = [
        ("GET", "/users/me"),
        ("PATCH", "/users/me"),
        ("GET", "/products"),
        ("POST", "/orders"),
        ("GET", f"/{stage}/products/auth"),
        ("POST", "/users/me"),
    ]
    scope = limit["ScopeDownStatement"]
    assert [r for r in limited if not _scope_matches(scope, *r)] == []
    assert [r for r in free if _scope_matches(scope, *r)] == []
    responses = resources["RestAPI"]["Properties"]["GatewayResponses"]
    assert (
        json.loads(responses["WAF_FILTERED"]["ResponseTemplates"]["application/json"])["Code"]
        == "TooManyRequestsError"
    )


def test_every_library_the_code_imports_is_in_the_zip_or_the_runtime(package):
    """Every import counts, the lazy ones inside functions too (stripe was once only in the developers' .venv)."""
    imported = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"app", "chalicelib", "__future__"}
    with zipfile.ZipFile(package[1]) as zip_file:
        tops = {n.split("/")[0].removesuffix(".py") for n in zip_file.namelist()}
    assert {"stripe", "jwt", "pynamodb"} <= third_party
    # the runtime's own
    assert third_party - tops - {"boto3", "botocore", "snapshot_restore_py"} == set()


def test_every_queue_with_a_dead_letter_queue_can_be_replayed():
    from devstack import template as source
    from ops.replay_dlq import QUEUES

    redriven = {
        queue["Properties"]["QueueName"]["Fn::Sub"].removeprefix("shop-${Stage}-")
        for queue in source.resources_of_type(source.load(), "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    }
    assert redriven == set(QUEUES)
