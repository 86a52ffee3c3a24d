"""Fault injection on the request and event paths: botocore's before-send hook answers in AWS's place with
throttling or server errors, as a dependency under stress would."""

import contextlib
import json
import time

from botocore.awsrequest import AWSResponse

from chalicelib import bootstrap
from tests.support import eventually, metrics_logged, sent_emails


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_):
        yield self._body


@contextlib.contextmanager
def failing(service: str, operation: str, status: int, error: str, times: int = None, **extra):
    """Make the app's client for `service` answer `operation` with an error, `times` times (or always);
    `extra` goes into the error's body (a cancelled transaction's CancellationReasons, say)."""
    client = bootstrap.services().client(service)
    state = {"left": times, "seen": 0}

    def answer(request, **_):
        if state["left"] is not None and state["left"] <= 0:
            return None
        state["seen"] += 1
        if state["left"] is not None:
            state["left"] -= 1
        body = json.dumps({"__type": error, "message": "injected fault", **extra}).encode()
        return AWSResponse(
            request.url,
            status,
            {"x-amzn-ErrorType": error, "Content-Type": "application/x-amz-json-1.0"},
            _Raw(body),
        )

    event = f"before-send.{client.meta.service_model.endpoint_prefix}.{operation}"
    client.meta.events.register(event, answer, unique_id=f"fault-{operation}")
    try:
        yield state
    finally:
        client.meta.events.unregister(event, unique_id=f"fault-{operation}")


def _product(admin, stock=10):
    return admin.post(
        "/products",
        {"name": "Fragile Vase", "category": "faults", "price_cents": 1500, "stock": stock},
    ).json


def _stock(anonymous, product_id):
    return anonymous.get(f"/products/{product_id}", headers={"Cache-Control": "no-cache"}).json[
        "stock"
    ]


def test_throttled_checkout_is_retried_and_places_one_order(shopper, admin, anonymous):
    product = _product(admin)
    with failing(
        "dynamodb", "TransactWriteItems", 400, "ProvisionedThroughputExceededException", times=2
    ) as fault:
        placed = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": product["id"], "quantity": 1}],
            },
        )
    assert fault["seen"] == 2 and placed.status_code == 201
    assert _stock(anonymous, product["id"]) == 9
    assert [o["id"] for o in shopper.get("/orders").json["items"]] == [placed.json["id"]]


def test_a_dynamodb_outage_at_checkout_is_503_and_never_half_an_order(shopper, admin, anonymous):
    product = _product(admin)
    shopper.put(f"/cart/items/{product['id']}", {"quantity": 2})
    with failing("dynamodb", "TransactWriteItems", 500, "InternalServerError") as fault:
        refused = shopper.post(
            "/orders", {"payment_method": "pm_card_visa"}, headers={"Idempotency-Key": "outage-1"}
        )
    assert fault["seen"] >= 3  # botocore's standard retry mode tried again before giving up
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert refused.json["Code"] == "ServiceUnavailableError"
    assert _stock(anonymous, product["id"]) == 10
    assert shopper.get("/orders").json["items"] == []
    assert [l["quantity"] for l in shopper.get("/cart").json["items"]] == [2]
    # the client retries later
    retried = shopper.post(
        "/orders", {"payment_method": "pm_card_visa"}, headers={"Idempotency-Key": "outage-1"}
    )
    assert retried.status_code == 201 and _stock(anonymous, product["id"]) == 8


def _conflict(lines: int):
    """What DynamoDB answers when another transaction holds one of the items (moto never does: it runs one
    write at a time)."""
    return {
        "CancellationReasons": [
            {"Code": "TransactionConflict", "Message": "Transaction is ongoing"}
        ]
        + [{"Code": "None"}] * lines
    }


def test_transaction_conflicts_are_retried_and_the_order_is_placed_once(shopper, admin, anonymous):
    product = admin.post(
        "/products",
        {
            "name": "Contested Kettle",
            "category": "faults",
            "price_cents": 990,
            "stock": 48,
            "flash_sale": True,
        },
    ).json
    with failing(
        "dynamodb",
        "TransactWriteItems",
        400,
        "TransactionCanceledException",
        times=3,
        **_conflict(1),
    ) as fault:
        placed = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": product["id"], "quantity": 2}],
            },
            headers={"Idempotency-Key": "conflict-1"},
        )
    assert fault["seen"] == 3 and placed.status_code == 201, placed.body
    assert _stock(anonymous, product["id"]) == 46
    assert [o["id"] for o in shopper.get("/orders").json["items"]] == [placed.json["id"]]


def test_endless_transaction_conflicts_are_503_with_retry_after_and_change_nothing(
    shopper, admin, anonymous
):
    product = admin.post(
        "/products",
        {
            "name": "Contested Lamp",
            "category": "faults",
            "price_cents": 990,
            "stock": 48,
            "flash_sale": True,
        },
    ).json
    with failing(
        "dynamodb", "TransactWriteItems", 400, "TransactionCanceledException", **_conflict(1)
    ):
        refused = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": product["id"], "quantity": 1}],
            },
        )
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert (
        refused.json["Code"] == "ServiceUnavailableError" and _stock(anonymous, product["id"]) == 48
    )


def test_throttled_reads_answer_503_with_retry_after(anonymous, admin):
    product = _product(admin)
    with failing("dynamodb", "GetItem", 400, "ThrottlingException"):
        response = anonymous.get(
            f"/products/{product['id']}", headers={"Cache-Control": "no-cache"}
        )
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"


def test_cognito_unavailable_makes_sign_in_503_not_500(anonymous, shopper):
    with failing("cognito-idp", "InitiateAuth", 500, "InternalErrorException"):
        response = anonymous.post(
            "/auth/token", {"email": shopper.email, "password": "Sturdy-Passw0rd"}
        )
    assert response.status_code == 503 and response.json["Code"] == "ServiceUnavailableError"
    assert (
        anonymous.post(
            "/auth/token", {"email": shopper.email, "password": "Sturdy-Passw0rd"}
        ).status_code
        == 200
    )


def test_sqs_refusing_the_publisher_loses_no_event(pump, shopper, admin):
    product = _product(admin)
    bootstrap.services().event_queue  # created before the fault, as in a warm container
    with failing("sqs", "SendMessageBatch", 500, "InternalError") as fault:
        order = shopper.post(
            "/orders",
            {
                "payment_method": "pm_card_visa",
                "items": [{"product_id": product["id"], "quantity": 1}],
            },
        ).json
        # the stream batch failed, and came again
        assert eventually(lambda: fault["seen"] >= 6, seconds=10)
        assert not any(
            n["order_id"] == order["id"] for n in shopper.get("/notifications").json["items"]
        )
    assert eventually(
        lambda: (
            [
                n["type"]
                for n in shopper.get("/notifications").json["items"]
                if n["order_id"] == order["id"]
            ]
            == ["ORDER_PLACED"]
        )
    )
    assert eventually(lambda: len(sent_emails(shopper.email)) == 1)
    time.sleep(0.5)
    assert len(sent_emails(shopper.email)) == 1


def test_entries_sqs_reports_as_failed_are_sent_again():
    from chalicelib.notifications.gateways import SqsEventQueue
    from chalicelib.orders.events import OrderEvent

    class FlakySqs:
        def __init__(self):
            self.batches = []

        def send_message_batch(self, QueueUrl, Entries):
            self.batches.append([e["Id"] for e in Entries])
            failed = (
                [{"Id": Entries[0]["Id"], "SenderFault": False, "Code": "InternalError"}]
                if len(self.batches) == 1
                else []
            )
            return {
                "Successful": [{"Id": e["Id"]} for e in Entries if {"Id": e["Id"]} not in failed],
                "Failed": failed,
            }

    sqs = FlakySqs()
    events = [OrderEvent(f"O{i}.PLACED", "ORDER_PLACED", f"O{i}", "U", 1, 1, "t") for i in range(3)]
    SqsEventQueue(sqs, "url").send(events)
    assert sqs.batches == [["0", "1", "2"], ["0"]]


def test_a_dynamodb_outage_leaves_the_catalog_a_warm_function_served_readable_and_marked_stale(
    anonymous, admin, app_log
):
    product = admin.post(
        "/products", {"name": "Steady Vase", "category": "outage", "price_cents": 1500, "stock": 3}
    ).json
    paths = [f"/products/{product['id']}", "/products?category=outage&limit=5", "/categories"]
    served = {path: anonymous.get(path) for path in paths}
    assert all(r.status_code == 200 and "Warning" not in r.headers for r in served.values())
    never_served = admin.post(
        "/products", {"name": "New Vase", "category": "outage", "price_cents": 1, "stock": 1}
    ).json
    before = app_log.stat().st_size
    with (
        failing("dynamodb", "GetItem", 500, "InternalServerError"),
        failing("dynamodb", "BatchGetItem", 500, "InternalServerError"),
        failing("dynamodb", "Query", 400, "ProvisionedThroughputExceededException"),
        failing("dynamodb", "TransactWriteItems", 500, "InternalServerError"),
    ):
        for path in paths:
            stale = anonymous.get(path, headers={"Cache-Control": "no-cache"})
            assert (
                stale.status_code == 200 and stale.headers["Warning"] == '110 - "Response is Stale"'
            ), path
            assert (
                stale.json == served[path].json
                and "stale-if-error=600" in stale.headers["Cache-Control"]
            )
        missing = anonymous.get(
            f"/products/{never_served['id']}", headers={"Cache-Control": "no-cache"}
        )
        assert missing.status_code == 503 and missing.headers["Retry-After"] == "1"
        write = admin.patch(f"/products/{product['id']}", {"price_cents": 1600})
        assert write.status_code == 503 and write.headers["Retry-After"] == "1"
    # each stale answer is counted where the StaleServed alarm (ops/alarms.py) looks: namespace, dimension, name
    stale_metrics = [m for m in metrics_logged(app_log, before) if m[2] == "StaleServed"]
    assert stale_metrics == [("shop", ("service",), "StaleServed")] * len(paths)
    fresh = anonymous.get(paths[0], headers={"Cache-Control": "no-cache"})
    assert (
        fresh.status_code == 200
        and "Warning" not in fresh.headers
        and fresh.json["price_cents"] == 1500
    )
