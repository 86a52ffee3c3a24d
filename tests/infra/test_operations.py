"""Operating the shop, proven on the template `make package` writes: every alarm reaches the topic, every table,
index, stream consumer, queue and scheduled function is watched, every function logs where a retention applies,
the dashboard names only what exists, every alarm has its runbook section, and the stack stays within
CloudFormation's limits."""

import copy
import json
import os
import pathlib
import re

import pytest

from ops import alarms, inventory, metrics, monitoring, signals, slo
from ops import package as packaging

ROOT = pathlib.Path(__file__).resolve().parents[2]
ALARM, COMPOSITE = "AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = packaging.build("prod", tmp_path_factory.mktemp("dist") / "prod", with_zip=False)
    return json.loads((out / "sam.json").read_text())


def _of_type(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _watched(template):
    """Every (namespace, metric, {dimension: value}) some alarm of the template watches."""
    found = []
    for alarm in _of_type(template, ALARM).values():
        props = alarm["Properties"]
        stats = (
            [props]
            if "MetricName" in props
            else [q["MetricStat"]["Metric"] for q in props["Metrics"] if "MetricStat" in q]
        )
        for metric in stats:
            found.append(
                (
                    metric["Namespace"],
                    metric["MetricName"],
                    {
                        d["Name"]: json.dumps(d["Value"], sort_keys=True)
                        for d in metric["Dimensions"]
                    },
                )
            )
    return found


def _watches(template, namespace, name, **dimensions):
    wanted = {k: json.dumps(v, sort_keys=True) for k, v in dimensions.items()}
    return any(n == namespace and m == name and d == wanted for n, m, d in _watched(template))


def test_every_alarm_notifies_the_topic_directly_or_through_a_composite_that_does(template):
    topic = {"Ref": alarms.TOPIC}
    assert template["Resources"][alarms.TOPIC]["Type"] == "AWS::SNS::Topic"
    composites = _of_type(template, COMPOSITE)
    assert len(composites) == len(slo.BURN_RATE_ALERTS)
    paged_through = set()
    for composite in composites.values():
        assert composite["Properties"]["AlarmActions"] == [topic]
        members = alarms.members_of(composite)
        assert len(members) == 2 and all(m in template["Resources"] for m in members)
        paged_through.update(members)
    standalone = _of_type(template, ALARM)
    # infra/template.yaml's alarm too
    assert len(standalone) > 40 and "DeadLetterAlarm" in standalone
    for name, alarm in standalone.items():
        assert (topic in alarm["Properties"].get("AlarmActions", [])) != (name in paged_through), (
            name
        )


def test_the_e_mail_subscription_exists_only_when_the_stack_is_given_an_address(template):
    subscription = template["Resources"]["AlarmEmailSubscription"]
    assert (
        subscription["Condition"] == "HasAlarmEmail"
        and subscription["Properties"]["Protocol"] == "email"
    )
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""
    assert template["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }


def test_every_table_and_index_has_its_throttle_and_hot_key_alarms_and_every_table_its_errors(
    template,
):
    tables = _of_type(template, "AWS::DynamoDB::Table")
    assert {
        "UsersTable",
        "ProductsTable",
        "CartsTable",
        "OrdersTable",
        "NotificationsTable",
    } <= set(tables)
    for name, table in tables.items():
        for index in [None] + [
            i["IndexName"] for i in table["Properties"].get("GlobalSecondaryIndexes", [])
        ]:
            where = {
                "TableName": {"Ref": name},
                **({"GlobalSecondaryIndexName": index} if index else {}),
            }
            for metric in (
                "ReadThrottleEvents",
                "WriteThrottleEvents",
                "ReadKeyRangeThroughputThrottleEvents",
                "WriteKeyRangeThroughputThrottleEvents",
            ):
                assert _watches(template, "AWS/DynamoDB", metric, **where), (name, index, metric)
        assert _watches(template, "AWS/DynamoDB", "TransactionConflict", TableName={"Ref": name})
        system_errors = template["Resources"][alarms.logical_id(name, "SystemErrors")][
            "Properties"
        ]["Metrics"][0]
        assert system_errors["Expression"]["Fn::Sub"].endswith(f"WHERE TableName = '${{{name}}}'")


def test_every_stream_consumer_queue_and_scheduled_function_has_its_alarm(template):
    found = inventory.read(template)
    assert [(c.function, c.source) for c in found.of_kind("stream")] == [
        ("PublishOrderEvents", "OrdersTable")
    ]
    for consumer in found.of_kind("stream"):
        assert _watches(
            template, "AWS/Lambda", "IteratorAge", FunctionName={"Ref": consumer.function}
        )
    for consumer in found.of_kind("schedule"):
        assert _watches(
            template, "AWS/Lambda", "Invocations", FunctionName={"Ref": consumer.function}
        )
    queues = _of_type(template, "AWS::SQS::Queue")
    assert set(queues) == {
        "NotificationsQueue",
        "NotificationsDeadLetterQueue",
        "ReservationChecksQueue",
        "ReservationChecksDeadLetterQueue",
        "StreamFailureQueue",
    }
    for queue in queues:
        metric = (
            "ApproximateAgeOfOldestMessage"
            if queue in found.consumed_queues
            else "ApproximateNumberOfMessagesVisible"
        )
        assert _watches(
            template, "AWS/SQS", metric, QueueName={"Fn::GetAtt": [queue, "QueueName"]}
        ), queue
    waiting = [
        d["QueueName"]
        for _, _, d in _watched(template)
        if "QueueName" in d and "DeadLetter" in d["QueueName"]
    ]
    # each dead-letter queue watched once (infra/template.yaml's alarm on the notifications' is not doubled)
    assert sorted(waiting) == sorted(
        json.dumps({"Fn::GetAtt": [q, "QueueName"]}, sort_keys=True)
        for q in queues
        if "DeadLetter" in q
    )
    # a check is due only after its delay: late past the delay, not before
    checks = template["Resources"][alarms.logical_id("ReservationChecksQueue", "OldestMessage")]
    delay = queues["ReservationChecksQueue"]["Properties"]["DelaySeconds"]
    assert checks["Properties"]["Threshold"] == signals.HOP_SECONDS + delay


def test_lambda_is_watched_for_the_whole_account_and_against_the_concurrency_parameter(template):
    for metric in ("Errors", "Throttles"):
        # no dimension: every function, those added later too
        assert _watches(template, "AWS/Lambda", metric)
    concurrency = template["Resources"]["LambdaConcurrencyAlarm"]["Properties"]
    assert {"Fn::Sub": "claimed / ${ConcurrencyLimit}"} in [
        q.get("Expression") for q in concurrency["Metrics"]
    ]
    assert template["Parameters"]["ConcurrencyLimit"]["Default"] == 1000


def test_the_shops_trouble_metrics_are_alarmed_under_the_dimension_powertools_gives_them(template):
    from chalicelib import observability

    for name in (
        observability.CONTENTION_EXHAUSTED,
        observability.STALE_SERVED,
        observability.STRIPE_ERROR,
    ):
        assert _watches(template, "shop", name, service="shop"), name


def test_availability_pages_need_both_windows_at_the_workbooks_thresholds(template):
    for pair, expected in zip(slo.BURN_RATE_ALERTS, [(3600, 300, 0.0144), (21600, 1800, 0.006)]):
        composite = template["Resources"][alarms.logical_id("Availability", pair.name, "BurnRate")]
        members = [template["Resources"][m]["Properties"] for m in alarms.members_of(composite)]
        assert [m["Metrics"][0]["MetricStat"]["Period"] for m in members] == list(expected[:2])
        for member in members:
            assert (
                member["Threshold"] == pytest.approx(expected[2])
                and member["TreatMissingData"] == "notBreaching"
            )
            assert [q["MetricStat"]["Metric"]["MetricName"] for q in member["Metrics"][:2]] == [
                "5XXError",
                "Count",
            ]
            assert "AlarmActions" not in member  # one window alone never pages


def test_the_api_publishes_under_the_name_its_metrics_are_watched_by(template):
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["Name"] == api["DefinitionBody"]["info"]["title"] == {"Ref": "AWS::StackName"}
    # per operation
    assert any(s["ResourcePath"] == "/*" and s["MetricsEnabled"] for s in api["MethodSettings"])


def test_every_alarm_watches_a_published_metric_and_chooses_its_missing_data(template):
    for name, alarm in _of_type(template, ALARM).items():
        assert alarm["Properties"]["TreatMissingData"] in (
            "notBreaching",
            "breaching",
            "ignore",
            "missing",
        ), name
    for namespace, metric, dimensions in _watched(template):
        metrics.check(namespace, metric, dimensions)


def test_every_alarm_links_a_runbook_section_that_exists(template):
    text = (ROOT / "docs" / "operations.md").read_text()
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}
    for name, alarm in {**_of_type(template, ALARM), **_of_type(template, COMPOSITE)}.items():
        linked = re.search(
            r"Runbook: docs/operations\.md#([a-z0-9-]+)", alarm["Properties"]["AlarmDescription"]
        )
        assert linked and linked.group(1) in anchors, name


def test_every_alarm_chooses_its_missing_data_and_its_runbook_section_says_which(template):
    with pytest.raises(TypeError, match="missing"):
        alarms.When(0)  # every alarm says what a period without data means
    with pytest.raises(ValueError, match="notbreaching"):
        alarms.When(0, missing="notbreaching")
    text = (ROOT / "docs" / "operations.md").read_text()
    parts = re.split(r"^#+ (.+)$", text, flags=re.MULTILINE)
    sections = {_anchor(heading): body for heading, body in zip(parts[1::2], parts[2::2])}
    for name, alarm in _of_type(template, ALARM).items():
        props = alarm["Properties"]
        section = re.search(r"operations\.md#([a-z0-9-]+)", props["AlarmDescription"]).group(1)
        assert f"`{props['TreatMissingData']}`" in sections[section], name


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_function_logs_to_a_group_of_the_template_with_a_retention(template):
    functions = _of_type(template, "AWS::Serverless::Function")
    for name, function in functions.items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        props = template["Resources"][group]["Properties"]
        assert (
            template["Resources"][group]["Type"] == "AWS::Logs::LogGroup"
            and props["RetentionInDays"] == 30
        )
        assert props["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{AWS::StackName}}-{name}"}
    queries = _of_type(template, "AWS::Logs::QueryDefinition")
    assert len(queries) >= 6
    for query in queries.values():
        assert {g["Ref"] for g in query["Properties"]["LogGroupNames"]} <= set(
            _of_type(template, "AWS::Logs::LogGroup")
        )


def test_the_dashboard_names_only_metrics_published_and_resources_that_exist(template):
    body_template = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    names = (
        set(template["Resources"]) | set(template["Parameters"]) | {"AWS::Region", "AWS::StackName"}
    )
    placeholders = set(re.findall(r"\$\{([^}]+)\}", body_template))
    assert placeholders and {p.split(".")[0] for p in placeholders} <= names
    body = json.loads(re.sub(r"\$\{([^}]+)\}", lambda m: m.group(1), body_template))
    found = inventory.read(template)
    operations = {(o.method, o.path) for o in found.operations}
    lines = [
        line
        for w in body["widgets"]
        if w["type"] == "metric"
        for line in w["properties"]["metrics"]
    ]
    assert len(lines) > 200
    for line in lines:
        if isinstance(line[0], dict):  # an expression: it names only lines of its own widget
            continue
        dimensions = dict(zip(line[2:-1:2], line[3:-1:2]))
        metrics.check(line[0], line[1], dimensions)
        for key in ("FunctionName", "TableName"):
            assert dimensions.get(key, "AWS::StackName") in names, line
        assert dimensions.get("QueueName", "Q.QueueName").split(".")[0] in names | {"Q"}, line
        if "Method" in dimensions:
            assert (dimensions["Method"], dimensions["Resource"]) in operations, line
        if "GlobalSecondaryIndexName" in dimensions:
            indexes = template["Resources"][dimensions["TableName"]]["Properties"][
                "GlobalSecondaryIndexes"
            ]
            assert dimensions["GlobalSecondaryIndexName"] in {i["IndexName"] for i in indexes}, line
    titles = " ".join(w["properties"].get("title", "") for w in body["widgets"])
    for wanted in (
        "burn",
        "per operation",
        "Orders per minute",
        "per function",
        "DynamoDB",
        "queue",
        "dead letters",
    ):
        assert wanted in titles, wanted


def test_hot_keys_show_by_name_on_every_table_and_index(template):
    for name, table in _of_type(template, "AWS::DynamoDB::Table").items():
        props = table["Properties"]
        for spec in [props] + props.get("GlobalSecondaryIndexes", []):
            assert spec["ContributorInsightsSpecification"] == monitoring.CONTRIBUTOR_INSIGHTS, name


def test_what_others_add_to_the_template_is_watched_without_a_change_to_ops(template):
    """A sign-in attempts table, a queue with its consumer and a Stripe sweeper every five minutes."""
    grown = copy.deepcopy(template)
    resources = grown["Resources"]
    for name, resource in list(resources.items()):
        if (
            resource["Type"]
            in (
                ALARM,
                COMPOSITE,
                "AWS::CloudWatch::Dashboard",
                "AWS::Logs::QueryDefinition",
                "AWS::SNS::Topic",
                "AWS::SNS::Subscription",
            )
            and name != "DeadLetterAlarm"
        ):
            del resources[name]
    resources["SignInAttemptsTable"] = copy.deepcopy(resources["UsersTable"])
    resources["PaymentsQueue"] = copy.deepcopy(resources["StreamFailureQueue"])
    sweeper = resources["SweepAuthorizations"] = copy.deepcopy(resources["HealthFunction"])
    sweeper["Properties"].pop("LoggingConfig")
    sweeper["Properties"]["Events"] = {
        "Sweep": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}},
        "Pay": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["PaymentsQueue", "Arn"]}}},
    }
    monitoring.add(grown, {"log_retention_days": 30})
    assert _watches(
        grown, "AWS/DynamoDB", "ReadThrottleEvents", TableName={"Ref": "SignInAttemptsTable"}
    )
    assert _watches(
        grown,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        QueueName={"Fn::GetAtt": ["PaymentsQueue", "QueueName"]},
    )
    not_running = grown["Resources"]["SweepAuthorizationsNotRunningAlarm"]["Properties"]
    assert (not_running["Period"], not_running["TreatMissingData"]) == (900, "breaching")
    assert grown["Resources"]["SweepAuthorizationsLogs"]["Properties"]["RetentionInDays"] == 30
    assert (
        "${SignInAttemptsTable}"
        in grown["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    )


# the test stage has SnapStart: a version and alias each
@pytest.mark.parametrize("stage", ["prod", "test"])
def test_the_deployed_stack_stays_well_under_cloudformations_limits(stage, template, tmp_path):
    from samtranslator.translator.transform import transform

    built = (
        template
        if stage == "prod"
        else json.loads(
            (packaging.build(stage, tmp_path / stage, with_zip=False) / "sam.json").read_text()
        )
    )
    packaged = copy.deepcopy(built)
    for function in _of_type(packaged, "AWS::Serverless::Function").values():
        function["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"

    class NoManagedPolicies:
        def load(self):
            return {}

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    deployed = transform(
        packaged, {"Stage": stage, "SenderEmail": "shop@example.com"}, NoManagedPolicies()
    )
    # CloudFormation's limit: 500
    assert len(deployed["Resources"]) <= 400, len(deployed["Resources"])
    # a template from S3: at most 1 MB
    assert len(json.dumps(deployed, separators=(",", ":"))) < 1_000_000


def test_the_cost_inputs_count_what_the_template_holds_now(template):
    """What the template holds is charged by the month (bench/cost.py): a template that changed since the counts
    were committed asks for them again, and for the README's table. Here, not in tests/unit/test_cost.py: this
    file builds the template already; make check would build it for this test alone."""
    from bench import cost

    committed = json.loads(cost.INPUTS.read_text())["template"]
    assert committed == cost.counts_of(template), (
        "the template changed since bench/cost-inputs.json: run "
        ".venv/bin/python -m bench.cost --template --readme"
    )
