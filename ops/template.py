"""The production template from Chalice's, a pure transform (tested without packaging): one Lambda function per
API operation with its own role (ops/iam.py), the authorizer's and the event handlers' functions; event source
mappings with partial batch failures, bisecting and an on-failure destination; the stage's throttling and
cache; X-Ray, contract-shaped gateway errors; SnapStart where the stage asks for it; and what operating it needs
(ops/monitoring.py: log groups with a retention, alarms on one topic, the dashboard)."""

import copy
import json
import math
import re
from typing import Dict, List

from ops import edge, iam, monitoring, needs
from ops.operations import Function

# What `production` in a stage of .chalice/config.json may set, and what it is when the stage says nothing.
# API Gateway's default account quota is 10,000 requests/s with a burst of 5,000: a stage limit below it
# throttles the whole shop before the account would.
DEFAULT_OPTIONS = {
    "throttle": {"rate": 10000, "burst": 5000},
    "method_throttles": {},
    "cache_ttl": 30,
    "log_retention_days": 30,
    "snapstart": False,
    "arch": "arm64",
}
ALIAS = "live"
MEMORY = {
    "default": 512,
    "PublishOrderEvents": 256,
    "DeliverNotifications": 256,
    "CheckReservations": 256,
    "TokenAuthorizer": 256,
}
# the sweep is scheduled (no API Gateway in front): it settles every order left in flight, each with a few Stripe
# calls, and what it has not reached when its time runs out is the next run's
TIMEOUT = {
    "default": 10,
    "DeliverNotifications": 30,
    "PublishOrderEvents": 30,
    # a batch of 5 checks, each two Stripe calls at their slowest when it abandons (the queue's visibility
    # timeout, 300 s, is above it)
    "CheckReservations": 120,
    "SweepPayments": 240,
}
# API Gateway answers 504 after 29 s whatever the function does; a function that calls Stripe waits for Stripe's
# slowest answers (chalicelib/payments/stripe_transport.py) plus its own work (DynamoDB, the cold start's imports)
API_GATEWAY_SECONDS = 29
STRIPE_CALLER = "secretsmanager:GetSecretValue:stripe"
OWN_WORK_SECONDS = 2
CACHED_GETS = {
    "/products": ("category", "limit", "cursor"),
    "/products/{product_id}": (),
    "/categories": (),
}


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
        resources[fn.logical_id + "Role"] = iam.role(fn, stage_settings)
        resources[fn.logical_id + "InvokePermission"] = _invoke_permission(fn)
        integration = paths[fn.path][fn.method.lower()]["x-amazon-apigateway-integration"]
        integration["uri"] = {
            "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
            f"functions/${{{fn.logical_id}.Arn}}/invocations"
        }
        if fn.method == "GET" and fn.path in CACHED_GETS:
            _cache_keys(paths[fn.path]["get"], CACHED_GETS[fn.path])

    authorizer = Function("TokenAuthorizer", "chalicelib.auth.token_authorizer", ())
    for fn in [authorizer] + handlers:
        resource = resources[fn.logical_id]
        resource["Properties"]["Environment"]["Variables"] = dict(environment)
        if fn in handlers:  # app.py without any blueprint: an event handler serves no route
            resource["Properties"]["Environment"]["Variables"]["SHOP_BLUEPRINTS"] = ""
        _production_settings(resource, fn, options)
        resources[fn.logical_id + "Role"] = iam.role(fn, stage_settings)

    publish = resources["PublishOrderEvents"]["Properties"]["Events"][
        "PublishOrderEventsDynamodbEventSource"
    ]
    publish["Properties"].update(
        {
            "Stream": {"Fn::GetAtt": ["OrdersTable", "StreamArn"]},
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 5,
            "MaximumRecordAgeInSeconds": 86400,
            "DestinationConfig": {
                "OnFailure": {"Destination": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}}
            },
        }
    )
    deliver = resources["DeliverNotifications"]["Properties"]
    deliver["Events"]["DeliverNotificationsSqsEventSource"]["Properties"].update(
        {
            "Queue": {"Fn::GetAtt": ["NotificationsQueue", "Arn"]},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
    )
    deliver["Environment"]["Variables"]["SHOP_PARTIAL_BATCH_RESPONSE"] = "true"
    checker = resources["CheckReservations"]["Properties"]
    checker["Events"]["CheckReservationsSqsEventSource"]["Properties"].update(
        {
            "Queue": {"Fn::GetAtt": ["ReservationChecksQueue", "Arn"]},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
    )
    checker["Environment"]["Variables"]["SHOP_PARTIAL_BATCH_RESPONSE"] = "true"

    api_properties = resources["RestAPI"]["Properties"]
    api_properties.update(
        {
            "TracingEnabled": True,
            "CacheClusterEnabled": True,
            "CacheClusterSize": "0.5",
            "MethodSettings": method_settings(api, options),
        }
    )
    # API Gateway's own answers (the contract's errors, the security headers) and the web ACL
    edge.apply(t)
    if options["snapstart"]:
        _snapstart(t, api, [authorizer] + handlers)
    for output in ("APIHandlerArn", "APIHandlerName"):
        t.get("Outputs", {}).pop(output, None)
    monitoring.add(t, options)
    return t


def method_settings(api: List[Function], options: dict) -> List[dict]:
    """The stage's throttle on every method, the stage cache on the catalog's reads, and a tighter throttle on
    the operations named in `method_throttles` (each names what it protects in .chalice/config.json)."""
    limits = {f"{fn.method} {fn.path}": options["throttle"] for fn in api}
    unknown = set(options["method_throttles"]) - set(limits)
    if unknown:
        raise ValueError(
            f"method_throttles names operations the app does not have: {sorted(unknown)}"
        )
    limits.update(options["method_throttles"])
    stage = options["throttle"]
    settings = [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": stage["rate"],
            "ThrottlingBurstLimit": stage["burst"],
            "MetricsEnabled": True,
        }
    ]
    for operation in sorted(
        set(options["method_throttles"]) | {f"GET {path}" for path in CACHED_GETS}
    ):
        method, path = operation.split(" ", 1)
        setting = {
            "ResourcePath": "/" + path.replace("/", "~1"),
            "HttpMethod": method,
            "ThrottlingRateLimit": limits[operation]["rate"],
            "ThrottlingBurstLimit": limits[operation]["burst"],
        }
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
    if "secretsmanager:GetSecretValue:cursor-key" in fn.needs:
        items.append("cursor-key")
    if fn.logical_id == "TokenAuthorizer":
        items.append("signing-keys")
    return items


def _environment(chalice_variables: dict) -> dict:
    """The stage's settings, with the resources' real names and ids instead of values known only at deploy."""
    env = dict(chalice_variables)
    env.update(
        {
            "SHOP_USERS_TABLE": {"Ref": "UsersTable"},
            "SHOP_PRODUCTS_TABLE": {"Ref": "ProductsTable"},
            "SHOP_CARTS_TABLE": {"Ref": "CartsTable"},
            "SHOP_ORDERS_TABLE": {"Ref": "OrdersTable"},
            "SHOP_NOTIFICATIONS_TABLE": {"Ref": "NotificationsTable"},
            "SHOP_SESSIONS_TABLE": {"Ref": "SessionsTable"},
            "SHOP_NOTIFICATIONS_QUEUE": {"Fn::GetAtt": ["NotificationsQueue", "QueueName"]},
            "SHOP_RESERVATION_CHECKS_QUEUE": {
                "Fn::GetAtt": ["ReservationChecksQueue", "QueueName"]
            },
            "SHOP_USER_POOL_ID": {"Ref": "UserPool"},
            "SHOP_USER_POOL_CLIENT_ID": {"Ref": "UserPoolClient"},
            "SHOP_CURSOR_KEY_ID": {"Ref": "CursorKey"},
            "SHOP_SENDER_EMAIL": {"Ref": "SenderEmail"},
            "SHOP_PAYMENTS_TABLE": {"Ref": "PaymentsTable"},
            "SHOP_STRIPE_SECRET_ID": {"Ref": "StripeSecret"},
            "POWERTOOLS_SERVICE_NAME": "shop",
        }
    )
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
    props.update(
        {
            "Architectures": [options["arch"]],
            "Tracing": "Active",
            "Role": {"Fn::GetAtt": [fn.logical_id + "Role", "Arn"]},
            "MemorySize": MEMORY.get(fn.logical_id, MEMORY["default"]),
            "Timeout": timeout(fn),
            "CodeUri": "./deployment.zip",
        }
    )


def timeout(fn: Function) -> int:
    """Seconds: the function's own where it has one; for one that calls Stripe, time for its Stripe calls at
    their slowest and its own work (below API Gateway's limit); else the default."""
    if fn.logical_id in TIMEOUT:
        return TIMEOUT[fn.logical_id]
    if STRIPE_CALLER in fn.needs:
        return stripe_timeout()
    return TIMEOUT["default"]


def stripe_timeout() -> int:
    from chalicelib.payments import stripe_transport

    return math.ceil(
        stripe_transport.CALLS_PER_REQUEST * stripe_transport.worst_call_seconds()
        + OWN_WORK_SECONDS
    )


def _invoke_permission(fn: Function) -> dict:
    # API Gateway's ARN form: .../<stage>/<METHOD>/<path with parameters as *>
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": fn.logical_id},
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {
                "Fn::Sub": [
                    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPIId}/*/"
                    f"{fn.method}{_arn_path(fn.path)}",
                    {"RestAPIId": {"Ref": "RestAPI"}},
                ]
            },
        },
    }


def _arn_path(path: str) -> str:
    return re.sub(r"{[^}]+}", "*", path)


def _cache_keys(operation: dict, query: tuple) -> None:
    """API Gateway's stage cache keys on the path; list pages must also key on their query parameters."""
    parameters = operation.setdefault("parameters", [])
    integration = operation["x-amazon-apigateway-integration"]
    for name in query:
        parameters.append({"in": "query", "name": name, "required": False, "type": "string"})
    integration["cacheKeyParameters"] = [f"method.request.querystring.{n}" for n in query] + [
        f"method.request.path.{p['name']}" for p in parameters if p.get("in") == "path"
    ]
    integration["requestParameters"] = {
        f"integration.request.querystring.{n}": f"method.request.querystring.{n}" for n in query
    }


def named_functions(template: dict) -> Dict[str, dict]:
    return {
        k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"
    }
