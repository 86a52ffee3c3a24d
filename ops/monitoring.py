"""Making the production template operable, the last step of ops/template.py's transform: log groups with a
retention for every function and the saved first-look queries (ops/logs.py), the SLO and outage-precursor alarms
on one SNS topic (ops/slo_alarms.py, ops/signals.py), the dashboard (ops/dashboard.py), and Contributor Insights
on every table and index, so that a hot key shows by name. All of it from what the template holds at that
point, so what others add to it is watched too."""

from ops import alarms, dashboard, inventory, logs, signals, slo_alarms

# DynamoDB Contributor Insights: keys that take the most capacity and keys that are throttled (the capacity
# model, bench/capacity.py, charges every call to the keys of every table and index of the template)
CONTRIBUTOR_INSIGHTS = {"Enabled": True, "Mode": "ACCESSED_AND_THROTTLED_KEYS"}


def add(template: dict, options: dict) -> None:
    resources = template["Resources"]
    logs.apply(template, options["log_retention_days"])
    _name_the_api(template)
    _contributor_insights(resources)
    found = inventory.read(template)
    template.setdefault("Parameters", {}).update(alarms.PARAMETERS)
    template.setdefault("Conditions", {}).update(alarms.CONDITIONS)
    generated = {
        **alarms.topic_resources(),
        **slo_alarms.availability(found),
        **slo_alarms.latency(found),
        **signals.all_signals(found),
    }
    clash = set(generated) & set(resources)
    if clash:
        raise ValueError(f"generated resources clash with the template's: {sorted(clash)}")
    resources.update(generated)
    alarms.notify_all(resources)
    resources["Dashboard"] = dashboard.dashboard(found, resources)


def _name_the_api(template: dict) -> None:
    """REST APIs publish their metrics under their name: the stack's, which no other stage's API shares (Chalice's
    document would name every stage's API after the app). The imported document's title says it too, so that an
    import cannot name the API back after its title."""
    api = next(r for r in template["Resources"].values() if r["Type"] == inventory.API)
    api["Properties"]["Name"] = {"Ref": "AWS::StackName"}
    api["Properties"]["DefinitionBody"].setdefault("info", {})["title"] = {"Ref": "AWS::StackName"}


def _contributor_insights(resources: dict) -> None:
    for resource in resources.values():
        if resource["Type"] == "AWS::DynamoDB::Table":
            props = resource["Properties"]
            props["ContributorInsightsSpecification"] = dict(CONTRIBUTOR_INSIGHTS)
            for index in props.get("GlobalSecondaryIndexes", []):
                index["ContributorInsightsSpecification"] = dict(CONTRIBUTOR_INSIGHTS)
