"""`make package STAGE=prod`: the production template and zip, checked as a reviewer would."""
import json
import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


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
    return {(method.upper(), path): op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            for path, ops in paths.items() for method, op in ops.items()}


def test_every_api_operation_has_a_function_and_a_role_of_its_own(template, app):
    operations = {(m, p) for p, methods in app.routes.items() for m in methods}
    integrations = _integrations(template)
    assert set(integrations) == operations
    targets = [uri.split("${")[-1].split(".Arn}")[0] for uri in integrations.values()]
    assert len(set(targets)) == len(operations)  # no two operations share a function
    functions = _resources(template, "AWS::Serverless::Function")
    assert set(targets) <= set(functions) and len(functions) == len(operations) + 3  # + authorizer, 2 handlers
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()]
    assert len(set(roles)) == len(functions)
    permissions = _resources(template, "AWS::Lambda::Permission")
    invoked = {p["Properties"]["FunctionName"].get("Ref") for p in permissions.values()}
    assert set(targets) <= invoked and "APIHandler" not in template["Resources"]


def test_no_policy_grants_a_data_action_on_everything(template):
    for name, role in _resources(template, "AWS::IAM::Role").items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                if statement["Resource"] == "*" or "*" in statement.get("Resource", []):
                    assert all(a.startswith("xray:") for a in statement["Action"]), (name, statement)


def test_reading_a_product_may_only_get_a_product(template):
    role = template["Resources"]["GetProductFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    data = [s for s in role["Statement"] if not s["Action"][0].startswith(("logs:", "xray:"))]
    assert data == [{"Effect": "Allow", "Action": ["dynamodb:BatchGetItem"],
                     "Resource": [{"Fn::GetAtt": ["ProductsTable", "Arn"]}]}]


def test_tables_queues_and_mappings_are_production_ready(template):
    for name, table in _resources(template, "AWS::DynamoDB::Table").items():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props["DeletionProtectionEnabled"] is True and props["SSESpecification"]["SSEEnabled"], name
    queue = template["Resources"]["NotificationsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["NotificationsDeadLetterQueue", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    functions = template["Resources"]
    sqs = functions["DeliverNotifications"]["Properties"]["Events"]["DeliverNotificationsSqsEventSource"]["Properties"]
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert functions["DeliverNotifications"]["Properties"]["Environment"]["Variables"][
        "SHOP_PARTIAL_BATCH_RESPONSE"] == "true"
    stream = functions["PublishOrderEvents"]["Properties"]["Events"]["PublishOrderEventsDynamodbEventSource"]["Properties"]
    assert stream["BisectBatchOnFunctionError"] and stream["MaximumRetryAttempts"] == 5
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}
    assert "DeadLetterAlarm" in template["Resources"]


def test_functions_run_on_arm64_traced_with_log_retention(template):
    for name, function in _resources(template, "AWS::Serverless::Function").items():
        props = function["Properties"]
        assert props["Architectures"] == ["arm64"] and props["Tracing"] == "Active", name
        assert template["Resources"][name + "Logs"]["Properties"]["RetentionInDays"] == 30
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["CacheClusterEnabled"] and any(s.get("CachingEnabled") for s in api["MethodSettings"])
    assert all(s["ThrottlingRateLimit"] > 0 for s in api["MethodSettings"])
    assert json.loads(api["GatewayResponses"]["UNAUTHORIZED"]["ResponseTemplates"]["application/json"])[
        "Code"] == "UnauthorizedError"


def test_cfn_lint_finds_no_errors(package, tmp_path):
    template_path = tmp_path / "sam.json"
    template_path.write_text(json.dumps(package[0]))
    for path in (template_path, ROOT / "infra" / "template.yaml"):
        result = subprocess.run([str(pathlib.Path(sys.executable).parent / "cfn-lint"), str(path)],
                                capture_output=True, text=True)
        assert result.returncode & 2 == 0, result.stdout  # bit 2: errors (4 warnings, 8 informational)


def test_the_zip_holds_the_app_and_arm64_dependencies_but_no_development_tools(package):
    with zipfile.ZipFile(package[1]) as zip_file:
        names = zip_file.namelist()
    tops = {n.split("/")[0] for n in names}
    assert {"app.py", "chalicelib", "chalice", "msgspec", "jwt", "aws_lambda_powertools", "cachetools"} <= tops
    assert not tops & {"moto", "pytest", "boto3", "botocore", "devstack", "tests", "bench", "ops", "cfnlint"}
    assert "pynamodb" in tops and not any(t.startswith(("botocore", "boto3", "s3transfer", "urllib3")) for t in tops)
    assert not any(n.startswith("chalice/cli/") for n in names)
    assert any("aarch64" in n for n in names if n.startswith("msgspec/") and n.endswith(".so"))


def test_api_gateway_caches_the_authorizers_answer_no_longer_than_the_token_arithmetic_allows(template):
    from chalicelib import auth
    definitions = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["securityDefinitions"]
    ttl = definitions["token_authorizer"]["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"]
    assert ttl == auth.CACHE_SECONDS and auth.MAX_TOKEN_AGE + auth.LEEWAY_SECONDS + ttl <= 900
