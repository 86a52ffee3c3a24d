"""The role GitHub Actions deploys with: only this repository's environment may assume it, and it allows what
`make deploy` calls (as far as moto can run it) on the stage's own resources, and little else."""

import fnmatch
import io
import json
import zipfile

import boto3
import pytest

from devstack import template as infra
from ops import deploy, deploy_role

ACCOUNT, REGION, BUCKET = "123456789012", "us-east-1", "shop-deploy-artifacts"


@pytest.fixture(scope="module")
def prod_template(tmp_path_factory):
    from ops import package

    return json.loads(
        (package.build("prod", tmp_path_factory.mktemp("dist") / "prod") / "sam.json").read_text()
    )


def allowed(document: dict, action: str, resource: str) -> bool:
    return any(
        action in s["Action"]
        and any(fnmatch.fnmatchcase(resource, r) for r in _list(s["Resource"]))
        for s in document["Statement"]
    )


def _list(value):
    return [value] if isinstance(value, str) else value


class Calls:
    """The IAM action and resource of every call made through the clients it watches."""

    def __init__(self) -> None:
        self.made = set()

    def watch(self, client):
        client.meta.events.register("before-parameter-build", self._record)
        return client

    def _record(self, model, params, **_):
        service = model.service_model.signing_name
        self.made.add((f"{service}:{model.name}", _arn(service, params)))


def _arn(service: str, params: dict) -> str:
    if "StackName" in params:
        return f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{params['StackName']}/0b5c1e20"
    if "UUID" in params:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{params['UUID']}"
    if service == "lambda" and "FunctionName" in params and "EventSourceArn" not in params:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{params['FunctionName']}"
    if "RoleName" in params:
        return f"arn:aws:iam::{ACCOUNT}:role/{params['RoleName']}"
    if service == "s3":
        return f"arn:aws:s3:::{params['Bucket']}" + (f"/{params['Key']}" if "Key" in params else "")
    return "*"


def test_only_the_repositorys_environment_may_assume_the_role():
    (statement,) = deploy_role.trust(ACCOUNT, "acme/shop", "prod")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    }
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/shop:environment:production",
        }
    }


def test_the_dev_role_allows_every_call_make_deploy_makes(stack, tmp_path):
    """The resources stack, Chalice's record in the bucket, what `chalice deploy` makes for the consumer (its
    role, function and mapping), then the switch to partial batch failures: every call, as moto records it."""
    calls = Calls()
    cfn, s3 = calls.watch(boto3.client("cloudformation")), calls.watch(boto3.client("s3"))
    iam, lambda_ = calls.watch(boto3.client("iam")), calls.watch(boto3.client("lambda"))
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    outputs = deploy.deploy_resources(cfn, "dev")
    assert not deploy.restore_record(s3, BUCKET, tmp_path, "dev")
    role = iam.create_role(
        RoleName="shop-dev-deliver_notifications",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="shop-dev-deliver_notifications",
        PolicyName="shop-dev",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sqs:ReceiveMessage",
                        "Resource": outputs["NotificationsQueueArn"],
                    }
                ],
            }
        ),
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zip_file:
        zip_file.writestr("app.py", "def deliver_notifications(event, context):\n    return {}\n")
    lambda_.create_function(
        FunctionName="shop-dev-deliver_notifications",
        Runtime="python3.11",
        Role=role,
        Handler="app.deliver_notifications",
        Code={"ZipFile": code.getvalue()},
    )
    lambda_.create_event_source_mapping(
        EventSourceArn=outputs["NotificationsQueueArn"],
        BatchSize=10,
        FunctionName="shop-dev-deliver_notifications",
    )
    deploy.enable_partial_batch_failures(lambda_, "shop-dev-deliver_notifications")
    (tmp_path / "deployed").mkdir()
    (tmp_path / "deployed" / "dev.json").write_text('{"resources": []}')
    deploy.save_record(s3, BUCKET, tmp_path, "dev")

    document = deploy_role.policy("dev", infra.load(), REGION, ACCOUNT, BUCKET)
    assert {action for action, _ in calls.made} >= {
        "cloudformation:DescribeStacks",
        "lambda:UpdateEventSourceMapping",
        "s3:PutObject",
        "s3:GetObject",
        "iam:CreateRole",
    }
    assert sorted(call for call in calls.made if not allowed(document, *call)) == []


def test_chalices_record_round_trips_through_the_bucket(stack, tmp_path):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="shop-record-test")
    (tmp_path / "deployed").mkdir()
    (tmp_path / "deployed" / "dev.json").write_text('{"resources": [{"name": "rest_api"}]}')
    deploy.save_record(s3, "shop-record-test", tmp_path, "dev")
    (tmp_path / "deployed" / "dev.json").unlink()
    assert deploy.restore_record(s3, "shop-record-test", tmp_path, "dev")
    assert json.loads((tmp_path / "deployed" / "dev.json").read_text()) == {
        "resources": [{"name": "rest_api"}]
    }


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_role_touches_only_the_stages_resources(stage, prod_template):
    template = prod_template if stage == "prod" else infra.load()
    document = deploy_role.policy(stage, template, REGION, ACCOUNT, BUCKET)
    other = "prod" if stage == "dev" else "dev"
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow" and "*" not in "".join(statement["Action"])
        for resource in _list(statement["Resource"]):
            assert f"shop-{other}" not in resource
            if resource == "*":  # only for actions AWS cannot limit to a resource
                assert all(
                    not deploy_role._iam().actions.get_action_details(*a.split(":"))[
                        "resourceTypes"
                    ]
                    for a in statement["Action"]
                )
    assert not allowed(
        document,
        "dynamodb:PutItem",
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/shop-{stage}-orders",
    )
    assert not allowed(document, "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/admin")
    assert not allowed(
        document, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/shop/{other}/chalice-deployed.json"
    )
    assert allowed(
        document, "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/shop-{stage}-PlaceOrderRole-1A2B"
    )
    # IAM's limit for a role's inline policies
    assert len(json.dumps(document, separators=(",", ":"))) <= 10_240


def test_production_may_use_the_sam_transform_and_change_sets(prod_template):
    document = deploy_role.policy("prod", prod_template, REGION, ACCOUNT, BUCKET)
    assert allowed(
        document,
        "cloudformation:CreateChangeSet",
        f"arn:aws:cloudformation:{REGION}:aws:transform/Serverless-2016-10-31",
    )
    assert allowed(
        document,
        "cloudformation:ExecuteChangeSet",
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/shop-prod/0b5c1e20",
    )
    assert allowed(
        document,
        "lambda:CreateFunction",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:shop-prod-PlaceOrder-X",
    )
    assert not allowed(
        document,
        "cloudformation:UpdateStack",
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/shop-prod/0b5c1e20",
    )
