"""API Gateway's own answers and the web ACL in front of the production stage.

API Gateway answers some requests without the app: the authorizer's refusals, paths and methods the API does not
define, throttling, and its own failures. Their gateway responses get the contract's error shape and the headers
every answer carries (chalicelib/http/middleware.py has the app's). SAM's `GatewayResponses` property writes them
into the API's definition (x-amazon-apigateway-gateway-responses), so a change redeploys the stage; separate
AWS::ApiGateway::GatewayResponse resources would not, and would collide with those.

An AWS WAF web ACL on the stage limits each source address on the account routes (`/auth/*`, `POST /users` and
its confirmation) before they reach a function; the app's own sign-in limit (per email) stands behind it.
"""

import json
from typing import Dict, Tuple

from chalicelib.http.middleware import NOT_STORED, SECURITY_HEADERS

# response type: (status, the contract's error code, message)
GATEWAY_ERRORS: Dict[str, Tuple[str, str, str]] = {
    "UNAUTHORIZED": ("401", "UnauthorizedError", "a bearer token is required"),
    "ACCESS_DENIED": ("403", "ForbiddenError", "the token was refused"),
    "THROTTLED": ("429", "TooManyRequestsError", "too many requests; slow down"),
    "WAF_FILTERED": (
        "429",
        "TooManyRequestsError",
        "too many requests from this address; slow down",
    ),
    "REQUEST_TOO_LARGE": ("413", "RequestEntityTooLargeError", "request body over the limit"),
    "UNSUPPORTED_MEDIA_TYPE": ("415", "UnsupportedMediaType", "the body must be application/json"),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NotFoundError", "no such route"),
    "DEFAULT_4XX": ("", "BadRequestError", "the request was refused"),
    "DEFAULT_5XX": ("", "ServiceUnavailableError", "the shop could not answer; retry shortly"),
}
# how long to wait after each refusal that asks for it (the web ACL counts over 5 minutes)
RETRY_AFTER = {"THROTTLED": "1", "WAF_FILTERED": "60", "DEFAULT_5XX": "1"}

AUTH_REQUESTS_PER_5_MINUTES = 300  # per source address: a shared office's sign-ins and renewals fit
EVALUATION_SECONDS = 300


def gateway_headers(kind: str) -> Dict[str, str]:
    """The headers of one of API Gateway's own answers: those of every answer, and Retry-After where it waits."""
    headers = {**SECURITY_HEADERS, **NOT_STORED}
    if kind in RETRY_AFTER:
        headers["Retry-After"] = RETRY_AFTER[kind]
    return headers


def gateway_responses() -> Dict[str, dict]:
    """SAM's GatewayResponses: a status where the type's own is not kept (the DEFAULT_ ones keep each type's),
    the contract's body, and every header as a literal (quoted, as API Gateway's mapping syntax wants)."""
    responses = {}
    for kind, (status, code, message) in GATEWAY_ERRORS.items():
        body = json.dumps({"Code": code, "Message": message})
        # API Gateway's own words for what it refused (a JSON string already)
        if kind == "DEFAULT_4XX":
            body = '{"Code": "%s", "Message": $context.error.messageString}' % code
        response = {
            "ResponseTemplates": {"application/json": body},
            "ResponseParameters": {
                "Headers": {k: f"'{v}'" for k, v in gateway_headers(kind).items()}
            },
        }
        if status:
            response["StatusCode"] = status
        responses[kind] = response
    return responses


def web_acl(stage_name: str) -> Dict[str, dict]:
    """A regional web ACL on the API's stage: one rate-based rule per source address over the account routes."""
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}
    rule = {
        "Name": "account-routes-per-address",
        "Priority": 0,
        "Action": {"Block": {}},
        "VisibilityConfig": {**visibility, "MetricName": "account-routes-per-address"},
        "Statement": {
            "RateBasedStatement": {
                "Limit": AUTH_REQUESTS_PER_5_MINUTES,
                "EvaluationWindowSec": EVALUATION_SECONDS,
                "AggregateKeyType": "IP",
                "ScopeDownStatement": _account_routes(stage_name),
            }
        },
    }
    return {
        "AccountRoutesWebAcl": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": {"Fn::Sub": "${AWS::StackName}-account-routes"},
                "Scope": "REGIONAL",
                "Description": "Limits each source address on the account routes: /auth/, POST /users, POST /users/confirm",
                "DefaultAction": {"Allow": {}},
                "Rules": [rule],
                "VisibilityConfig": {**visibility, "MetricName": "shop-edge"},
            },
        },
        "AccountRoutesWebAclAssociation": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {
                "WebACLArn": {"Fn::GetAtt": ["AccountRoutesWebAcl", "Arn"]},
                # ${RestAPI.Stage}: SAM's name for the stage it creates (and a dependency on it)
                "ResourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}"
                    "/stages/${RestAPI.Stage}"
                },
            },
        },
    }


def _account_routes(stage_name: str) -> dict:
    """`/auth/...` with any method, and `POST /users` or `/users/confirm`: the path as WAF sees it carries the
    stage (`/api/auth/token`) on API Gateway's own host, not behind a custom domain, so both forms match."""
    prefix = f"^(/{stage_name})?"
    decoded = [{"Priority": 0, "Type": "URL_DECODE"}]
    auth = {
        "RegexMatchStatement": {
            "RegexString": prefix + "/auth/",
            "FieldToMatch": {"UriPath": {}},
            "TextTransformations": decoded,
        }
    }
    users = {
        "RegexMatchStatement": {
            "RegexString": prefix + "/users(/confirm)?/?$",
            "FieldToMatch": {"UriPath": {}},
            "TextTransformations": decoded,
        }
    }
    post = {
        "ByteMatchStatement": {
            "SearchString": "POST",
            "PositionalConstraint": "EXACTLY",
            "FieldToMatch": {"Method": {}},
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        }
    }
    return {"OrStatement": {"Statements": [auth, {"AndStatement": {"Statements": [users, post]}}]}}


def apply(template: dict) -> None:
    """Gateway responses on the REST API and the web ACL on its stage, in place."""
    resources = template["Resources"]
    api = resources["RestAPI"]["Properties"]
    api["GatewayResponses"] = gateway_responses()
    resources.update(web_acl(api["StageName"]))
