"""`make deploy STAGE=dev|prod`: the path CI uses with `chalice deploy`.

1. deploy the resources stack from infra/template.yaml (CloudFormation) and read its outputs;
2. write them into the stage's settings in .chalice/config.json, with a least-privilege policy file made from
   the operations' declared needs (autogen_policy off);
3. `chalice deploy --stage STAGE`, with Chalice's record of what it deployed kept in the artifact bucket when one
   is given (`--bucket` or SHOP_DEPLOY_BUCKET; CI's runners start without the record);
4. turn on ReportBatchItemFailures on the SQS mapping `chalice deploy` created (it cannot set it), then tell
   the consumer so (SHOP_PARTIAL_BATCH_RESPONSE), in that order, so no failed message is ever lost.
"""

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
from typing import Any, Dict, Optional

import boto3

from ops import needs

ROOT = pathlib.Path(__file__).resolve().parent.parent


def deploy_resources(cfn, stage: str, parameters: Dict[str, str] = None) -> Dict[str, str]:
    name = f"shop-{stage}"
    body = (ROOT / "infra" / "template.yaml").read_text()
    params = [
        {"ParameterKey": k, "ParameterValue": v}
        for k, v in {"Stage": stage, **(parameters or {})}.items()
    ]
    try:
        cfn.describe_stacks(StackName=name)
        exists = True
    except cfn.exceptions.ClientError:
        exists = False
    try:
        if exists:
            cfn.update_stack(
                StackName=name,
                TemplateBody=body,
                Parameters=params,
                Capabilities=["CAPABILITY_IAM"],
            )
            cfn.get_waiter("stack_update_complete").wait(StackName=name)
        else:
            cfn.create_stack(
                StackName=name,
                TemplateBody=body,
                Parameters=params,
                Capabilities=["CAPABILITY_IAM"],
                EnableTerminationProtection=stage == "prod",
            )
            cfn.get_waiter("stack_create_complete").wait(StackName=name)
    except cfn.exceptions.ClientError as exc:
        if "No updates are to be performed" not in str(exc):
            raise
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def stage_settings(outputs: Dict[str, str]) -> Dict[str, str]:
    """What the app needs to know that only the deployed resources tell."""
    return {
        "SHOP_USER_POOL_ID": outputs["UserPoolId"],
        "SHOP_USER_POOL_CLIENT_ID": outputs["UserPoolClientId"],
        "SHOP_ORDERS_STREAM_ARN": outputs["OrdersStreamArn"],
        "SHOP_NOTIFICATIONS_QUEUE": outputs["NotificationsQueueArn"].rsplit(":", 1)[-1],
        "SHOP_RESERVATION_CHECKS_QUEUE": outputs["ReservationChecksQueueArn"].rsplit(":", 1)[-1],
        "SHOP_CURSOR_KEY_ID": outputs["CursorKeyArn"],
        "SHOP_PARTIAL_BATCH_RESPONSE": "false",
        "SHOP_PAYMENTS_TABLE": outputs["PaymentsTableName"],
        "SHOP_STRIPE_SECRET_ID": outputs["StripeSecretArn"],
    }


def policy(
    app,
    outputs: Dict[str, str],
    region: str,
    account: str,
    sender: str,
    settings: Optional[Dict[str, str]] = None,
) -> Dict[str, Any]:
    """One least-privilege policy for Chalice's single function: the union of every operation's needs."""
    from ops.operations import api_operations, event_handlers
    from ops.iam import TABLES, statements_for

    declared = sorted({n for fn in api_operations(app) + event_handlers() for n in fn.needs})
    names = {
        "AWS::Partition": "aws",
        "AWS::Region": region,
        "AWS::AccountId": account,
        "SenderEmail": sender,
        "CursorKey": outputs["CursorKeyArn"],
        "StripeSecret": outputs["StripeSecretArn"],
        "UserPool.Arn": f"arn:aws:cognito-idp:{region}:{account}:userpool/{outputs['UserPoolId']}",
        "NotificationsQueue.Arn": outputs["NotificationsQueueArn"],
        "OrdersTable.StreamArn": outputs["OrdersStreamArn"],
        "StreamFailureQueue.Arn": outputs["StreamFailureQueueArn"],
        "ReservationChecksQueue.Arn": outputs["ReservationChecksQueueArn"],
    }
    for short, logical in TABLES.items():
        names[f"{logical}.Arn"] = (
            f"arn:aws:dynamodb:{region}:{account}:table/{outputs[logical + 'Name']}"
        )
    statements = [_resolve(s, names) for s in statements_for(declared, settings)]
    statements.append(
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{region}:{account}:*",
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


def _resolve(value: Any, names: Dict[str, str]) -> Any:
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            return names[".".join(value["Fn::GetAtt"])]
        if "Ref" in value:
            return names[value["Ref"]]
        if "Fn::Sub" in value:
            return re.sub(r"\$\{([^}]+)\}", lambda m: names[m.group(1)], value["Fn::Sub"])
        return {k: _resolve(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, names) for v in value]
    return value


def write_stage_config(
    config_dir: pathlib.Path, stage: str, settings: Dict[str, str], policy_document: dict
) -> None:
    path = config_dir / "config.json"
    config = json.loads(path.read_text())
    stage_config = config["stages"][stage]
    stage_config.setdefault("environment_variables", {}).update(settings)
    stage_config.update({"autogen_policy": False, "iam_policy_file": f"policy-{stage}.json"})
    path.write_text(json.dumps(config, indent=2) + "\n")
    (config_dir / f"policy-{stage}.json").write_text(json.dumps(policy_document, indent=2) + "\n")


def record_key(stage: str) -> str:
    return f"shop/{stage}/chalice-deployed.json"


def restore_record(s3, bucket: str, config_dir: pathlib.Path, stage: str) -> bool:
    """Chalice keeps what it deployed in .chalice/deployed/<stage>.json; without it `chalice deploy` would make
    a second REST API and second event source mappings next to the first."""
    try:
        body = s3.get_object(Bucket=bucket, Key=record_key(stage))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return False
    (config_dir / "deployed").mkdir(exist_ok=True)
    (config_dir / "deployed" / f"{stage}.json").write_bytes(body)
    return True


def save_record(s3, bucket: str, config_dir: pathlib.Path, stage: str) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=record_key(stage),
        Body=(config_dir / "deployed" / f"{stage}.json").read_bytes(),
    )


def enable_partial_batch_failures(lambda_client, function_name: str) -> str:
    """Set ReportBatchItemFailures on the function's SQS mapping, then switch the consumer to report them."""
    mappings = lambda_client.list_event_source_mappings(FunctionName=function_name)[
        "EventSourceMappings"
    ]
    (mapping,) = [m for m in mappings if ":sqs:" in m["EventSourceArn"]]
    lambda_client.update_event_source_mapping(
        UUID=mapping["UUID"], FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    config = lambda_client.get_function_configuration(FunctionName=function_name)
    variables = dict(
        config.get("Environment", {}).get("Variables", {}), SHOP_PARTIAL_BATCH_RESPONSE="true"
    )
    lambda_client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": variables}
    )
    return mapping["UUID"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="deploy")
    parser.add_argument("--stage", required=True, choices=["dev", "prod"])
    parser.add_argument("--sender", default="")
    parser.add_argument(
        "--bucket",
        default=os.environ.get("SHOP_DEPLOY_BUCKET", ""),
        help="keeps Chalice's deployment record (CI); without it the record stays in .chalice/",
    )
    args = parser.parse_args(argv)
    session = boto3.session.Session()
    region = session.region_name or "us-east-1"
    account = session.client("sts").get_caller_identity()["Account"]
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    sender = (
        args.sender or config["stages"][args.stage]["environment_variables"]["SHOP_SENDER_EMAIL"]
    )
    outputs = deploy_resources(
        session.client("cloudformation"), args.stage, {"SenderEmail": sender}
    )
    sys.path.insert(0, str(ROOT))
    from app import app

    write_stage_config(
        ROOT / ".chalice",
        args.stage,
        stage_settings(outputs),
        policy(
            app,
            outputs,
            region,
            account,
            sender,
            needs.settings_of(config["stages"][args.stage]["environment_variables"]),
        ),
    )
    s3 = session.client("s3")
    if args.bucket and not restore_record(s3, args.bucket, ROOT / ".chalice", args.stage):
        print(
            f"no deployment record in s3://{args.bucket}/{record_key(args.stage)}: a first deployment"
        )
    subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "chalice"), "deploy", "--stage", args.stage],
        cwd=ROOT,
        check=True,
    )
    if args.bucket:
        save_record(s3, args.bucket, ROOT / ".chalice", args.stage)
    for consumer in ("deliver_notifications", "check_reservations"):
        uuid = enable_partial_batch_failures(
            session.client("lambda"), f"shop-{args.stage}-{consumer}"
        )
        print(f"deployed shop-{args.stage}; SQS mapping {uuid} reports batch item failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
