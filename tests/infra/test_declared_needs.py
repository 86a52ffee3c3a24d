"""The AWS access each operation declares (its production IAM role) covers every call it makes.

The recorder sees every call of the whole test run; this test also drives each operation once (the
benchmark's scenarios), so the check does not depend on which other tests ran before it."""

from tests import recorder


def test_every_operation_makes_only_the_calls_it_declares(app, client, stack, pump):
    from bench import scenarios
    from chalicelib.notifications import handlers
    from chalicelib.orders import checks, outbox, sweeping
    from devstack import pump as pumps
    from tests.support import eventually

    world = scenarios.World.create(stack)
    scenarios.count_calls(world)
    declared = {
        (op.method, op.path): set(op.needs)
        for op in (
            entry.view_function.operation
            for methods in app.routes.values()
            for entry in methods.values()
        )
    }
    declared.update(
        {
            (h.method, h.path): set(h.needs)
            for h in (outbox.PUBLISH, handlers.DELIVER, checks.CHECK, sweeping.SWEEP)
        }
    )
    sweeping.sweep()  # the scheduled sweep's calls, whatever it finds
    # a reservation's check (its message is delayed past the lease: this one is handed over at once)
    message = {"MessageId": "m1", "ReceiptHandle": "r1", "Body": '{"order_id": "O1", '}
    message["Body"] += '"operation": "authorize", "since": 1}'
    checks.check(pumps.sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:checks"))
    assert eventually(lambda: ("SQS", "deliver_notifications") in recorder.calls(), seconds=10)
    made = recorder.calls()
    undeclared = {
        op: sorted(c for c in calls if not recorder.covered(declared[op], c))
        for op, calls in made.items()
    }
    assert {op: c for op, c in undeclared.items() if c} == {}
    exercised = set(made)
    assert {
        ("GET", "/products/{product_id}"),
        ("POST", "/orders"),
        ("STREAM", "publish_order_events"),
        ("SQS", "check_reservations"),
    } <= exercised


def test_a_missing_declaration_would_be_caught():
    assert not recorder.covered({"dynamodb:GetItem:products"}, "dynamodb:UpdateItem:products")
    assert not recorder.covered({"dynamodb:GetItem:products"}, "dynamodb:GetItem:orders")
    assert recorder.covered(
        {"dynamodb:BatchGetItem:orders,products"}, "dynamodb:BatchGetItem:products"
    )


def test_the_matcher_refuses_attributes_tables_and_actions_beyond_the_grant():
    checkout = {
        "dynamodb:UpdateItem:products(flash_sale,id,listed,price_cents,stock)",
        "dynamodb:PutItem:orders",
    }
    assert recorder.covered(checkout, "dynamodb:UpdateItem:products(id,listed,stock)")
    # a name
    assert not recorder.covered(checkout, "dynamodb:UpdateItem:products(id,price_cents,stock,name)")
    # attributes unknown: not within
    assert not recorder.covered(checkout, "dynamodb:UpdateItem:products")
    assert not recorder.covered(checkout, "dynamodb:UpdateItem:orders(id,status)")
    assert not recorder.covered(checkout, "dynamodb:DeleteItem:products(id)")
    assert recorder.covered(
        {"dynamodb:UpdateItem:carts"}, "dynamodb:UpdateItem:carts(lines,user_id,version)"
    )


def test_the_recorder_names_the_top_level_attributes_a_write_touches():
    params = {
        "Key": {"user_id": {"S": "U"}},
        "UpdateExpression": "SET #0.#1 = :0 ADD #2 :1",
        "ConditionExpression": "attribute_exists (#0) AND (attribute_exists (#0.#1) OR size (#0) < :2)",
        "ExpressionAttributeNames": {
            "#0": "lines",
            "#1": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "#2": "version",
        },
    }
    assert recorder._attributes(params) == "(lines,user_id,version)"
