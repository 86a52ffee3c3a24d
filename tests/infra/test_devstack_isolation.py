"""The embedded AWS shows committed writes only, as DynamoDB does. moto applies a transaction's items one by one,
stream records included, and takes them back when a later item fails; devstack makes every read wait for the
transaction, so no stream reader publishes a write that never happened and then steps over the records written
next in their place (found by `make load` as lost notifications), and no GetItem shows one."""

import threading
import uuid

import boto3
import pytest


@pytest.fixture
def tables(stack):
    dynamodb = boto3.client("dynamodb")
    names = {kind: f"probe-{kind}-{uuid.uuid4().hex[:8]}" for kind in ("streamed", "guard")}
    for kind, name in names.items():
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            **(
                {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}}
                if kind == "streamed"
                else {}
            ),
        )
    yield names
    for name in names.values():
        dynamodb.delete_table(TableName=name)


def _read_during_a_cancelled_transaction(tables, monkeypatch, read) -> dict:
    """A transaction whose first item (a Put of `never-written`) is applied before its second fails; `read()` is
    started on another thread right after the Put, given a second, and its answer returned once it finishes."""
    from moto.dynamodb.models import DynamoDBBackend

    dynamodb = boto3.client("dynamodb")
    answer, original_put = {}, DynamoDBBackend.put_item

    def put_item(self, table_name, *args, **kwargs):
        done = original_put(self, table_name, *args, **kwargs)
        if table_name == tables["streamed"] and "thread" not in answer:
            answer["thread"] = threading.Thread(target=lambda: answer.update(read()))
            answer["thread"].start()
            # a reader that is not held back reads the uncommitted write now
            answer["thread"].join(1.0)
        return done

    monkeypatch.setattr(DynamoDBBackend, "put_item", put_item)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": tables["streamed"], "Item": {"id": {"S": "never-written"}}}},
                {
                    "ConditionCheck": {
                        "TableName": tables["guard"],
                        "Key": {"id": {"S": "absent"}},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ]
        )
    monkeypatch.setattr(DynamoDBBackend, "put_item", original_put)
    answer.pop("thread").join(10)
    return answer


def test_a_stream_reader_never_sees_a_cancelled_transactions_writes(tables, monkeypatch):
    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=tables["streamed"])["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][-1]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]

    read_during = _read_during_a_cancelled_transaction(
        tables, monkeypatch, lambda: streams.get_records(ShardIterator=iterator, Limit=100)
    )
    dynamodb.put_item(TableName=tables["streamed"], Item={"id": {"S": "written"}})

    seen = [r["dynamodb"]["Keys"]["id"]["S"] for r in read_during["Records"]]
    following = streams.get_records(ShardIterator=read_during["NextShardIterator"], Limit=100)[
        "Records"
    ]
    seen += [r["dynamodb"]["Keys"]["id"]["S"] for r in following]
    assert seen == ["written"]


def test_a_read_never_sees_a_cancelled_transactions_writes(tables, monkeypatch):
    dynamodb = boto3.client("dynamodb")
    read_during = _read_during_a_cancelled_transaction(
        tables,
        monkeypatch,
        lambda: dynamodb.get_item(
            TableName=tables["streamed"], Key={"id": {"S": "never-written"}}, ConsistentRead=True
        ),
    )
    assert "Item" not in read_during
