"""`make package STAGE=prod`: `chalice package` with the resources of infra/, then the production changes
Chalice cannot make: one Lambda function per API operation, each with its own least-privilege role; event
source mappings with partial batch failures, bisecting and an on-failure destination; arm64, X-Ray, log
retention, stage throttling and the catalog cache; contract-shaped gateway errors; SnapStart when the stage
asks for it. Writes dist/<stage>/sam.json and dist/<stage>/deployment.zip, a zip rebuilt for the target
architecture with bytecode for everything it carries.
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
from typing import Dict, List, Optional

import yaml

from ops import needs
from ops.operations import Function, api_operations, event_handlers

ROOT = pathlib.Path(__file__).resolve().parent.parent
TABLES = {"users": "UsersTable", "products": "ProductsTable", "carts": "CartsTable", "orders": "OrdersTable",
          "notifications": "NotificationsTable"}
# What `production` in a stage of .chalice/config.json may set, and what it is when the stage says nothing.
# API Gateway's default account quota is 10,000 requests/s with a burst of 5,000: a stage limit below it
# throttles the whole shop before the account would.
DEFAULT_OPTIONS = {"throttle": {"rate": 10000, "burst": 5000}, "method_throttles": {}, "cache_ttl": 30,
                   "log_retention_days": 30, "snapstart": False, "arch": "arm64"}
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
# The Lambda runtime carries the SDK (with bytecode): the zip leaves it out unless bundle_sdk is asked for.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer")
APP_TOPS = ("app.py", "chalice", "chalicelib")  # what we keep of Chalice's own zip
ALIAS = "live"
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
    stage_settings = needs.settings_of(environment)

    for fn in api:
        resources[fn.logical_id] = _function(shared, fn, environment, options)
        resources[fn.logical_id + "Role"] = _role(fn, stage_settings)
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
        if fn in handlers:  # app.py without any blueprint: an event handler serves no route
            resource["Properties"]["Environment"]["Variables"]["SHOP_BLUEPRINTS"] = ""
        _production_settings(resource, fn, options)
        resources[fn.logical_id + "Role"] = _role(fn, stage_settings)
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
        "MethodSettings": method_settings(api, options),
        "GatewayResponses": {kind: {"StatusCode": status, "ResponseTemplates": {
            "application/json": json.dumps({"Code": code, "Message": message})}}
            for kind, (status, code, message) in GATEWAY_ERRORS.items()},
    })
    if options["snapstart"]:
        _snapstart(t, api, [authorizer] + handlers)
    for output in ("APIHandlerArn", "APIHandlerName"):
        t.get("Outputs", {}).pop(output, None)
    return t


def method_settings(api: List[Function], options: dict) -> List[dict]:
    """The stage's throttle on every method, the stage cache on the catalog's reads, and a tighter throttle on
    the operations named in `method_throttles` (each names what it protects in .chalice/config.json)."""
    limits = {f"{fn.method} {fn.path}": options["throttle"] for fn in api}
    unknown = set(options["method_throttles"]) - set(limits)
    if unknown:
        raise ValueError(f"method_throttles names operations the app does not have: {sorted(unknown)}")
    limits.update(options["method_throttles"])
    stage = options["throttle"]
    settings = [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": stage["rate"],
                 "ThrottlingBurstLimit": stage["burst"], "MetricsEnabled": True}]
    for operation in sorted(set(options["method_throttles"]) | {f"GET {path}" for path in CACHED_GETS}):
        method, path = operation.split(" ", 1)
        setting = {"ResourcePath": "/" + path.replace("/", "~1"), "HttpMethod": method,
                   "ThrottlingRateLimit": limits[operation]["rate"], "ThrottlingBurstLimit": limits[operation]["burst"]}
        if method == "GET" and path in CACHED_GETS:
            setting.update({"CachingEnabled": True, "CacheTtlInSeconds": options["cache_ttl"]})
        settings.append(setting)
    return settings


def _snapstart(template: dict, api: List[Function], others: List[Function]) -> None:
    """Published versions with a snapshot each, and an alias that everything invokes: API Gateway's integrations,
    the authorizer and the permissions name the alias; SAM points the event source mappings at it by itself."""
    resources = template["Resources"]
    runtime = resources[api[0].logical_id]["Properties"]["Runtime"]
    if tuple(int(n) for n in runtime.removeprefix("python").split(".")) < (3, 12):
        raise ValueError(f"SnapStart needs python3.12 or later; the template says {runtime}")
    for fn in api + others:
        props = resources[fn.logical_id]["Properties"]
        props.update({"AutoPublishAlias": ALIAS, "SnapStart": {"ApplyOn": "PublishedVersions"}})
        props["Environment"]["Variables"]["SHOP_PRIME"] = ",".join(priming(fn))
        permission = resources.get(fn.logical_id + "InvokePermission")
        if permission:
            permission["Properties"]["FunctionName"] = {"Ref": f"{fn.logical_id}Alias{ALIAS}"}
    body = json.dumps(resources["RestAPI"]["Properties"]["DefinitionBody"])
    for fn in api + others:
        body = body.replace(f"${{{fn.logical_id}.Arn}}", f"${{{fn.logical_id}Alias{ALIAS}}}")
    resources["RestAPI"]["Properties"]["DefinitionBody"] = json.loads(body)


def priming(fn: Function) -> List[str]:
    """What a function prepares before its snapshot: the clients its declared needs use, the cursor-signing key
    if it may read it, the pool's signing keys for the authorizer. Nothing it is not allowed to touch."""
    services = sorted({need.split(":")[0] for need in fn.needs})
    items = [f"client:{service}" for service in services]
    if "secretsmanager:GetSecretValue" in fn.needs:
        items.append("cursor-key")
    if fn.logical_id == "TokenAuthorizer":
        items.append("signing-keys")
    return items


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
    blueprint = blueprint_of(fn)
    if blueprint:
        resource["Properties"]["Environment"]["Variables"]["SHOP_BLUEPRINTS"] = blueprint
    resource["Properties"]["Description"] = f"{fn.method} {fn.path}"
    _production_settings(resource, fn, options)
    return resource


def blueprint_of(fn: Function) -> str:
    """The one blueprint (app.BLUEPRINTS) an API function's app registers, or "" for all of them: the API
    document (in the system blueprint) describes every route, so its blueprint's functions load every one."""
    import app
    name = next(name for name, module in app.BLUEPRINTS.items() if module == fn.module)
    return "" if name == "system" else name


def _production_settings(resource: dict, fn: Function, options: dict) -> None:
    props = resource["Properties"]
    props.update({"Architectures": [options["arch"]], "Tracing": "Active", "Role": {"Fn::GetAtt": [fn.logical_id + "Role", "Arn"]},
                  "MemorySize": MEMORY.get(fn.logical_id, MEMORY["default"]),
                  "Timeout": TIMEOUT.get(fn.logical_id, TIMEOUT["default"]),
                  "CodeUri": "./deployment.zip"})
    resource["DependsOn"] = [fn.logical_id + "Logs"]


def _role(fn: Function, settings: dict) -> dict:
    statements = [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                   "Resource": {"Fn::GetAtt": [fn.logical_id + "Logs", "Arn"]}},
                  {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}]
    statements += statements_for(fn.needs, settings)
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


def statements_for(declared, settings: Optional[dict] = None) -> List[dict]:
    """IAM statements for declared needs (ops/needs.py), each on the resources it names; attributes become a
    `dynamodb:Attributes` condition. With the stage's `settings`, needs that depend on a setting the stage
    leaves off are not granted."""
    statements = []
    for need in (needs.granted(declared, settings) if settings is not None else map(needs.parse, declared)):
        service, action = need.service, need.action
        condition = None
        if service == "dynamodb":
            resources = [{"Fn::GetAtt": [TABLES[n], "Arn"]} for n in need.tables]
            if action == "Query":
                resources += [{"Fn::Sub": f"${{{TABLES[n]}.Arn}}/index/*"} for n in need.tables]
            if need.attributes is not None:
                condition = {"ForAllValues:StringEquals": {"dynamodb:Attributes": list(need.attributes)}}
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
        statement = {"Effect": "Allow", "Action": [need.iam_action], "Resource": resources}
        if condition:
            statement["Condition"] = condition
        statements.append(statement)
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

def stage_options(stage: str, config: dict = None) -> dict:
    """DEFAULT_OPTIONS with what the stage's `production` section of .chalice/config.json sets."""
    config = config or json.loads((ROOT / ".chalice" / "config.json").read_text())
    options = copy.deepcopy(DEFAULT_OPTIONS)
    options.update(config["stages"][stage].get("production", {}))
    unknown = set(options) - set(DEFAULT_OPTIONS)
    if unknown:
        raise ValueError(f"unknown production options for stage {stage}: {sorted(unknown)}")
    return options


def build(stage: str, out: pathlib.Path, arch: str = None, bundle_sdk: bool = False,
          with_zip: bool = True) -> pathlib.Path:
    """dist/<stage>/sam.json and deployment.zip; `arch` overrides the stage's (x86_64 for this machine's bench)."""
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
    check_runtime(template["Resources"]["APIHandler"]["Properties"]["Runtime"])
    sys.path.insert(0, str(ROOT))
    from app import app
    options = stage_options(stage)
    options["arch"] = arch or options["arch"]
    result = transform(template, api_operations(app), event_handlers(), options)
    (out / "sam.json").write_text(json.dumps(result, indent=1, sort_keys=True))
    if with_zip:
        build_zip(chalice_out / "deployment.zip", out / "deployment.zip", options["arch"], bundle_sdk)
    shutil.rmtree(chalice_out)
    merge.unlink()
    return out


def check_runtime(runtime: str) -> None:
    """Chalice names the runtime after the Python that runs it, and the zip's bytecode is that Python's:
    they must be the same version, or every .pyc would be ignored in Lambda."""
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime != running:
        raise RuntimeError(f"the template says {runtime} but the bytecode would be {running}'s")


def build_zip(chalice_zip: pathlib.Path, target: pathlib.Path, arch: str, bundle_sdk: bool = False) -> None:
    """The app and Chalice's runtime from Chalice's zip; the requirements as wheels for `arch` and this Python;
    the SDK only if `bundle_sdk` (else the runtime's); bytecode for every module, written by this Python."""
    with tempfile.TemporaryDirectory() as site_dir:
        site = pathlib.Path(site_dir)
        requirements = ["-r", str(ROOT / "requirements.txt")] + ([sdk_pin()] if bundle_sdk else [])
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", site_dir, "--no-compile",
                              "--platform", PLATFORMS[arch], "--implementation", "cp", "--python-version",
                              f"{sys.version_info.major}.{sys.version_info.minor}", "--only-binary=:all:",
                              *requirements], capture_output=True, text=True)
        if pip.returncode:
            raise RuntimeError(f"pip could not fetch the {arch} dependencies:\n{pip.stdout}{pip.stderr}")
        if not bundle_sdk:
            for distribution in brought_only_by_sdk(site):
                _uninstall(site, distribution)
        shutil.rmtree(site / "bin", ignore_errors=True)
        with zipfile.ZipFile(chalice_zip) as source:
            source.extractall(site, [n for n in source.namelist() if n.split("/")[0] in APP_TOPS])
        subprocess.run([sys.executable, "-m", "compileall", "-q", "-q", "-j", "0", "--invalidation-mode",
                        "unchecked-hash", site_dir], check=True)
        _write_zip(site, target)


def sdk_pin() -> str:
    """boto3 at the version the local stack and the tests use (requirements-local.txt)."""
    text = (ROOT / "requirements-local.txt").read_text()
    return re.search(r"^boto3==\S+", text, re.MULTILINE).group(0)


def brought_only_by_sdk(site: pathlib.Path) -> List[str]:
    """The SDK's distributions and whatever only they need (dateutil, urllib3, ...), by the installed metadata."""
    from importlib.metadata import distributions
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    installed = {canonicalize_name(d.metadata["Name"]): d for d in distributions(path=[str(site)])}

    def closure(roots, skip=()) -> set:
        seen, todo = set(), [Requirement(r) for r in roots]
        while todo:
            requirement = todo.pop()
            name = canonicalize_name(requirement.name)
            if name in seen or name in skip or name not in installed:
                continue
            seen.add(name)
            for spec in installed[name].requires or []:
                dependency = Requirement(spec)
                extras = requirement.extras or {""}
                if dependency.marker is None or any(dependency.marker.evaluate({"extra": e}) for e in extras):
                    todo.append(dependency)
        return seen

    ours = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    return sorted(closure(RUNTIME_SDK) - closure([line for line in ours if line], skip=RUNTIME_SDK))


def _uninstall(site: pathlib.Path, name: str) -> None:
    from importlib.metadata import distributions
    from packaging.utils import canonicalize_name
    distribution = next(d for d in distributions(path=[str(site)]) if canonicalize_name(d.metadata["Name"]) == name)
    folders = set()
    for file in distribution.files:
        path = site / file
        folders.add(path.parent)
        path.unlink(missing_ok=True)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != site and folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _write_zip(site: pathlib.Path, target: pathlib.Path) -> None:
    """Entries in name order with a fixed date, so the same inputs make the same zip (and SAM publishes no new
    version, nor SnapStart a new snapshot, for an unchanged function)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zip_out:
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(path.relative_to(site).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = (0o100755 if os.access(path, os.X_OK) else 0o100644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zip_out.writestr(entry, path.read_bytes())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="package")
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), help="overrides the stage's (default arm64)")
    args = parser.parse_args(argv)
    out = build(args.stage, ROOT / "dist" / args.stage, arch=args.arch)
    functions = named_functions(json.loads((out / "sam.json").read_text()))
    size = (out / "deployment.zip").stat().st_size
    print(f"{out / 'sam.json'}: {len(functions)} functions; {out / 'deployment.zip'}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
