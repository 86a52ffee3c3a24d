"""No write on a shopper's request path (cart, checkout, cancel, notifications and the event handlers) lands
on a partition key the whole shop or a whole category shares.

Every shopper route and the notification consumer run through the partition-heat meter of `make bench`,
each request tagged with its shopper and its products. A key written for more than one shopper, and not for
one product that every one of those requests was about, is shared by the shop (or a category); that is
allowed only as one of many shards of a family (the admins' order indexes), never as a key of its own."""

import re
import types
import uuid
from collections import defaultdict

from bench import capacity, workloads
from chalicelib import bootstrap
from chalicelib.orders.events import event_of_change
from chalicelib.orders.model import Line, Order

MIN_SHARDS = 8


def family(key: str) -> str:
    """A key with its shard number taken off: `orders.by_status:PLACED#17` -> `orders.by_status:PLACED#`."""
    return re.sub(r"\d+$", "", key)


def shared_keys(meter) -> dict:
    """Keys written for several shoppers without one product in common, that are not one of many shards:
    {key: (shoppers, products)}."""
    shards = defaultdict(set)
    for key in meter.writes:
        shards[family(key)].add(key)
    found = {}
    for key, subjects in meter.written_by.items():
        users = {user for user, _ in subjects}
        common = frozenset.intersection(*(items for _, items in subjects))
        if len(users) > 1 and not common and len(shards[family(key)]) < MIN_SHARDS:
            found[key] = (len(users), len({p for _, items in subjects for p in items}))
    return found


def _as(subject, call):
    token = capacity.current_subject.set(subject)
    try:
        return call()
    finally:
        capacity.current_subject.reset(token)


def _deliver(app_module, order):
    """The consumer, handed this order's events as SQS would (the publisher itself writes no table)."""
    import json

    lines = tuple(
        Line(i["product_id"], i["name"], i["unit_price_cents"], i["quantity"])
        for i in order["items"]
    )
    new = Order(
        order["id"],
        order["user_id"],
        order["status"],
        lines,
        order["created_at"],
        order["updated_at"],
    )
    event = event_of_change(None, new)
    app_module.deliver_notifications(
        {
            "Records": [
                {
                    "messageId": str(uuid.uuid4()),
                    "receiptHandle": "r",
                    "body": json.dumps(event.payload()),
                    "attributes": {},
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn",
                    "awsRegion": "us-east-1",
                }
            ]
        },
        None,
    )


def test_no_shopper_path_writes_a_key_shared_by_the_shop_or_a_category(app, client, stack, admin):
    import sys

    app_module = sys.modules["app"]
    products = [
        admin.post(
            "/products",
            {
                "name": f"Keyed Chair {n}",
                "category": f"keys-{n % 2}",
                "price_cents": 900,
                "stock": 1000,
            },
        ).json["id"]
        for n in range(4)
    ]
    flash = admin.post(
        "/products",
        {
            "name": "Keyed Kettle",
            "category": "keys-0",
            "price_cents": 1500,
            "stock": 10000,
            "flash_sale": True,
        },
    ).json["id"]
    shoppers = workloads.shoppers(types.SimpleNamespace(client=client, stack=stack), 24)
    meter = capacity.Meter("test").install(bootstrap.services().dynamodb)
    try:
        for n, shopper in enumerate(shoppers):
            mine, other = products[n % 4], products[(n + 1) % 4]
            cart = (shopper.user_id, frozenset({mine, other}))
            _as(
                (shopper.user_id, frozenset({mine})),
                lambda: shopper.put(f"/cart/items/{mine}", {"quantity": 2}),
            )
            _as(
                (shopper.user_id, frozenset({other})),
                lambda: shopper.put(f"/cart/items/{other}", {"quantity": 1}),
            )
            _as(cart, lambda: shopper.get("/cart"))
            key = {"Idempotency-Key": f"keys-{n}"}
            first = _as(
                cart,
                lambda: shopper.post("/orders", {"payment_method": "pm_card_visa"}, headers=key),
            ).json
            _as(
                cart,
                lambda: shopper.post("/orders", {"payment_method": "pm_card_visa"}, headers=key),
            )  # a replay
            quick = (shopper.user_id, frozenset({flash, mine}))
            second = _as(
                quick,
                lambda: shopper.post(
                    "/orders",
                    {
                        "payment_method": "pm_card_visa",
                        "items": [
                            {"product_id": flash, "quantity": 1},
                            {"product_id": mine, "quantity": 1},
                        ],
                    },
                ),
            ).json
            third = _as(
                (shopper.user_id, frozenset({other})),
                lambda: shopper.post(
                    "/orders",
                    {
                        "payment_method": "pm_card_visa",
                        "items": [{"product_id": other, "quantity": 1}],
                    },
                ),
            ).json
            cancelled = _as(quick, lambda: shopper.post(f"/orders/{second['id']}/cancel")).json
            for order, subject in (
                (first, cart),
                (second, quick),
                (cancelled, quick),
                (third, (shopper.user_id, frozenset({other}))),
            ):
                _as(subject, lambda: _deliver(app_module, order))
            inbox = _as(cart, lambda: shopper.get("/notifications").json["items"])
            _as(cart, lambda: shopper.post(f"/notifications/{inbox[0]['id']}/read"))
            _as(cart, lambda: shopper.get("/orders"))
            _as((shopper.user_id, frozenset({mine})), lambda: shopper.delete(f"/cart/items/{mine}"))
    finally:
        meter.uninstall()
    assert {f.split(":")[0] for f in map(family, meter.written_by)} >= {
        "products",
        "carts",
        "orders",
        "orders.by_user_keys",
        "orders.all_orders",
        "orders.by_status",
        "notifications",
    }
    assert shared_keys(meter) == {}


def test_the_check_finds_a_key_the_whole_shop_shares():
    meter = capacity.Meter("test")
    for n in range(20):
        for key in ("orders.all:order", f"orders.sharded:{n % 16}", f"carts:U{n}"):
            meter.writes[key] += 1
            meter.written_by[key].add((f"U{n}", frozenset({f"P{n}"})))
    assert shared_keys(meter) == {"orders.all:order": (20, 20)}
