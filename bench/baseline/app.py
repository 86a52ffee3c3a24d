"""The cold-start baseline: a plain Chalice app with one GetItem route, as `chalice package` ships it."""

import os

import boto3
from chalice import Chalice, NotFoundError

app = Chalice(app_name="baseline")
dynamodb = boto3.client("dynamodb")


@app.route("/products/{product_id}")
def get_product(product_id):
    key = {os.environ["BASELINE_KEY"]: {"S": product_id}}
    item = dynamodb.get_item(TableName=os.environ["BASELINE_TABLE"], Key=key).get("Item")
    if item is None:
        raise NotFoundError(product_id)
    return {name: next(iter(value.values())) for name, value in item.items()}
