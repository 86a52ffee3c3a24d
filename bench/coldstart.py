"""One cold start, in a fresh interpreter compiling from source (the zip carries no .pyc): the clock
runs from before the first import to the entry point's first answer to a real request."""
import json
import sys
import time

started = time.perf_counter()
kind, spec = sys.argv[1], json.loads(sys.argv[2])
if kind == "baseline":
    from chalice import Chalice
    import boto3
    baseline = Chalice(app_name="baseline")
    client = boto3.client("dynamodb")
    client.get_item(TableName=spec["table"], Key={"id": {"S": spec["key"]}})
else:
    sys.path.insert(0, spec["root"])
    from bench.lambda_event import Context, event
    from app import app
    answer = app(event(**spec["event"]), Context())
    assert answer["statusCode"] == spec["status"], answer
print(json.dumps({"ms": (time.perf_counter() - started) * 1000}))
