"""`make package STAGE=prod`: `chalice package` with the resources of infra/, then the production changes
Chalice cannot make: one Lambda function per API operation, each with its own least-privilege role; event
source mappings with partial batch failures, bisecting and an on-failure destination; arm64, X-Ray, log
retention, stage throttling and the catalog cache; contract-shaped gateway errors. Writes dist/<stage>/sam.json
and dist/<stage>/deployment.zip.
"""
import argparse
import copy
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from typing import Dict, List

import yaml

from ops.operations import Function, api_operations, event_handlers

ROOT = pathlib.Path(__file__).resolve().parent.parent
TABLES = {"users": "UsersTable", "products": "ProductsTable", "carts": "CartsTable", "orders": "OrdersTable",
          "notifications": "NotificationsTable"}
MEMORY = {"default": 512, "PublishOrderEvents": 256, "DeliverNotifications": 256, "TokenAuthorizer": 256}
TIMEOUT = {"default": 10, "DeliverNotifications": 30, "PublishOrderEvents": 30}
CACHED_GETS = {"/products": ("category", "limit", "cursor"), "/products/{product_id}": (), "/categories": ()}
GATEWAY_ERRORS = {"UNAUTHORIZED": ("401", "UnauthorizedError", "a bearer token is required"),
                  "ACCESS_DENIED": ("403", "ForbiddenError", "the token was refused"),
                  "THROTTLED": ("429", "TooManyRequestsError", "too many requests; slow down"),
                  "REQUEST_TOO_LARGE": ("413", "RequestEntityTooLargeError", "request body over the limit"),
                  "UNSUPPORTED_MEDIA_TYPE": ("415", "UnsupportedMediaType", "the body must be application/json"),
                  "MISSING_AUTHENTICATION_TOKEN": ("404", "NotFoundError", "no such route")}


def transform(template: dict, api: List[Function], handlers: List[Function], options: dict) -> dict:
    """The production template from Chalice's: pure, so it is tested without packaging."""
    t = copy.deepcopy(template)
    resources = t["Resources"]
    shared = resources.pop("APIHandler")
    resources.pop("APIHandlerInvokePermission")
    resources.pop("DefaultRole")
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    environment = _environment(shared["Properties"]["Environment"]["Variables"])

    for fn in api:
        resources[fn.logical_id] = _function(shared, fn, environment, options)
        resources[fn.logical_id + "Role"] = _role(fn)
        resources[fn.logical_id + "InvokePermission"] = _invoke_permission(fn)
        resources[fn.logical_id + "Logs"] = _log_group(fn.logical_id, options)
        integration = paths[fn.path][fn.method.lower()]["x-amazon-apigateway-integration"]
        integration["uri"] = {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                                         f"functions/${{{fn.logical_id}.Arn}}/invocations"}
        if fn.method == "GET" and fn.path in CACHED_GETS:
            _cache_keys(paths[fn.path]["get"], CACHED_GETS[fn.path])

    authorizer = Function("TokenAuthorizer", "chalicelib.auth.token_authorizer", ())
    for fn in [authorizer] + handlers:
        resource = resources[fn.logical_id]
        resource["Properties"]["Environment"]["Variables"] = dict(environment)
        _production_settings(resource, fn, options)
        resources[fn.logical_id + "Role"] = _role(fn)
        resources[fn.logical_id + "Logs"] = _log_group(fn.logical_id, options)

    publish = resources["PublishOrderEvents"]["Properties"]["Events"]["PublishOrderEventsDynamodbEventSource"]
    publish["Properties"].update({
        "Stream": {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}, "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5, "MaximumRecordAgeInSeconds": 86400,
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}}}})
    deliver = resources["DeliverNotifications"]["Properties"]
    deliver["Events"]["DeliverNotificationsSqsEventSource"]["Properties"].update({
        "Queue": {"Fn::GetAtt": ["NotificationsQueue", "Arn"]}, "FunctionResponseTypes": ["ReportBatchItemFailures"]})
    deliver["Environment"]["Variables"]["SHOP_PARTIAL_BATCH_RESPONSE"] = "true"

    api_properties = resources["RestAPI"]["Properties"]
    api_properties.update({
        "TracingEnabled": True, "CacheClusterEnabled": True, "CacheClusterSize": "0.5",
        "MethodSettings": [
            {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": options["rate"],
             "ThrottlingBurstLimit": options["burst"], "MetricsEnabled": True},
            *[{"ResourcePath": "/" + path.replace("/", "~1"), "HttpMethod": "GET", "CachingEnabled": True,
               "CacheTtlInSeconds": options["cache_ttl"], "ThrottlingRateLimit": options["rate"],
               "ThrottlingBurstLimit": options["burst"]} for path in CACHED_GETS]],
        "GatewayResponses": {kind: {"StatusCode": status, "ResponseTemplates": {
            "application/json": json.dumps({"Code": code, "Message": message})}}
            for kind, (status, code, message) in GATEWAY_ERRORS.items()},
    })
    for output in ("APIHandlerArn", "APIHandlerName"):
        t.get("Outputs", {}).pop(output, None)
    return t


def _environment(chalice_variables: dict) -> dict:
    """The stage's settings, with the resources' real names and ids instead of values known only at deploy."""
    env = dict(chalice_variables)
    env.update({
        "SHOP_USERS_TABLE": {"Ref": "UsersTable"}, "SHOP_PRODUCTS_TABLE": {"Ref": "ProductsTable"},
        "SHOP_CARTS_TABLE": {"Ref": "CartsTable"}, "SHOP_ORDERS_TABLE": {"Ref": "OrdersTable"}, "SHOP_NOTIFICATIONS_TABLE": {"Ref": "NotificationsTable"},
        "SHOP_NOTIFICATIONS_QUEUE": {"Fn::GetAtt": ["NotificationsQueue", "QueueName"]},
        "SHOP_USER_POOL_ID": {"Ref": "UserPool"}, "SHOP_USER_POOL_CLIENT_ID": {"Ref": "UserPoolClient"},
        "SHOP_CURSOR_KEY_ID": {"Ref": "CursorKey"}, "SHOP_SENDER_EMAIL": {"Ref": "SenderEmail"},
        "POWERTOOLS_SERVICE_NAME": "shop",
    })
    return env


def _function(shared: dict, fn: Function, environment: dict, options: dict) -> dict:
    resource = copy.deepcopy(shared)
    resource["Properties"]["Environment"]["Variables"] = dict(environment)
    resource["Properties"]["Description"] = f"{fn.method} {fn.path}"
    _production_settings(resource, fn, options)
    return resource


def _production_settings(resource: dict, fn: Function, options: dict) -> None:
    props = resource["Properties"]
    props.update({"Architectures": ["arm64"], "Tracing": "Active", "Role": {"Fn::GetAtt": [fn.logical_id + "Role", "Arn"]},
                  "MemorySize": MEMORY.get(fn.logical_id, MEMORY["default"]),
                  "Timeout": TIMEOUT.get(fn.logical_id, TIMEOUT["default"]),
                  "CodeUri": "./deployment.zip"})
    resource["DependsOn"] = [fn.logical_id + "Logs"]


def _role(fn: Function) -> dict:
    statements = [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                   "Resource": {"Fn::GetAtt": [fn.logical_id + "Logs", "Arn"]}},
                  {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}]
    statements += statements_for(fn.needs)
    if fn.logical_id == "PublishOrderEvents":
        statements.append({"Effect": "Allow", "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                                          "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                           "Resource": {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}})
        statements.append({"Effect": "Allow", "Action": ["sqs:SendMessage"],
                           "Resource": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}})
    if fn.logical_id == "DeliverNotifications":
        statements.append({"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                          "sqs:GetQueueAttributes"],
                           "Resource": {"Fn::GetAtt": ["NotificationsQueue", "Arn"]}})
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": f"{fn.logical_id}Access",
                      "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]}}


def statements_for(needs) -> List[dict]:
    """IAM statements for declared needs: `service:Action[:table,table]`, each on the resources it names."""
    statements = []
    for need in needs:
        service, action, *tables = need.split(":")
        if service == "dynamodb":
            names = tables[0].split(",")
            resources = [{"Fn::GetAtt": [TABLES[n], "Arn"]} for n in names]
            if action == "Query":
                resources += [{"Fn::Sub": f"${{{TABLES[n]}.Arn}}/index/*"} for n in names]
        elif service == "cognito-idp":
            resources = [{"Fn::GetAtt": ["UserPool", "Arn"]}]
        elif service == "secretsmanager":
            resources = [{"Ref": "CursorKey"}]
        elif service == "sqs":
            resources = [{"Fn::GetAtt": ["NotificationsQueue", "Arn"]}]
        elif service == "ses":
            resources = [{"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderEmail}"}]
        else:
            raise ValueError(f"unknown service in need {need!r}")
        statements.append({"Effect": "Allow", "Action": [f"{service}:{action}"], "Resource": resources})
    return statements


def _invoke_permission(fn: Function) -> dict:
    # API Gateway's ARN form: .../<stage>/<METHOD>/<path with parameters as *>
    return {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": fn.logical_id}, "Principal": "apigateway.amazonaws.com",
        "SourceArn": {"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPIId}/*/"
                                  f"{fn.method}{_arn_path(fn.path)}", {"RestAPIId": {"Ref": "RestAPI"}}]}}}


def _arn_path(path: str) -> str:
    return re.sub(r"{[^}]+}", "*", path)


def _log_group(logical_id: str, options: dict) -> dict:
    return {"Type": "AWS::Logs::LogGroup", "Properties": {
        "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{AWS::StackName}}-{logical_id}"},
        "RetentionInDays": options["log_retention_days"]}}


def _cache_keys(operation: dict, query: tuple) -> None:
    """API Gateway's stage cache keys on the path; list pages must also key on their query parameters."""
    parameters = operation.setdefault("parameters", [])
    integration = operation["x-amazon-apigateway-integration"]
    for name in query:
        parameters.append({"in": "query", "name": name, "required": False, "type": "string"})
    integration["cacheKeyParameters"] = [f"method.request.querystring.{n}" for n in query] + \
        [f"method.request.path.{p['name']}" for p in parameters if p.get("in") == "path"]
    integration["requestParameters"] = {f"integration.request.querystring.{n}": f"method.request.querystring.{n}"
                                        for n in query}


def named_functions(template: dict) -> Dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}


# --- building -------------------------------------------------------------------------------------

def build(stage: str, out: pathlib.Path, arm64: bool = True) -> pathlib.Path:
    out.mkdir(parents=True, exist_ok=True)
    merge = out / "resources.json"
    merge.write_text(json.dumps(yaml.safe_load((ROOT / "infra" / "template.yaml").read_text())))
    chalice_out = out / "chalice"
    shutil.rmtree(chalice_out, ignore_errors=True)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    env.pop("AWS_ENDPOINT_URL", None)
    subprocess.run([str(pathlib.Path(sys.executable).parent / "chalice"), "package", "--stage", stage, "--merge-template", str(merge),
                    str(chalice_out)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    template = json.loads((chalice_out / "sam.json").read_text())
    sys.path.insert(0, str(ROOT))
    from app import app
    settings = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage].get("production", {})
    options = {"rate": 100, "burst": 200, "cache_ttl": 30, "log_retention_days": 30, **settings}
    result = transform(template, api_operations(app), event_handlers(), options)
    (out / "sam.json").write_text(json.dumps(result, indent=1, sort_keys=True))
    zip_path = out / "deployment.zip"
    if arm64:
        rebuild_for_arm64(chalice_out / "deployment.zip", zip_path)
    else:
        shutil.copy(chalice_out / "deployment.zip", zip_path)
    shutil.rmtree(chalice_out)
    merge.unlink()
    return out


# what the Lambda Python runtime already provides (PynamoDB depends on botocore): not shipped, so no cold start
# compiles botocore from the zip's sources
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


def _runtime_provided(top: str) -> bool:
    name = top.split("-")[0].replace("python_dateutil", "dateutil").removesuffix(".py")
    return name in RUNTIME_PROVIDED


def rebuild_for_arm64(chalice_zip: pathlib.Path, target: pathlib.Path) -> None:
    """Chalice builds its zip for x86_64; our compiled dependencies (msgspec, cryptography, cffi) need the
    aarch64 wheels. Keep the app and Chalice's runtime from its zip and install the requirements for arm64."""
    with tempfile.TemporaryDirectory() as site:
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", site, "--platform",
                              "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.11",
                              "--only-binary=:all:", "-r", str(ROOT / "requirements.txt")], capture_output=True, text=True)
        if pip.returncode:
            raise RuntimeError(f"pip could not fetch the arm64 dependencies:\n{pip.stdout}{pip.stderr}")
        with zipfile.ZipFile(chalice_zip) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zip_out:
            for entry in source.infolist():
                if entry.filename.split("/")[0] in ("app.py", "chalice", "chalicelib"):
                    zip_out.writestr(entry, source.read(entry))
            for path in sorted(pathlib.Path(site).rglob("*")):
                relative = path.relative_to(site)
                if path.is_file() and relative.parts[0] != "bin" and "__pycache__" not in relative.parts \
                        and not _runtime_provided(relative.parts[0]):
                    zip_out.write(path, str(relative))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="package")
    parser.add_argument("--stage", default="prod")
    args = parser.parse_args(argv)
    out = build(args.stage, ROOT / "dist" / args.stage)
    functions = named_functions(json.loads((out / "sam.json").read_text()))
    size = (out / "deployment.zip").stat().st_size
    print(f"{out / 'sam.json'}: {len(functions)} functions; {out / 'deployment.zip'}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
