"""The CloudWatch metrics the alarms and the dashboard may name: each with the dimension sets its service
publishes it under (AWS's metric references: API Gateway's REST API metrics, Lambda's function metrics,
DynamoDB's "Metrics and dimensions", SQS's available metrics), and the shop's own, from
chalicelib/observability.py. Every metric the template names is made here, so a misspelt name or a dimension
set nobody publishes fails packaging, not a silent empty graph in production."""

from typing import Dict, FrozenSet, Tuple

from chalicelib import observability

Dimensions = FrozenSet[str]

_API = {frozenset({"ApiName", "Stage"}), frozenset({"ApiName", "Method", "Resource", "Stage"})}
_FUNCTION = {
    frozenset(),
    frozenset({"FunctionName"}),
}  # no dimension: the sum over every function of the Region
_TABLE_OR_INDEX = {frozenset({"TableName"}), frozenset({"TableName", "GlobalSecondaryIndexName"})}
_QUEUE = {frozenset({"QueueName"})}

CATALOG: Dict[Tuple[str, str], set] = {
    **{
        ("AWS/ApiGateway", name): _API
        for name in (
            "Count",
            "4XXError",
            "5XXError",
            "Latency",
            "IntegrationLatency",
            "CacheHitCount",
            "CacheMissCount",
        )
    },
    **{
        ("AWS/Lambda", name): _FUNCTION
        for name in ("Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions")
    },
    ("AWS/Lambda", "IteratorAge"): {frozenset({"FunctionName"})},
    ("AWS/Lambda", "ClaimedAccountConcurrency"): {frozenset()},
    **{
        ("AWS/DynamoDB", name): _TABLE_OR_INDEX
        for name in (
            "ReadThrottleEvents",
            "WriteThrottleEvents",
            "ReadKeyRangeThroughputThrottleEvents",
            "WriteKeyRangeThroughputThrottleEvents",
            "ConsumedReadCapacityUnits",
            "ConsumedWriteCapacityUnits",
        )
    },
    ("AWS/DynamoDB", "SystemErrors"): {frozenset({"TableName", "Operation"})},
    ("AWS/DynamoDB", "TransactionConflict"): {frozenset({"TableName"})},
    **{
        ("AWS/SQS", name): _QUEUE
        for name in (
            "ApproximateAgeOfOldestMessage",
            "ApproximateNumberOfMessagesVisible",
            "NumberOfMessagesSent",
        )
    },
    **{
        (observability.NAMESPACE, name): {frozenset({observability.SERVICE_DIMENSION})}
        for name in observability.METRICS
    },
}


def check(namespace: str, name: str, dimensions) -> None:
    """Refuses a metric its service does not publish under these dimension names."""
    sets = CATALOG.get((namespace, name))
    if sets is None:
        raise ValueError(f"no metric {namespace} {name} in ops/metrics.py's catalog")
    if frozenset(dimensions) not in sets:
        raise ValueError(
            f"{namespace} {name} is not published with the dimensions {sorted(dimensions)}"
        )


def metric(namespace: str, name: str, **dimensions) -> dict:
    """A CloudWatch `Metric` (namespace, name, dimensions whose values may be Ref/GetAtt), checked."""
    check(namespace, name, dimensions)
    return {
        "Namespace": namespace,
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(dimensions.items())],
    }


def shop(name: str) -> dict:
    """One of the shop's own metrics, with the one dimension Powertools gives them."""
    return metric(
        observability.NAMESPACE, name, **{observability.SERVICE_DIMENSION: observability.SERVICE}
    )


def api(name: str, stage: str, operation=None) -> dict:
    """An API Gateway metric of the whole stage, or of one operation (per-method metrics are on: MethodSettings).
    REST APIs publish under their name: ops/monitoring.py names the API after the stack."""
    dimensions = {"ApiName": {"Ref": "AWS::StackName"}, "Stage": stage}
    if operation is not None:
        dimensions.update(Method=operation.method, Resource=operation.path)
    return metric("AWS/ApiGateway", name, **dimensions)


def table(name: str, logical_id: str, index: str = None) -> dict:
    dimensions = {"TableName": {"Ref": logical_id}}
    if index:
        dimensions["GlobalSecondaryIndexName"] = index
    return metric("AWS/DynamoDB", name, **dimensions)


def function(name: str, logical_id: str = None) -> dict:
    return metric(
        "AWS/Lambda", name, **({"FunctionName": {"Ref": logical_id}} if logical_id else {})
    )


def queue(name: str, logical_id: str) -> dict:
    return metric("AWS/SQS", name, QueueName={"Fn::GetAtt": [logical_id, "QueueName"]})


def insights_sum(namespace: str, name: str, schema: Tuple[str, ...], where: Dict[str, str]) -> str:
    """A Metrics Insights query summing one metric over every series of a dimension set (for an alarm that must
    cover series nobody lists, such as DynamoDB's SystemErrors of each operation on a table). `where` values may
    hold `${...}` for Fn::Sub."""
    check(namespace, name, schema)
    conditions = " AND ".join(f"{k} = '{v}'" for k, v in sorted(where.items()))
    return f'SELECT SUM({name}) FROM SCHEMA("{namespace}", {", ".join(sorted(schema))}) WHERE {conditions}'
