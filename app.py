"""The shop's Lambda entry point: wiring only.

In production every API operation is a function of its own; its SHOP_BLUEPRINTS (set by ops/package.py) names the
one blueprint it serves, so its cold start imports that blueprint alone. Unset (locally, in tests, in `chalice
deploy`'s single function) every blueprint is served; empty (the event handlers' functions) none is."""

import importlib
import os

from chalice import Rate

from chalicelib import auth
from chalicelib.http import middleware
from chalicelib.http.app import ShopChalice

BLUEPRINTS = {
    "system": "chalicelib.system",
    "users": "chalicelib.users.routes",
    "products": "chalicelib.products.routes",
    "cart": "chalicelib.orders.cart_routes",
    "orders": "chalicelib.orders.routes",
    "fulfilment": "chalicelib.orders.fulfilment_routes",
    "payments": "chalicelib.payments.routes",
    "notifications": "chalicelib.notifications.routes",
    "storefront": "chalicelib.storefront.routes",
}

auth.refuse_local_endpoint_in_lambda()

# Powertools' Logger writes the JSON log lines; Chalice's own handler on the same logger would double them
app = ShopChalice(app_name="shop", configure_logs=False)
app.register_middleware(middleware.request_id, "http")
app.register_middleware(middleware.security_headers, "http")
app.register_blueprint(auth.bp)
for name in filter(None, os.environ.get("SHOP_BLUEPRINTS", ",".join(BLUEPRINTS)).split(",")):
    app.register_blueprint(importlib.import_module(BLUEPRINTS[name]).bp)

# Event sources are named at deploy time (make deploy writes them into the stage's settings).
ORDERS_STREAM_ARN = os.environ.get(
    "SHOP_ORDERS_STREAM_ARN",
    "arn:aws:dynamodb:us-east-1:123456789012:table/shop-dev-orders/stream/unset",
)
NOTIFICATIONS_QUEUE = os.environ.get("SHOP_NOTIFICATIONS_QUEUE", "shop-dev-notifications")
RESERVATION_CHECKS_QUEUE = os.environ.get(
    "SHOP_RESERVATION_CHECKS_QUEUE", "shop-dev-reservation-checks"
)


# the handlers' module is imported where used: an API function's cold start does not pay for it
@app.on_dynamodb_record(
    stream_arn=ORDERS_STREAM_ARN,
    batch_size=100,
    starting_position="TRIM_HORIZON",
    name="publish_order_events",
)
def publish_order_events(event):
    from chalicelib.orders import outbox

    outbox.publish(event.to_dict())


@app.on_sqs_message(queue=NOTIFICATIONS_QUEUE, batch_size=10, name="deliver_notifications")
def deliver_notifications(event):
    from chalicelib.notifications import handlers

    return handlers.deliver(event.to_dict(), app.lambda_context)


# each reservation checked once its lease is over (the outbox sends the check, delayed): one whose request never
# finished is abandoned, its authorization cancelled and its units given back
@app.on_sqs_message(queue=RESERVATION_CHECKS_QUEUE, batch_size=5, name="check_reservations")
def check_reservations(event):
    from chalicelib.orders import checks

    return checks.check(event.to_dict(), app.lambda_context)


# every few minutes: payments whose request never finished (a capture, void or refund cut off before it was
# recorded; a reservation taken over whose abandoning failed) are settled from what Stripe says (the local stack
# runs it every 60 s)
@app.schedule(Rate(5, unit=Rate.MINUTES), name="sweep_payments")
def sweep_payments(event):
    from chalicelib.orders import sweeping

    return sweeping.sweep()
