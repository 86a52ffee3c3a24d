"""API Gateway proxy events, as Lambda hands them to the entry point."""

import json


def event(
    method: str,
    path: str,
    resource: str = None,
    params=None,
    body=None,
    headers=None,
    user_id: str = "",
    groups: str = "",
) -> dict:
    context = {
        "resourcePath": resource or path,
        "httpMethod": method,
        "requestId": "bench",
        "path": path,
        "stage": "api",
    }
    if user_id:
        context["authorizer"] = {"principalId": user_id, "user_id": user_id, "groups": groups}
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": params,
        "stageVariables": None,
        "requestContext": context,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


class Context:
    function_name = "shop-bench"
    memory_limit_in_mb = 128
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:shop-bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000
