"""Review attacks on the orders' outbox (orders/outbox.py, changes_in in orders/repository.py, events.py): odd
stream records publish nothing and never fail the batch; each status an order reaches is one event."""

import copy

import pytest

from tests.events.test_notifications import _order_image


def _publish(records):
    from chalicelib.orders import outbox

    return outbox.publish({"Records": records})


def _changes(records):
    from chalicelib.orders.events import event_of_change
    from chalicelib.orders.repository import changes_in

    return [event_of_change(old, new) for old, new in changes_in({"Records": records})]


def _removed(order_id, status, ttl=False):
    """A REMOVE record, as the stream gives it: the keys and the OldImage only (a TTL deletion says who)."""
    record = _order_image(order_id, "u-removed", status)
    record["eventName"] = "REMOVE"
    record["dynamodb"]["OldImage"] = record["dynamodb"].pop("NewImage")
    if ttl:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return record


def _odd_records():
    pending = _order_image("PEND-1", "u", "PENDING")
    no_dynamodb = {"eventName": "MODIFY", "eventID": "x"}
    keys_only = {"eventName": "MODIFY", "dynamodb": {"Keys": {"id": {"S": "K"}}}}
    cart = {
        "eventName": "INSERT",
        "dynamodb": {
            "NewImage": {
                "user_id": {"S": "u"},
                "lines": {"M": {"P": {"N": "1"}}},
                "version": {"N": "1"},
            }
        },
    }
    payment_event = {
        "eventName": "INSERT",
        "dynamodb": {"NewImage": {"id": {"S": "event#evt_1"}, "type": {"S": "charge.refunded"}}},
    }
    unknown_status = _order_image("ODD-1", "u", "ARCHIVED", old_status="DELIVERED")
    return {
        "pending insert": [pending],
        "pending removed": [_removed("PEND-2", "PENDING")],
        "placed removed by ttl": [_removed("OLD-1", "DELIVERED", ttl=True)],
        "no dynamodb": [no_dynamodb],
        "keys only": [keys_only],
        "cart image": [cart],
        "payment event image": [payment_event],
        "unknown status": [unknown_status],
        "no records": [],
    }


@pytest.mark.parametrize("name", sorted(_odd_records()))
def test_odd_stream_records_publish_nothing(app, name):
    records = _odd_records()[name]
    assert _changes(records) == [None] * len(records)
    assert _publish(records) == 0


def test_an_order_life_in_one_batch_is_one_event_a_status(app):
    records = [
        _order_image("LIFE-1", "u", "PENDING"),
        _order_image("LIFE-1", "u", "PLACED", old_status="PENDING"),
        _order_image("LIFE-1", "u", "PLACED", old_status="PLACED"),  # a write that moves no status
        _order_image("LIFE-1", "u", "SHIPPED", old_status="PLACED"),
        _order_image("LIFE-1", "u", "REFUNDED", old_status="SHIPPED"),
        _removed("LIFE-2", "PENDING"),  # a declined card's reservation
    ]
    events = [e for e in _changes(records) if e is not None]
    assert [e.type for e in events] == ["ORDER_PLACED", "ORDER_SHIPPED", "ORDER_REFUNDED"]
    assert all(
        e.order_id == "LIFE-1" and e.item_count == 2 and e.total_cents == 200 for e in events
    )
    assert [e.id for e in events] == ["LIFE-1.PLACED", "LIFE-1.SHIPPED", "LIFE-1.REFUNDED"]
    assert _publish(records) == 3


def test_odd_records_beside_real_changes_do_not_drop_them(app):
    """One batch: the odd records are skipped, the status changes among them published."""
    odd = [r for rs in _odd_records().values() for r in rs]
    real = [
        _order_image("MIX-1", "u", "PLACED", old_status="PENDING"),
        _order_image("MIX-2", "u", "CANCELLED", old_status="PLACED"),
    ]
    assert _publish(odd[:3] + real[:1] + odd[3:] + real[1:]) == 2


def test_an_order_image_with_a_payment_and_an_operation_in_flight_is_read(app):
    record = _order_image("PAID-1", "u", "SHIPPED", old_status="PLACED")
    for image in (record["dynamodb"]["NewImage"], record["dynamodb"]["OldImage"]):
        image["payment"] = {
            "M": {
                "status": {"S": "AUTHORIZED"},
                "amount_cents": {"N": "200"},
                "currency": {"S": "usd"},
                "reference": {"S": "pi_123"},
            }
        }
        image["payment_op"] = {"S": "capture"}
        image["op_since"] = {"N": "1795000000"}
    old = copy.deepcopy(record)
    (event,) = _changes([record])
    assert event.type == "ORDER_SHIPPED" and event.total_cents == 200
    assert record == old  # the record is not changed by reading it
