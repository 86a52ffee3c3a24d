"""`make bench` counts the requests the app's Stripe client sends by wrapping the library's HTTP client class for
a measurement; each measurement must see its own requests, however long ago the app made its client."""

from bench import stripe_meter
from chalicelib import bootstrap


def test_each_measurement_counts_its_own_stripe_requests(client):
    payments = bootstrap.services().payments
    with stripe_meter.counting() as first:
        # the container's client may be made here, or was made before
        payments.intent("pi_counted_first")
    with stripe_meter.counting() as second:
        payments.intent("pi_counted_second")
        payments.intent("pi_counted_third")
    assert first.made == ["GET v1/payment_intents/pi_counted_first"]
    assert second.made == [
        "GET v1/payment_intents/pi_counted_second",
        "GET v1/payment_intents/pi_counted_third",
    ]
