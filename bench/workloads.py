"""The two workloads of the capacity model, driven through the API with the event handlers behind it:

- spread: 300 products in 6 categories, 1,000 shoppers, 2,000 paid orders of 1-3 lines (a quarter from the cart,
  all with an Idempotency-Key); then half of them shipped (captured), a quarter of those delivered, one in 25 of
  them refunded, a sixth of all cancelled (voided); and every notification delivered;
- flash: 2,000 one-line orders for one flash-sale product from 1,000 shoppers, and their notifications.

Before ordering, the shopper reads the page of each product ordered (PAGE_READS_PER_LINE) as the storefront
reads it (`Cache-Control: no-cache`, chalicelib/storefront/assets/catalog.js), so here every read reaches
DynamoDB. The capacity meter counts those reads apart (capacity.product_page): in production API Gateway's stage
cache answers GET /products/{id} for 30 s (ops/template.py's CACHED_GETS), and a client's no-cache does not pass
it (only `max-age=0` from a caller allowed to invalidate the cache, which shoppers are not), so the headline rate
leaves them out and the summary also says what a stage without the cache sustains.

Setting up (products, profiles, tokens) is not metered; everything from the first order on is.
"""

import random
import threading
import time
import uuid
from typing import Dict, List

from bench import progress
from chalicelib import bootstrap
from devstack.api import Api

SHOPPERS, ORDERS, PRODUCTS, CATEGORIES = 1000, 2000, 300, 6
PAGE_READS_PER_LINE = 1  # product page reads per order line, before the order


class Minted(Api):
    """A shopper (or admin) whose access token is minted with the embedded pool's key, and minted again before
    the shop's age limit refuses it: signing up a thousand accounts through Cognito would measure moto."""

    def __init__(self, world, user_id: str, groups=()) -> None:
        super().__init__(world.client)
        self.user_id, self._groups, self._pool = (
            user_id,
            list(groups),
            (world.stack.pool_id, world.stack.client_id),
        )
        self._minted = 0.0

    def request(self, *args, **kwargs):
        if time.monotonic() - self._minted > 120:
            from devstack.tokens import mint

            extra = {"cognito:groups": self._groups} if self._groups else {}
            self.token = mint(*self._pool, sub=self.user_id, **extra)
            self._minted = time.monotonic()
        return super().request(*args, **kwargs)


def shoppers(world, count: int) -> List[Api]:
    """Shoppers with profiles and minted access tokens."""
    from chalicelib import clock
    from chalicelib.users.model import Profile

    users = bootstrap.services().users
    made = []
    for n in range(count):
        user_id = str(uuid.uuid4())
        users.add(
            Profile(
                user_id, f"bench-{user_id[:8]}@example.com", f"Bench Shopper {n}", clock.now_iso()
            )
        )
        made.append(Minted(world, user_id))
        progress.advance()
    return made


def admin(world) -> Api:
    return Minted(world, world.admin.user_id, groups=("admin",))


def _pump(world):
    import sys
    from devstack import pump

    return pump.for_stack(sys.modules["app"], world.stack, threading.Event())


def _drain(events) -> None:
    """Run the stream and queue consumers until both are idle (what Lambda's event source mappings do)."""
    idle = 0
    while idle < 2:
        busy = events.stream_step() | events.queue_step()
        idle = 0 if busy else idle + 1


def _placed(response) -> dict:
    assert response.status_code == 201, (response.status_code, response.body)
    progress.advance()
    return response.json


def _read_pages(api: Api, product_ids) -> int:
    """The shopper reads each product's page as the storefront does (no-cache); returns the reads made."""
    from bench.capacity import product_page

    token = product_page.set(True)
    try:
        for product_id in product_ids:
            for _ in range(PAGE_READS_PER_LINE):
                read = api.get(f"/products/{product_id}", headers={"Cache-Control": "no-cache"})
                assert read.status_code == 200, (read.status_code, read.body)
    finally:
        product_page.reset(token)
    return len(product_ids) * PAGE_READS_PER_LINE


def _moved(response) -> None:
    assert response.status_code == 200, (response.status_code, response.body)
    progress.advance()


def spread(world, meter, rng: random.Random) -> Dict:
    boss = admin(world)
    products = [
        boss.post(
            "/products",
            {
                "name": f"Spread Item {n}",
                "category": f"spread-{n % CATEGORIES}",
                "price_cents": rng.randrange(500, 20000),
                "stock": 1_000_000,
                "description": "A well-made thing for every day.",
            },
        ).json["id"]
        for n in range(PRODUCTS)
    ]
    people = shoppers(world, SHOPPERS)
    events = _pump(world)
    meter.reset()
    owners, pages = {}, 0
    for n in range(ORDERS):
        api = rng.choice(people)
        lines = [(p, rng.randint(1, 3)) for p in rng.sample(products, rng.randint(1, 3))]
        key = {"Idempotency-Key": str(uuid.UUID(int=rng.getrandbits(128)))}
        pages += _read_pages(api, [p for p, _ in lines])
        if n % 4 == 0:
            for product_id, quantity in lines:
                put = api.put(f"/cart/items/{product_id}", {"quantity": quantity})
                assert put.status_code == 200, (put.status_code, put.body)
            order = _placed(api.post("/orders", {"payment_method": "pm_card_visa"}, headers=key))
        else:
            order = _placed(
                api.post(
                    "/orders",
                    {
                        "payment_method": "pm_card_visa",
                        "items": [{"product_id": p, "quantity": q} for p, q in lines],
                    },
                    headers=key,
                )
            )
        owners[order["id"]] = api
    made = list(owners)
    shipped = rng.sample(made, len(made) // 2)
    for order_id in shipped:
        _moved(boss.post(f"/orders/{order_id}/ship"))
    for order_id in rng.sample(shipped, len(shipped) // 4):
        _moved(boss.post(f"/orders/{order_id}/deliver"))
    # returns: one in 25 shipped orders is refunded
    for order_id in rng.sample(shipped, len(shipped) // 25):
        _moved(boss.post(f"/orders/{order_id}/refund"))
    for order_id in rng.sample(sorted(set(made) - set(shipped)), len(made) // 6):
        _moved(owners[order_id].post(f"/orders/{order_id}/cancel"))
    _drain(events)
    return {**meter.summary(ORDERS), "product_page_reads_per_order": round(pages / ORDERS, 2)}


def flash(world, meter, rng: random.Random) -> Dict:
    product = (
        admin(world)
        .post(
            "/products",
            {
                "name": "Flash Sale Kettle",
                "category": "flash-bench",
                "price_cents": 2999,
                "stock": 1_000_000,
                "flash_sale": True,
            },
        )
        .json["id"]
    )
    people = shoppers(world, SHOPPERS)
    events = _pump(world)
    meter.reset()
    for _ in range(ORDERS):
        shopper = rng.choice(people)
        _read_pages(shopper, [product])
        _placed(
            shopper.post(
                "/orders",
                {
                    "payment_method": "pm_card_visa",
                    "items": [{"product_id": product, "quantity": 1}],
                },
                headers={"Idempotency-Key": str(uuid.UUID(int=rng.getrandbits(128)))},
            )
        )
    _drain(events)
    return {**meter.summary(ORDERS), "product_page_reads_per_order": PAGE_READS_PER_LINE}


def run(world) -> Dict:
    from bench import stripe_meter
    from bench.capacity import Meter

    meter = Meter(world.stack.stage).install(bootstrap.services().dynamodb)
    # the bar counts the shoppers made, the orders placed and the orders moved, of both workloads
    progress.expect(2 * SHOPPERS + 2 * ORDERS + ORDERS // 2 + ORDERS // 8 + ORDERS // 6)
    try:
        results = {}
        for name, workload, seed in (("spread", spread, 12), ("flash", flash, 13)):
            started = time.monotonic()
            with stripe_meter.counting() as stripe:
                results[name] = workload(world, meter, random.Random(seed))
            writes = stripe.writes / ORDERS
            results[name].update(
                seconds=round(time.monotonic() - started),
                stripe_requests_per_order=round(len(stripe.made) / ORDERS, 2),
                stripe_writes_per_order=round(writes, 2),
                stripe_writes_per_second_limit=stripe_meter.LIVE_WRITES_PER_SECOND,
                stripe_orders_per_second=round(stripe_meter.LIVE_WRITES_PER_SECOND / writes)
                if writes
                else 0,
            )
        return results
    finally:
        meter.uninstall()
