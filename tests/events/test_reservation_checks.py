"""A reservation's check end to end on the local stack: the PENDING order's write on the orders table's stream,
the publisher's delayed message on the reservation checks' queue, the pump handing it to the checker once SQS
lets it go (moto honours DelaySeconds), and the crashed order abandoned: its authorization cancelled, its units
back. The delay is set short here (the app reads it where it sends), and the checker's clock past the lease."""

import time
import types

import pytest

from tests import payments as stripe
from tests.payments import Crash, FaultyPayments
from tests.support import eventually

HELD_SECONDS = 3


def _stock(anonymous, product_id):
    return anonymous.get(f"/products/{product_id}", headers={"Cache-Control": "no-cache"}).json[
        "stock"
    ]


def _delayed(sqs, url) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessagesDelayed"])


def test_a_crashed_reservation_is_abandoned_by_its_delayed_check_through_the_stream_and_queue(
    pump, shopper, admin, anonymous, stripe_api, monkeypatch
):
    from chalicelib import bootstrap, settings
    from chalicelib.notifications.gateways import SqsEventQueue
    from chalicelib.orders import checks

    stool = admin.post(
        "/products",
        {"name": "Sturdy Stool", "category": "checks", "price_cents": 2500, "stock": 3},
    ).json
    sqs = bootstrap.services().client("sqs")
    url = sqs.get_queue_url(QueueName=settings.get().reservation_checks_queue)["QueueUrl"]
    faulty = FaultyPayments(bootstrap.services().payments)
    held = SqsEventQueue(sqs, url, delay_seconds=HELD_SECONDS)
    with bootstrap.replaced(payments=faulty, check_queue=held):
        faulty.after["authorize"] = Crash("the function stopped after Stripe authorized")
        with pytest.raises(Crash):
            shopper.post(
                "/orders",
                {
                    "payment_method": "pm_card_visa",
                    "items": [{"product_id": stool["id"], "quantity": 2}],
                },
            )
        crashed = time.time()
        (intent,) = [
            i for i in stripe.intents(stripe_api) if i["metadata"].get("user_id") == shopper.user_id
        ]
        later = crashed + 61  # the checker's clock: the request's lease is over
        monkeypatch.setattr(checks, "time", types.SimpleNamespace(time=lambda: later))
        # the publisher has sent the check, but SQS holds it back
        assert eventually(lambda: _delayed(sqs, url) >= 1, seconds=HELD_SECONDS)
        assert _stock(anonymous, stool["id"]) == 1
        assert eventually(lambda: _stock(anonymous, stool["id"]) == 3, seconds=20)
    assert time.time() - crashed >= HELD_SECONDS
    assert stripe.intent(stripe_api, intent["id"])["status"] == "canceled"
    assert shopper.get("/orders").json["items"] == [] and faulty.calls == ["authorize", "void"]
