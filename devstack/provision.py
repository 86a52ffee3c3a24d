"""Creates every resource of infra/template.yaml on the embedded AWS.

moto's CloudFormation creates the tables and queues; what it skips (Cognito, SES, Secrets Manager's secrets)
or accepts without applying (TTL, point-in-time recovery) is created here from the same template's
properties, so nothing is defined twice.
"""

import secrets
from dataclasses import dataclass
from typing import Dict

import boto3

from devstack import template


@dataclass(frozen=True)
class Stack:
    stage: str
    outputs: Dict[str, str]

    @property
    def pool_id(self) -> str:
        return self.outputs["UserPoolId"]

    @property
    def client_id(self) -> str:
        return self.outputs["UserPoolClientId"]


def provision(stage: str, parameters: Dict[str, str] = None) -> Stack:
    parameters = {"Stage": stage, **(parameters or {})}
    doc = template.load()
    names = {k: v.get("Default") for k, v in doc["Parameters"].items()}
    names.update(parameters)
    stack_name = f"shop-{stage}"
    cfn = boto3.client("cloudformation")
    if not _stack_exists(cfn, stack_name):
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=template.text(),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()
            ],
        )
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName=stack_name)["Stacks"][0].get("Outputs", [])
    }
    for name, resource in template.resources_of_type(doc, "AWS::DynamoDB::Table").items():
        _apply_table_settings(template.resolve(resource["Properties"], names))
    outputs.update(_user_pool(doc, names))
    outputs.update(_sender_identity(doc, names))
    outputs.update(_secrets(doc, names))
    return Stack(stage=stage, outputs=outputs)


def _stack_exists(cfn, name: str) -> bool:
    stacks = cfn.list_stacks()["StackSummaries"]
    return any(s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE" for s in stacks)


def _apply_table_settings(properties: Dict) -> None:
    dynamodb = boto3.client("dynamodb")
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        current = dynamodb.describe_time_to_live(TableName=properties["TableName"])[
            "TimeToLiveDescription"
        ]
        if current.get("TimeToLiveStatus") != "ENABLED":
            dynamodb.update_time_to_live(
                TableName=properties["TableName"], TimeToLiveSpecification=ttl
            )
    if properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(
            TableName=properties["TableName"],
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def _user_pool(doc, names) -> Dict[str, str]:
    idp = boto3.client("cognito-idp")
    ((pool_key, pool),) = template.resources_of_type(doc, "AWS::Cognito::UserPool").items()
    props = template.resolve(pool["Properties"], names)
    props["PoolName"] = props.pop("UserPoolName")
    existing = [
        p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == props["PoolName"]
    ]
    if existing:
        pool_id = existing[0]["Id"]
        client_id = idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"]
        return {"UserPoolId": pool_id, "UserPoolClientId": client_id}
    pool_id = idp.create_user_pool(**props)["UserPool"]["Id"]
    names[pool_key] = pool_id
    for _, client in template.resources_of_type(doc, "AWS::Cognito::UserPoolClient").items():
        client_id = idp.create_user_pool_client(**template.resolve(client["Properties"], names))[
            "UserPoolClient"
        ]["ClientId"]
    for _, group in template.resources_of_type(doc, "AWS::Cognito::UserPoolGroup").items():
        idp.create_group(**template.resolve(group["Properties"], names))
    return {"UserPoolId": pool_id, "UserPoolClientId": client_id}


def _sender_identity(doc, names) -> Dict[str, str]:
    ses = boto3.client("ses")
    for _, identity in template.resources_of_type(doc, "AWS::SES::EmailIdentity").items():
        address = template.resolve(identity["Properties"]["EmailIdentity"], names)
        ses.verify_email_identity(EmailAddress=address)
        return {"SenderEmail": address}
    return {}


def _secrets(doc, names) -> Dict[str, str]:
    """Every secret of the template (a generated one gets random characters), its ARN as the output
    `<logical id>Arn` says."""
    manager = boto3.client("secretsmanager")
    outputs = {}
    for logical_id, secret in template.resources_of_type(
        doc, "AWS::SecretsManager::Secret"
    ).items():
        props = template.resolve(secret["Properties"], names)
        try:
            arn = manager.describe_secret(SecretId=props["Name"])["ARN"]
        except manager.exceptions.ResourceNotFoundException:
            arn = manager.create_secret(
                Name=props["Name"],
                Description=props.get("Description", ""),
                SecretString=_value(props),
            )["ARN"]
        outputs[f"{logical_id}Arn"] = arn
    return outputs


def _value(props: Dict) -> str:
    if "SecretString" in props:
        return props["SecretString"]
    length = props["GenerateSecretString"]["PasswordLength"]
    return secrets.token_urlsafe(length)[:length]
