import json
import uuid

import boto3
import pytest

from tests.support import all_pages, eventually, queue_url, sent_emails


def _product(admin, stock=50):
    return admin.post(
        "/products",
        {"name": "Crunchy Armchair", "category": "furniture", "price_cents": 2500, "stock": stock},
    ).json


def _order(shopper, product):
    return shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": product["id"], "quantity": 1}]},
    ).json


def _inbox(api):
    return api.get("/notifications?limit=100").json["items"]


def _types_for(api, order_id):
    return sorted(n["type"] for n in _inbox(api) if n["order_id"] == order_id)


def _notification(api, order_id, kind="ORDER_PLACED"):
    """Notification ids are opaque (they start with the event's time): find one by its order and type."""
    return next(n for n in _inbox(api) if n["order_id"] == order_id and n["type"] == kind)


def test_every_order_event_gives_one_inbox_item_and_one_email(pump, shopper, admin):
    product = _product(admin)
    delivered = _order(shopper, product)
    admin.post(f"/orders/{delivered['id']}/ship")
    admin.post(f"/orders/{delivered['id']}/deliver")
    cancelled = _order(shopper, product)
    shopper.post(f"/orders/{cancelled['id']}/cancel")

    expected = {
        delivered["id"]: ["ORDER_DELIVERED", "ORDER_PLACED", "ORDER_SHIPPED"],
        cancelled["id"]: ["ORDER_CANCELLED", "ORDER_PLACED"],
    }
    assert eventually(lambda: all(_types_for(shopper, o) == t for o, t in expected.items()))
    assert eventually(lambda: len(sent_emails(shopper.email)) == 5)
    inbox = _inbox(shopper)
    assert all(n["read"] is False and n["created_at"].endswith("Z") for n in inbox)
    placed = _notification(shopper, delivered["id"])
    reference = delivered["id"][-8:]
    assert (
        placed["subject"] == f"We received your order {reference}" and "$25.00" in placed["message"]
    )
    subjects = [m.subject for m in sent_emails(shopper.email)]
    assert subjects.count(placed["subject"]) == 1


def test_a_refund_and_a_declined_or_pending_checkout_notify_as_they_should(
    pump, shopper, admin, stripe_api
):
    """A refund is one ORDER_REFUNDED; a declined card, and an order still PENDING while it is paid for, are no
    events at all (the reservation is not an order the shopper has)."""
    product = _product(admin)
    refused = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_chargeCustomerFail",
            "items": [{"product_id": product["id"], "quantity": 1}],
        },
    )
    assert refused.status_code == 402
    refunded = _order(shopper, product)
    admin.post(f"/orders/{refunded['id']}/ship")
    assert admin.post(f"/orders/{refunded['id']}/refund").status_code == 200
    expected = ["ORDER_PLACED", "ORDER_REFUNDED", "ORDER_SHIPPED"]
    assert eventually(lambda: _types_for(shopper, refunded["id"]) == expected, seconds=10)
    assert eventually(lambda: len(sent_emails(shopper.email)) == 3)
    note = _notification(shopper, refunded["id"], "ORDER_REFUNDED")
    assert "25.00" in note["message"] and len(_inbox(shopper)) == 3


def test_notifications_are_private_and_can_be_marked_read(pump, shopper, other_shopper, admin):
    order = _order(shopper, _product(admin))
    assert eventually(lambda: _types_for(shopper, order["id"]) == ["ORDER_PLACED"])
    notification_id = _notification(shopper, order["id"])["id"]
    assert other_shopper.get("/notifications").json["items"] == []
    assert other_shopper.post(f"/notifications/{notification_id}/read").status_code == 404
    assert shopper.post("/notifications/nothing-here/read").status_code == 404
    read = shopper.post(f"/notifications/{notification_id}/read")
    assert read.status_code == 200 and read.json["read"] is True
    assert next(n for n in _inbox(shopper) if n["id"] == notification_id)["read"] is True


def test_inbox_pages_newest_first(pump, shopper, admin):
    product = _product(admin)
    orders = [_order(shopper, product)["id"] for _ in range(3)]
    assert eventually(lambda: len(_inbox(shopper)) == 3)
    assert all_pages(shopper, "/notifications?limit=2", field="order_id") == list(reversed(orders))
    assert shopper.get("/notifications?cursor=forged.cursor").status_code == 400


# --- duplicates, failures and the dead-letter queue --------------------------------------------------


def _order_image(order_id, user_id, status, old_status=None):
    def image(s):
        return {
            "id": {"S": order_id},
            "kind": {"S": "order"},
            "user_id": {"S": user_id},
            "status": {"S": s},
            "lines": {
                "L": [
                    {
                        "M": {
                            "product_id": {"S": "P"},
                            "name": {"S": "Chair"},
                            "unit_price_cents": {"N": "100"},
                            "quantity": {"N": "2"},
                        }
                    }
                ]
            },
            "total_cents": {"N": "200"},
            "created_at": {"S": "2026-11-27T10:00:00Z"},
            "updated_at": {"S": "2026-11-27T10:00:00Z"},
        }

    record = {
        "eventID": uuid.uuid4().hex,
        "eventName": "MODIFY" if old_status else "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/shop-test-orders/stream/x",
        "dynamodb": {
            "Keys": {"id": {"S": order_id}},
            "NewImage": image(status),
            "SequenceNumber": "1",
            "SizeBytes": 100,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            "ApproximateCreationDateTime": 1795000000.0,
        },
    }
    if old_status:
        record["dynamodb"]["OldImage"] = image(old_status)
    return record


def _sqs_event(bodies):
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": "r",
                "body": json.dumps(body),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:shop-test-notifications",
                "awsRegion": "us-east-1",
            }
            for message_id, body in bodies
        ]
    }


def _event(order_id, user_id, status="PLACED"):
    return {
        "id": f"{order_id}.{status}",
        "type": f"ORDER_{status}",
        "order_id": order_id,
        "user_id": user_id,
        "total_cents": 200,
        "item_count": 2,
        "occurred_at": "2026-11-27T10:00:00Z",
    }


def test_the_same_stream_record_twice_still_gives_one_item_and_one_email(pump, shopper, app):
    import app as app_module

    order_id = f"DUPLICATE-{uuid.uuid4().hex[:8]}"
    record = _order_image(order_id, shopper.user_id, "SHIPPED", old_status="PLACED")
    app_module.publish_order_events({"Records": [record]}, None)
    app_module.publish_order_events({"Records": [record]}, None)
    assert eventually(lambda: _types_for(shopper, order_id) == ["ORDER_SHIPPED"])
    assert eventually(lambda: len(sent_emails(shopper.email)) == 1)
    import time

    time.sleep(1.0)  # give a wrongly doubled delivery its chance to show
    assert (
        _types_for(shopper, order_id) == ["ORDER_SHIPPED"] and len(sent_emails(shopper.email)) == 1
    )


def test_records_that_change_no_status_publish_nothing(app):
    from chalicelib.orders import outbox

    same = _order_image("NOCHANGE", "u", "PLACED", old_status="PLACED")
    cart = {
        "eventName": "MODIFY",
        "dynamodb": {"NewImage": {"id": {"S": "cart#u"}, "q_P": {"N": "1"}}},
    }
    assert outbox.publish({"Records": [same, cart]}) == 0


def test_the_same_message_three_times_still_gives_one_item_and_one_email(shopper, app):
    import app as app_module

    order_id = f"TRIPLE-{uuid.uuid4().hex[:8]}"
    event = _sqs_event([("m-1", _event(order_id, shopper.user_id))])
    for _ in range(3):
        assert app_module.deliver_notifications(event, None) == {"batchItemFailures": []}
    assert _types_for(shopper, order_id) == ["ORDER_PLACED"]
    assert len(sent_emails(shopper.email)) == 1


def test_ses_failing_for_one_message_spares_its_neighbours_and_emails_it_once_later(
    client, shopper, other_shopper, app, monkeypatch
):
    import app as app_module
    from chalicelib import bootstrap

    mailer = bootstrap.services().mailer
    real_send = type(mailer).send
    failing = {other_shopper.email}

    def send(self, to, subject, body):
        if to in failing:
            raise RuntimeError("SES is down for this address")
        return real_send(self, to, subject, body)

    monkeypatch.setattr(type(mailer), "send", send)
    mine, theirs = f"SES-A-{uuid.uuid4().hex[:6]}", f"SES-B-{uuid.uuid4().hex[:6]}"
    event = _sqs_event(
        [("ok", _event(mine, shopper.user_id)), ("bad", _event(theirs, other_shopper.user_id))]
    )
    assert app_module.deliver_notifications(event, None) == {
        "batchItemFailures": [{"itemIdentifier": "bad"}]
    }
    assert len(sent_emails(shopper.email)) == 1 and sent_emails(other_shopper.email) == []
    # the inbox item is there, the email is not
    assert _types_for(other_shopper, theirs) == ["ORDER_PLACED"]
    failing.clear()
    for _ in range(2):  # SES is back; the message comes again (twice, to be sure)
        app_module.deliver_notifications(event, None)
    assert len(sent_emails(other_shopper.email)) == 1 and len(sent_emails(shopper.email)) == 1


def test_without_partial_batch_responses_a_failed_message_fails_the_invocation(
    shopper, app, monkeypatch
):
    import app as app_module
    from chalicelib import settings
    from chalicelib.batches import BatchFailed

    monkeypatch.setenv("SHOP_PARTIAL_BATCH_RESPONSE", "false")
    settings.reset()
    try:
        good = _event(f"WHOLE-{uuid.uuid4().hex[:6]}", shopper.user_id)
        with pytest.raises(BatchFailed):
            app_module.deliver_notifications(
                _sqs_event([("good", good), ("poison", {"not": "an event"})]), None
            )
        # done once; the retry will skip it
        assert _types_for(shopper, good["order_id"]) == ["ORDER_PLACED"]
    finally:
        monkeypatch.undo()
        settings.reset()


def test_a_poison_message_reaches_the_dead_letter_queue_and_is_replayed_once_it_can_be(
    pump, client, stack
):
    from ops.replay_dlq import replay

    sqs = boto3.client("sqs")
    queue, dead_letters = (
        queue_url("shop-test-notifications"),
        queue_url("shop-test-notifications-dlq"),
    )
    # a user whose profile does not exist yet: the consumer cannot email them
    newcomer = str(uuid.uuid4())
    order_id = f"POISON-{uuid.uuid4().hex[:8]}"
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(_event(order_id, newcomer)))

    def in_dead_letters():
        attributes = sqs.get_queue_attributes(
            QueueUrl=dead_letters, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"]) == 1

    # five receives, a second apart; slower on a busy machine
    assert eventually(in_dead_letters, seconds=45)
    email = f"newcomer-{uuid.uuid4().hex[:6]}@example.com"
    boto3.client("dynamodb").put_item(
        TableName="shop-test-users",
        Item={
            "id": {"S": newcomer},
            "email": {"S": email},
            "name": {"S": "Newcomer"},
            "created_at": {"S": "2026-11-27T10:00:00Z"},
        },
    )
    assert replay(sqs, dead_letters, queue) == 1
    assert eventually(lambda: len(sent_emails(email)) == 1, seconds=10)
    assert not in_dead_letters()
    inbox = boto3.client("dynamodb").query(
        TableName="shop-test-notifications",
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": newcomer}},
    )["Items"]
    assert [(n["order_id"]["S"], "emailed_at" in n) for n in inbox] == [(order_id, True)]
