"""The shop's Lambda entry point: wiring only."""
import os

from chalicelib import auth, web
from chalicelib.notifications import handlers
from chalicelib.notifications.routes import bp as notifications
from chalicelib.orders.routes import bp as orders
from chalicelib.products.routes import bp as products
from chalicelib.storefront.routes import bp as storefront
from chalicelib.system import bp as system
from chalicelib.users.routes import bp as users

auth.refuse_local_endpoint_in_lambda()

# Powertools' Logger writes the JSON log lines; Chalice's own handler on the same logger would double them
app = web.ShopChalice(app_name="shop", configure_logs=False)
app.register_middleware(web.request_id_middleware, "http")
app.register_blueprint(auth.bp)
app.register_blueprint(system)
app.register_blueprint(users)
app.register_blueprint(products)
app.register_blueprint(orders)
app.register_blueprint(notifications)
app.register_blueprint(storefront)

# Event sources are named at deploy time (make deploy writes them into the stage's settings).
ORDERS_STREAM_ARN = os.environ.get(
    "SHOP_ORDERS_STREAM_ARN", "arn:aws:dynamodb:us-east-1:123456789012:table/shop-dev-orders/stream/unset")
NOTIFICATIONS_QUEUE = os.environ.get("SHOP_NOTIFICATIONS_QUEUE", "shop-dev-notifications")


@app.on_dynamodb_record(stream_arn=ORDERS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON",
                        name="publish_order_events")
def publish_order_events(event):
    handlers.publish(event.to_dict())


@app.on_sqs_message(queue=NOTIFICATIONS_QUEUE, batch_size=10, name="deliver_notifications")
def deliver_notifications(event):
    return handlers.deliver(event.to_dict(), app.lambda_context)
