"""The load `make load` puts on the local stack: shoppers browsing (most), filling carts and checking out
with idempotency keys (retrying some, some with a card that is declined and then another), cancelling some orders;
admins shipping, delivering and refunding some delivered orders."""

import json
import os
import random
import threading
import uuid

from locust import HttpUser, between, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())
KEYS_LOG = os.environ["LOAD_KEYS_LOG"]
_log_lock = threading.Lock()
_next_shopper = iter(range(10**9))


def _record(key: str, order_id: str) -> None:
    with _log_lock, open(KEYS_LOG, "a") as log:
        log.write(json.dumps({"key": key, "order": order_id}) + "\n")


class Checked:
    """A response is a failure when it is a 5xx or an answer the contract does not allow for that call."""

    def __init__(self, user, method, path, allowed=(200,), **kwargs):
        self.response = None
        with user.client.request(
            method,
            path,
            catch_response=True,
            name=kwargs.pop("name", path),
            headers={"Authorization": f"Bearer {user.token}", **kwargs.pop("headers", {})},
            **kwargs,
        ) as response:
            if response.status_code not in allowed:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                response.success()
            self.response = response


class Shopper(HttpUser):
    weight = 9
    wait_time = between(0.05, 0.3)

    def on_start(self):
        account = ACCOUNTS["shoppers"][next(_next_shopper) % len(ACCOUNTS["shoppers"])]
        self.token = account["token"]
        self.products = ACCOUNTS["products"]
        self.categories = ACCOUNTS["categories"]
        self.placed = []

    @task(10)
    def browse(self):
        Checked(
            self,
            "GET",
            f"/products?limit=20&category={random.choice(self.categories)}",
            name="/products?category=",
        )
        Checked(self, "GET", f"/products/{random.choice(self.products)}", name="/products/{id}")

    @task(2)
    def categories_and_inbox(self):
        Checked(self, "GET", "/categories")
        Checked(self, "GET", "/notifications", name="/notifications")

    @task(4)
    def buy(self):
        for product in random.sample(self.products, random.randint(1, 2)):
            Checked(
                self,
                "PUT",
                f"/cart/items/{product}",
                json={"quantity": random.randint(1, 2)},
                name="/cart/items/{id}",
            )
        key = uuid.uuid4().hex
        # a declined card first: nothing may change, and the key is free again
        if random.random() < 0.1:
            Checked(
                self,
                "POST",
                "/orders",
                allowed=(402, 409, 400),
                json={"payment_method": "pm_card_chargeCustomerFail"},
                headers={"Idempotency-Key": key},
                name="/orders (declined)",
            )
        order = Checked(
            self,
            "POST",
            "/orders",
            allowed=(201, 409, 400),
            json={"payment_method": "pm_card_visa"},
            headers={"Idempotency-Key": key},
        ).response
        if order.status_code == 201:
            _record(key, order.json()["id"])
            self.placed.append(order.json()["id"])
            # a retry, as after a lost answer: the same order must come back
            if random.random() < 0.2:
                again = Checked(
                    self,
                    "POST",
                    "/orders",
                    allowed=(201,),
                    json={"payment_method": "pm_card_visa"},
                    headers={"Idempotency-Key": key},
                    name="/orders (retry)",
                ).response
                if again.status_code == 201:
                    _record(key, again.json()["id"])
        elif order.status_code == 409:
            Checked(self, "DELETE", "/cart", allowed=(204,))

    @task(1)
    def cancel(self):
        if self.placed:
            order_id = self.placed.pop(random.randrange(len(self.placed)))
            Checked(
                self,
                "POST",
                f"/orders/{order_id}/cancel",
                allowed=(200, 409),
                name="/orders/{id}/cancel",
            )


class Admin(HttpUser):
    weight = 1
    wait_time = between(0.2, 0.6)

    def on_start(self):
        self.token = ACCOUNTS["admin"]

    @task
    def fulfil(self):
        moves = (("PLACED", "ship"), ("SHIPPED", "deliver")) + (
            (("DELIVERED", "refund"),) if random.random() < 0.1 else ()
        )
        for status, action in moves:
            page = Checked(
                self, "GET", f"/admin/orders?status={status}&limit=5", name="/admin/orders"
            ).response
            if page.status_code == 200 and page.json()["items"]:
                order = random.choice(page.json()["items"])
                Checked(
                    self,
                    "POST",
                    f"/orders/{order['id']}/{action}",
                    allowed=(200, 409),
                    name=f"/orders/{{id}}/{action}",
                )
