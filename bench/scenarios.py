"""The data the benchmarks run against, and one scenario per API operation whose DynamoDB calls
are counted (botocore's before-call hook on the app's own client), and whose cost to the app is measured
(bench/probe.py: its own time, its AWS calls and round trips, log bytes, and the read and write units the
capacity model charges its DynamoDB calls, bench/capacity.py) for bench/cost.py.

Some operations are measured in a cold container (`cold_container()`: caches empty) as well as a warm one, and
`reads()` gathers the figures `make bench` ends with: read units per product read, per page and per refused
flash-sale order, and the DynamoDB calls of a shopper's first cart line."""

import contextlib
import os
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from chalice.test import Client

from bench import progress
from chalicelib import bootstrap
from devstack.api import Api

PASSWORD = "Bench-Passw0rd"


@dataclass
class World:
    """Everything the scenarios share: the accounts, and what earlier scenarios made for later ones."""

    stack: object
    client: Client
    shopper: Api
    admin: Api
    token: str
    product_id: str = "none"  # a product with plenty of stock
    flash_id: str = ""  # a flash-sale product with plenty of stock
    newcomer: Optional[Api] = None  # a shopper with no cart yet
    many: List[str] = field(default_factory=list)  # 50 products of one category
    cursor: Optional[str] = None  # the second page of that category
    created: str = ""  # made by POST /products, changed and deleted by the next scenarios
    order_id: str = ""  # placed with an idempotency key, then shipped and delivered
    to_cancel: str = ""
    sold_out: str = ""
    flash_sold_out: str = ""  # a flash-sale product with no unit left
    event_order: dict = field(default_factory=dict)
    refresh_token: str = ""  # the sign-in scenario's, refreshed and then signed out by the next two
    cold_start_event: dict = field(default_factory=dict)
    warm_requests: List[dict] = field(default_factory=list)
    probe: Optional[object] = None  # bench/probe.py's, while count_calls runs

    @classmethod
    def create(cls, stack) -> "World":
        import boto3
        from app import app

        client = Client(app, stage_name="test")
        anonymous = Api(client)

        def account(email, admin=False):
            anonymous.post("/users", {"email": email, "password": PASSWORD, "name": "Bench"})
            if admin:
                boto3.client("cognito-idp").admin_add_user_to_group(
                    UserPoolId=stack.pool_id, Username=email, GroupName="admin"
                )
            tokens = anonymous.post("/auth/token", {"email": email, "password": PASSWORD}).json
            api = Api(client, tokens["access_token"])
            api.user_id = api.get("/users/me").json["id"]
            return api

        shopper, admin = (
            account("bench-shopper@example.com"),
            account("bench-admin@example.com", admin=True),
        )
        newcomer = account("bench-newcomer@example.com")
        world = cls(
            stack=stack,
            client=client,
            shopper=shopper,
            admin=admin,
            token=shopper.token,
            newcomer=newcomer,
        )
        world.cold_start_event = {"method": "GET", "path": "/health"}
        world.warm_requests = [
            {"method": "GET", "path": "/health"},
            {"method": "GET", "path": "/users/me", "user_id": shopper.user_id},
        ]
        for prepare in PREPARE:
            prepare(world)
        return world


class Counter:
    def __init__(self) -> None:
        self.operations: List[str] = []

    def __call__(self, model, **_):
        self.operations.append(model.name)


@contextlib.contextmanager
def counting():
    counter = Counter()
    events = bootstrap.services().dynamodb.meta.events
    events.register("before-call.dynamodb", counter, unique_id="bench-counter")
    try:
        yield counter
    finally:
        events.unregister("before-call.dynamodb", unique_id="bench-counter")


@contextlib.contextmanager
def cold_container():
    """A container that has served nothing yet: a fresh composition root, every warm cache empty, over the same
    AWS clients (the meters hooked on them see its calls). The root in use comes back afterwards."""
    with bootstrap.replaced():
        yield


SCENARIOS: List[Callable[[World], Dict]] = []
PREPARE: List[Callable[[World], None]] = []


def scenario(name: str, setup: Callable[[World], None] = None, status: int = 0):
    """Count the DynamoDB calls and Stripe requests of one request (what `setup` does beforehand is not counted);
    `status` is the answer expected where it is not a success."""

    def register(run):
        def measured(world):
            from bench import stripe_meter

            if setup:
                setup(world)
            # once before, as a warm container has served it (lazy imports, keys)
            if name.startswith("GET "):
                run(world)
            with (
                counting() as counter,
                stripe_meter.counting() as stripe,
                world.probe.measuring() as cost,
            ):
                response = run(world)
            assert (response.status_code == status) if status else response.status_code < 400, (
                name,
                response.status_code,
                response.body,
            )
            return name, {
                "calls": len(counter.operations),
                "operations": counter.operations,
                "stripe": len(stripe.made),
                "stripe_requests": stripe.made,
                **cost.as_dict(),
            }

        SCENARIOS.append(measured)
        return run

    return register


def count_calls(world: World) -> Dict[str, Dict]:
    from bench.capacity import Meter
    from bench.probe import Probe, app_clients

    meter = Meter(world.stack.stage).install(bootstrap.services().dynamodb)
    world.probe = Probe(app_clients(), meter)
    progress.expect(len(SCENARIOS))
    counted = {}
    try:
        for run in SCENARIOS:
            counted.update([run(world)])
            progress.advance()
        return counted
    finally:
        world.probe.uninstall()
        meter.uninstall()
        world.probe = None


def extra(world: World) -> Dict:
    """The deployment zip's size (arm64, as `make package` builds it)."""
    import pathlib
    import tempfile
    from ops import package

    with tempfile.TemporaryDirectory() as out:
        built = package.build("prod", pathlib.Path(out) / "prod")
        return {"deployment_zip_mb": round((built / "deployment.zip").stat().st_size / 1e6, 2)}


@scenario("GET /health")
def _health(world):
    return Api(world.client).get("/health")


@scenario("GET /users/me")
def _me(world):
    return world.shopper.get("/users/me")


@scenario("POST /auth/token")
def _sign_in(world):
    return Api(world.client).post(
        "/auth/token", {"email": "bench-shopper@example.com", "password": PASSWORD}
    )


@scenario("PATCH /users/me")
def _rename(world):
    return world.shopper.patch("/users/me", {"name": "Bench Renamed"})


@scenario("POST /auth/token (sign-in)")
def _sign_in(world):
    answer = Api(world.client).post(
        "/auth/token", {"email": "bench-shopper@example.com", "password": PASSWORD}
    )
    world.refresh_token = answer.json["refresh_token"]
    return answer


@scenario("POST /auth/token (refresh)")
def _refresh(world):
    return Api(world.client).post("/auth/token", {"refresh_token": world.refresh_token})


@scenario("POST /auth/sign-out")
def _sign_out(world):
    return world.shopper.post("/auth/sign-out", {"refresh_token": world.refresh_token})


# --- catalog ----------------------------------------------------------------------------------------


def _new_product(world, name="Bench Chair", stock=1000, category="bench", flash_sale=False):
    fields = {"name": name, "category": category, "price_cents": 1999, "stock": stock}
    return world.admin.post(
        "/products", {**fields, **({"flash_sale": True} if flash_sale else {})}
    ).json["id"]


def _catalog(world):
    world.product_id = _new_product(world)
    world.many = [
        _new_product(world, name=f"Bench Item {i}", category="bench-many") for i in range(50)
    ]
    world.cold_start_event = {
        "method": "GET",
        "path": f"/products/{world.product_id}",
        "resource": "/products/{product_id}",
        "params": {"product_id": world.product_id},
    }
    world.warm_requests += [
        world.cold_start_event,
        {"method": "GET", "path": "/products"},
        {"method": "GET", "path": "/categories"},
    ]


PREPARE.append(_catalog)
NO_CACHE = {"Cache-Control": "no-cache"}


@scenario("GET /products/{id}")
def _product(world):
    return Api(world.client).get(f"/products/{world.product_id}", headers=NO_CACHE)


@scenario("GET /products/{id} (warm cache)")
def _product_warm(world):
    return Api(world.client).get(f"/products/{world.product_id}")


@scenario("GET /products/{id} (cold container)")
def _product_cold(world):
    with cold_container():
        return Api(world.client).get(f"/products/{world.product_id}")


def _a_flash_sale_product(world):
    world.flash_id = _new_product(
        world, name="Bench Flash Kettle", category="bench-flash", flash_sale=True
    )


@scenario("GET /products/{id} (flash sale, cold container)", setup=_a_flash_sale_product)
def _flash_cold(world):
    with cold_container():
        return Api(world.client).get(f"/products/{world.flash_id}")


# a container that has served the product before (read once more beforehand, as every GET scenario is): what it
# remembers of it (its flash-sale flag) may spare reads; the answer cache is skipped
@scenario("GET /products/{id} (flash sale, warm container)")
def _flash_warm(world):
    return Api(world.client).get(f"/products/{world.flash_id}", headers=NO_CACHE)


@scenario("GET /products (a page)")
def _products_page(world):
    return Api(world.client).get("/products?limit=20", headers=NO_CACHE)


def _first_page(world):
    world.cursor = (
        Api(world.client).get("/products?category=bench-many&limit=10").json["next_cursor"]
    )


@scenario("GET /products?category= (next page)", setup=_first_page)
def _category_page(world):
    return Api(world.client).get(
        f"/products?category=bench-many&limit=10&cursor={world.cursor}", headers=NO_CACHE
    )


@scenario("GET /categories")
def _categories(world):
    return Api(world.client).get("/categories", headers=NO_CACHE)


@scenario("POST /products")
def _create(world):
    response = world.admin.post(
        "/products", {"name": "Bench New", "category": "bench", "price_cents": 1, "stock": 1}
    )
    world.created = response.json["id"]
    return response


@scenario("PATCH /products/{id}")
def _patch(world):
    return world.admin.patch(
        f"/products/{world.created}", {"price_cents": 2, "category": "bench-moved"}
    )


@scenario("DELETE /products/{id}")
def _delete(world):
    return world.admin.delete(f"/products/{world.created}")


# --- cart and orders ------------------------------------------------------------------------------


def _fill_cart(world):
    for product_id in world.many[:9]:
        world.shopper.put(f"/cart/items/{product_id}", {"quantity": 1})


@scenario("PUT /cart/items/{id} (first line: new shopper, cold container)")
def _cart_first_line(world):
    with cold_container():
        return world.newcomer.put(f"/cart/items/{world.product_id}", {"quantity": 1})


# the 10th line of a cart (the other 9 put beforehand)
@scenario("PUT /cart/items/{id}", setup=_fill_cart)
def _cart_put(world):
    return world.shopper.put(f"/cart/items/{world.product_id}", {"quantity": 2})


@scenario("GET /cart (10 lines)")
def _cart_get(world):
    return world.shopper.get("/cart")


@scenario("DELETE /cart/items/{id}")
def _cart_delete_line(world):
    return world.shopper.delete(f"/cart/items/{world.many[0]}")


@scenario("POST /orders (from the cart, 9 lines)")
def _order_cart(world):
    return world.shopper.post("/orders", {"payment_method": "pm_card_visa"})


@scenario("DELETE /cart")
def _cart_clear(world):
    return world.shopper.delete("/cart")


@scenario("POST /orders (1 line)")
def _order_one(world):
    response = world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": world.product_id, "quantity": 1}],
        },
        headers={"Idempotency-Key": "bench-one"},
    )
    world.order_id = response.json["id"]
    return response


@scenario("POST /orders (50 lines)")
def _order_fifty(world):
    return world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": p, "quantity": 1} for p in world.many],
        },
    )


@scenario("POST /orders (declined card)", status=402)
def _order_declined(world):
    return world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_chargeCustomerFail",
            "items": [{"product_id": world.product_id, "quantity": 1}],
        },
    )


def _a_sold_out_product(world):
    world.sold_out = world.admin.post(
        "/products",
        {"name": "Bench Sold Out", "category": "bench-sold-out", "price_cents": 900, "stock": 0},
    ).json["id"]


@scenario("POST /orders (sold out)", setup=_a_sold_out_product, status=409)
def _order_sold_out(world):
    return world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": world.sold_out, "quantity": 1}],
        },
    )


def _a_sold_out_flash_sale_product(world):
    world.flash_sold_out = _new_product(
        world, name="Bench Flash Sold Out", category="bench-flash", stock=0, flash_sale=True
    )


def _order_flash_sold_out(world):
    import uuid

    return world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": world.flash_sold_out, "quantity": 1}],
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},  # as the storefront sends one
    )


# the first refusal since the product changed: its offer not yet read, nothing known of its buckets
@scenario("POST /orders (flash sale, sold out)", setup=_a_sold_out_flash_sale_product, status=409)
def _flash_refused(world):
    return _order_flash_sold_out(world)


def _refused_just_now(world):
    assert _order_flash_sold_out(world).status_code == 409


# another refusal within the second the container remembers a sold-out product for
@scenario(
    "POST /orders (flash sale, sold out, known to the container)",
    setup=_refused_just_now,
    status=409,
)
def _flash_refused_known(world):
    return _order_flash_sold_out(world)


@scenario("POST /orders (replayed key)")
def _order_replay(world):
    return world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": world.product_id, "quantity": 1}],
        },
        headers={"Idempotency-Key": "bench-one"},
    )


@scenario("GET /orders (a page)")
def _orders_page(world):
    return world.shopper.get("/orders?limit=20")


@scenario("GET /orders/{id}")
def _order_get(world):
    return world.shopper.get(f"/orders/{world.order_id}")


@scenario("POST /orders/{id}/ship")
def _ship(world):
    return world.admin.post(f"/orders/{world.order_id}/ship")


@scenario("POST /orders/{id}/deliver")
def _deliver(world):
    return world.admin.post(f"/orders/{world.order_id}/deliver")


@scenario("POST /orders/{id}/refund")
def _refund(world):
    return world.admin.post(f"/orders/{world.order_id}/refund")


def _a_cancelled_authorization(world):
    world.event_order = world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": world.product_id, "quantity": 1}],
        },
    ).json
    import requests

    requests.post(
        f"{os.environ['SHOP_STRIPE_API_BASE']}/v1/payment_intents/"
        f"{world.event_order['payment']['reference']}/cancel",
        auth=("sk_test_local", ""),
        timeout=10,
    )


@scenario(
    "POST /payments/webhook (an authorization Stripe cancelled)", setup=_a_cancelled_authorization
)
def _webhook(world):
    from tests.payments import event, signed

    payload, signature = signed(
        event("payment_intent.canceled", world.event_order["payment"]["reference"], "evt_bench_1")
    )
    return Api(world.client).request(
        "POST", "/payments/webhook", body=payload, headers={"Stripe-Signature": signature}
    )


def _two_line_order(world):
    world.to_cancel = world.shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [{"product_id": p, "quantity": 1} for p in world.many[:2]],
        },
    ).json["id"]


@scenario("POST /orders/{id}/cancel (2 lines)", setup=_two_line_order)
def _cancel(world):
    return world.shopper.post(f"/orders/{world.to_cancel}/cancel")


@scenario("GET /admin/orders?status= (a page)")
def _admin_orders(world):
    return world.admin.get("/admin/orders?status=PLACED&limit=20")


# --- notifications --------------------------------------------------------------------------------


def _an_inbox_item(world):
    from chalicelib.orders.events import OrderEvent

    event = OrderEvent(
        "BENCH.PLACED",
        "ORDER_PLACED",
        "BENCH",
        world.shopper.user_id,
        100,
        1,
        "2026-11-27T00:00:00Z",
    )
    bootstrap.services().notifications.deliver(event)


@scenario("GET /notifications (a page)", setup=_an_inbox_item)
def _inbox(world):
    return world.shopper.get("/notifications?limit=20")


@scenario("POST /notifications/{id}/read")
def _read(world):
    return world.shopper.post("/notifications/20261127000000-BENCH.PLACED/read")


# --- what `make bench` ends with ------------------------------------------------------------------

# (label in results.json, scenario, field of its row)
READS = {
    "product_read_rcu": {
        "not_flash_sale_cold": ("GET /products/{id} (cold container)", "rcu"),
        "not_flash_sale_warm": ("GET /products/{id}", "rcu"),
        "flash_sale_cold": ("GET /products/{id} (flash sale, cold container)", "rcu"),
        "flash_sale_warm": ("GET /products/{id} (flash sale, warm container)", "rcu"),
    },
    "page_rcu": {
        "catalog": ("GET /products (a page)", "rcu"),
        "category": ("GET /products?category= (next page)", "rcu"),
    },
    "refused_flash_sale_order_rcu": {
        "fresh": ("POST /orders (flash sale, sold out)", "rcu"),
        "known": ("POST /orders (flash sale, sold out, known to the container)", "rcu"),
    },
    "cart_line_calls": {
        "first": ("PUT /cart/items/{id} (first line: new shopper, cold container)", "calls"),
        "later": ("PUT /cart/items/{id}", "calls"),
    },
}


def reads(counted: Dict[str, Dict]) -> Dict[str, Dict]:
    """The figures of READS from count_calls' rows (a scenario that did not run is left out)."""
    return {
        group: {k: counted[name][field] for k, (name, field) in figures.items() if name in counted}
        for group, figures in READS.items()
    }


def reads_line(found: Dict[str, Dict]) -> str:
    """One line: read units per product read, per page and per refused flash-sale order; a cart line's calls."""

    def figures(group: str, *labelled) -> str:
        shown = [(found.get(group, {}).get(k), label) for k, label in labelled]
        return ", ".join(f"{value:g} {label}" for value, label in shown if value is not None)

    return "; ".join(
        (
            "read units per product read: "
            + figures(
                "product_read_rcu",
                ("not_flash_sale_cold", "not on flash sale (cold container)"),
                ("not_flash_sale_warm", "not on flash sale (warm, no-cache)"),
                ("flash_sale_cold", "flash sale (cold container)"),
                ("flash_sale_warm", "flash sale (warm, no-cache)"),
            ),
            "per page: "
            + figures("page_rcu", ("catalog", "catalog (20)"), ("category", "category (10)")),
            "per refused flash-sale order: "
            + figures(
                "refused_flash_sale_order_rcu",
                ("fresh", "fresh"),
                ("known", "known sold out"),
            ),
            "DynamoDB calls of a shopper's first cart line: "
            + figures(
                "cart_line_calls",
                ("first", "(new shopper, cold container)"),
                ("later", "for a later line"),
            ),
        )
    )
