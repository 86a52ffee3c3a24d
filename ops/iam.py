"""IAM from declared needs: each function's own role holds exactly the access its operation (or event handler)
declares, read by ops/needs.py: tables, attributes, and stage settings."""

from typing import List, Optional

from ops import logs, needs
from ops.operations import Function

TABLES = {
    "users": "UsersTable",
    "products": "ProductsTable",
    "carts": "CartsTable",
    "orders": "OrdersTable",
    "notifications": "NotificationsTable",
    "payments": "PaymentsTable",
    "sessions": "SessionsTable",
}
SECRETS = {"cursor-key": "CursorKey", "stripe": "StripeSecret"}
QUEUES = {
    "notifications": "NotificationsQueue",
    "stream-failures": "StreamFailureQueue",
    "reservation-checks": "ReservationChecksQueue",
}
STREAM_ACTIONS = {"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"}


def role(fn: Function, settings: dict) -> dict:
    """A function's own role: its log group, X-Ray, and exactly what it declares it needs."""
    statements = [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": [logs.group_of(fn.logical_id), "Arn"]},
        },
        {
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        },
    ]
    statements += statements_for(fn.needs, settings)
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": f"{fn.logical_id}Access",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


def statements_for(declared, settings: Optional[dict] = None) -> List[dict]:
    """IAM statements for declared needs (ops/needs.py), each on the resources it names; attributes become a
    `dynamodb:Attributes` condition. With the stage's `settings`, needs that depend on a setting the stage
    leaves off are not granted."""
    statements = []
    for need in (
        needs.granted(declared, settings) if settings is not None else map(needs.parse, declared)
    ):
        service, action = need.service, need.action
        condition = None
        if service == "dynamodb" and action in STREAM_ACTIONS:
            resources = [{"Fn::GetAtt": [TABLES[n], "StreamArn"]} for n in need.tables]
        elif service == "dynamodb":
            resources = [{"Fn::GetAtt": [TABLES[n], "Arn"]} for n in need.tables]
            if action == "Query":
                resources += [{"Fn::Sub": f"${{{TABLES[n]}.Arn}}/index/*"} for n in need.tables]
            if need.attributes is not None:
                condition = {
                    "ForAllValues:StringEquals": {"dynamodb:Attributes": list(need.attributes)}
                }
        elif service == "cognito-idp":
            resources = [{"Fn::GetAtt": ["UserPool", "Arn"]}]
        elif service == "secretsmanager":
            resources = [{"Ref": SECRETS[n]} for n in need.tables]
        elif service == "sqs":
            resources = [
                {"Fn::GetAtt": [QUEUES[n], "Arn"]} for n in need.tables or ("notifications",)
            ]
        elif service == "ses":
            resources = [
                {
                    "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderEmail}"
                }
            ]
        else:
            raise ValueError(f"unknown service in need {need!r}")
        statement = {"Effect": "Allow", "Action": [need.iam_action], "Resource": resources}
        if condition:
            statement["Condition"] = condition
        statements.append(statement)
    return statements
