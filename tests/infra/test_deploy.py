"""`make deploy`, as far as moto can take it: the resources stack on moto's CloudFormation, the hand-over of
its outputs into the stage's settings and policy, and the mapping update on moto's Lambda API. (Only a real
account can run `chalice deploy` itself: moto's API Gateway refuses Chalice's Swagger 2.0 import.)"""

import io
import json
import shutil
import zipfile

import boto3

from ops import deploy


def test_the_resources_stack_deploys_and_its_outputs_become_the_stage_settings(
    app, stack, tmp_path
):
    outputs = deploy.deploy_resources(boto3.client("cloudformation"), "dev")
    assert (
        outputs["OrdersTableName"] == "shop-dev-orders" and "/stream/" in outputs["OrdersStreamArn"]
    )
    assert (
        deploy.deploy_resources(boto3.client("cloudformation"), "dev")["OrdersTableName"]
        == "shop-dev-orders"
    )
    outputs.update(
        UserPoolId="us-east-1_POOL",
        UserPoolClientId="client123",
        CursorKeyArn="arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-dev-cursor-key-AbC",
        StripeSecretArn="arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-dev-stripe-XyZ",
    )
    config_dir = tmp_path / ".chalice"
    shutil.copytree(
        deploy.ROOT / ".chalice",
        config_dir,
        ignore=shutil.ignore_patterns("deployments", "deployed"),
    )
    document = deploy.policy(app, outputs, "us-east-1", "123456789012", "shop@example.com")
    deploy.write_stage_config(config_dir, "dev", deploy.stage_settings(outputs), document)

    stage = json.loads((config_dir / "config.json").read_text())["stages"]["dev"]
    assert stage["environment_variables"]["SHOP_ORDERS_STREAM_ARN"] == outputs["OrdersStreamArn"]
    assert stage["environment_variables"]["SHOP_USER_POOL_ID"] == "us-east-1_POOL"
    assert stage["environment_variables"]["SHOP_NOTIFICATIONS_QUEUE"] == "shop-dev-notifications"
    assert (
        stage["environment_variables"]["SHOP_RESERVATION_CHECKS_QUEUE"]
        == "shop-dev-reservation-checks"
    )
    assert stage["autogen_policy"] is False and stage["iam_policy_file"] == "policy-dev.json"
    written = json.loads((config_dir / "policy-dev.json").read_text())
    resources = [
        r
        for s in written["Statement"]
        for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    ]
    assert "*" not in resources and all(r.startswith("arn:aws:") for r in resources)
    assert "arn:aws:dynamodb:us-east-1:123456789012:table/shop-dev-products" in resources
    assert outputs["ReservationChecksQueueArn"] in resources  # the publisher sends the checks
    assert not any("${" in r for r in resources)


def test_partial_batch_failures_are_switched_on_for_the_consumer(stack):
    iam, lambda_, sqs = boto3.client("iam"), boto3.client("lambda"), boto3.client("sqs")
    role = iam.create_role(
        RoleName="shop-deploytest-role",
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
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zip_file:
        zip_file.writestr("app.py", "def deliver_notifications(event, context):\n    return {}\n")
    name = "shop-deploytest-deliver_notifications"
    lambda_.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.deliver_notifications",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {"SHOP_STAGE": "deploytest"}},
    )
    queue = sqs.create_queue(QueueName="shop-deploytest-notifications")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lambda_.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)

    uuid = deploy.enable_partial_batch_failures(lambda_, name)
    assert lambda_.get_event_source_mapping(UUID=uuid)["FunctionResponseTypes"] == [
        "ReportBatchItemFailures"
    ]
    variables = lambda_.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    assert variables == {"SHOP_STAGE": "deploytest", "SHOP_PARTIAL_BATCH_RESPONSE": "true"}


def test_chalice_deploy_gives_each_function_the_time_the_production_template_gives_it():
    """`make deploy` (chalice deploy: CI's dev stage) runs one API function for every route and the event handlers
    with the stage's settings; each must have the time the packaged template gives its function: the API the
    time of the slowest route (those that call Stripe), the checks and the sweep theirs. With the stage's 10 s,
    a batch of reservation checks meeting a slow Stripe timed out whole and was dead-lettered."""
    import pathlib

    from ops.template import TIMEOUT, stripe_timeout

    config = json.loads((pathlib.Path(deploy.ROOT) / ".chalice" / "config.json").read_text())
    wanted = {
        "api_handler": stripe_timeout(),
        "deliver_notifications": TIMEOUT["DeliverNotifications"],
        "publish_order_events": TIMEOUT["PublishOrderEvents"],
        "check_reservations": TIMEOUT["CheckReservations"],
        "sweep_payments": TIMEOUT["SweepPayments"],
    }
    for name in ("dev", "prod"):
        stage = config["stages"][name]
        given = {
            fn: stage.get("lambda_functions", {}).get(fn, {}).get("lambda_timeout")
            or stage.get("lambda_timeout", 60)
            for fn in wanted
        }
        assert all(given[fn] >= wanted[fn] for fn in wanted), (name, given, wanted)
