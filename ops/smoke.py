"""`make smoke URL=...`: the last step of CI's deployment, and the same check against the local stack in `make test`.

Against the shop at URL: health; a catalog page; the edge (a byte that is not UTF-8 in a JSON body is 400, a
body without Content-Type 415, and those, an unknown path's 404 and a missing token's 401 all carry the security
headers and no-store: the last two are API Gateway's own answers in AWS); a product of its own, created and
finally deleted by an admin account (`SHOP_ADMIN_EMAIL` / `SHOP_ADMIN_PASSWORD`, by default the local stack's
seeded admin); a new shopper `success+<run>@simulator.amazonses.com` (SES's mailbox simulator: its sandbox accepts
the address and reports the mail delivered); an order sent twice with one Idempotency-Key (one order, stock taken
once); its notification; its cancellation, which returns the stock. The run id is GitHub's
(`GITHUB_RUN_ID`-`GITHUB_RUN_ATTEMPT`), else random. The shopper stays in the user pool: the API has no way to
delete an account.
"""

import argparse
import contextlib
import functools
import os
import secrets
import sys
import time
import uuid
from typing import Callable

import requests

from chalicelib.http.middleware import NOT_STORED, SECURITY_HEADERS

CATEGORY = "smoke-test"
FRESH = {"Cache-Control": "no-cache"}  # past the warm-container cache: what DynamoDB holds now


class SmokeFailed(Exception):
    pass


class Shop:
    """One caller of the shop's HTTP API: every call names the status it expects."""

    def __init__(self, url: str, token: str = "") -> None:
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, expect: int, json=None, headers=None) -> dict:
        response = self.send(method, path, expect, json=json, headers=headers)
        return response.json() if response.content else {}

    def send(self, method: str, path: str, expect: int, **given) -> requests.Response:
        """The answer itself (its headers too), after checking its status."""
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        sent.update(given.pop("headers", None) or {})
        try:
            response = requests.request(method, self.url + path, headers=sent, timeout=30, **given)
        except requests.RequestException as exc:
            raise SmokeFailed(f"{method} {path}: {exc}") from exc
        if response.status_code != expect:
            raise SmokeFailed(
                f"{method} {path} answered {response.status_code}, expected {expect}: "
                f"{response.text[:300]}"
            )
        return response

    def signed_in(self, email: str, password: str) -> "Shop":
        tokens = self.call("POST", "/auth/token", 200, {"email": email, "password": password})
        return Shop(self.url, tokens["access_token"])


def run_id(environ=os.environ) -> str:
    if environ.get("GITHUB_RUN_ID"):
        return f"{environ['GITHUB_RUN_ID']}-{environ.get('GITHUB_RUN_ATTEMPT', '1')}"
    return uuid.uuid4().hex[:12]


def smoke(
    url: str,
    admin_email: str,
    admin_password: str,
    run: str,
    wait_seconds: float = 30,
    say: Callable[[str], None] = print,
) -> None:
    anonymous = Shop(url)
    step = functools.partial(_step, say=say)
    with step("health"):
        _expect(anonymous.call("GET", "/health", 200) == {"status": "ok"}, "/health is not ok")
    with step("catalog page"):
        page = anonymous.call("GET", "/products?limit=5", 200)
        _expect(
            isinstance(page.get("items"), list) and "next_cursor" in page, f"not a page: {page}"
        )
    _edge(anonymous, run, step)
    with step(f"admin {admin_email} signs in"):
        admin = anonymous.signed_in(admin_email, admin_password)
    with step("admin creates the smoke product"):
        product = admin.call(
            "POST",
            "/products",
            201,
            {
                "name": f"Smoke test {run}",
                "category": CATEGORY,
                "price_cents": 100,
                "stock": 3,
                "description": "Made by the deployment's smoke test, which deletes it again.",
            },
        )
    try:
        _order_and_cancel(anonymous, product, run, wait_seconds, step)
    finally:
        with step("admin deletes the smoke product"):
            admin.call("DELETE", f"/products/{product['id']}", 204)


def _order_and_cancel(anonymous: Shop, product: dict, run: str, wait_seconds: float, step) -> None:
    with step("the product is in its category"):
        listed = anonymous.call(
            "GET", f"/products?category={CATEGORY}&limit=100", 200, headers=FRESH
        )
        _expect(
            product["id"] in [p["id"] for p in listed["items"]], "the new product is not listed"
        )
    email, password = f"success+{run}@simulator.amazonses.com", _password()
    with step(f"sign-up {email}"):
        anonymous.call(
            "POST", "/users", 201, {"email": email, "password": password, "name": "Smoke Test"}
        )
        shopper = anonymous.signed_in(email, password)
    order_body = {
        "payment_method": "pm_card_visa",
        "items": [{"product_id": product["id"], "quantity": 2}],
    }
    key = {"Idempotency-Key": f"smoke-{run}"}
    with step("order with an Idempotency-Key, sent twice"):
        order = shopper.call("POST", "/orders", 201, order_body, headers=key)
        again = shopper.call("POST", "/orders", 201, order_body, headers=key)
        _expect(
            order["status"] == "PLACED" and again["id"] == order["id"],
            f"a second order: {again['id']}",
        )
        _expect(_stock(anonymous, product) == 1, "the stock was not taken exactly once")
    with step("order notification"):
        _expect(
            _eventually(lambda: _notified(shopper, order["id"]), wait_seconds),
            f"no ORDER_PLACED notification within {wait_seconds:g} s",
        )
    with step("cancel the order"):
        cancelled = shopper.call("POST", f"/orders/{order['id']}/cancel", 200)
        _expect(cancelled["status"] == "CANCELLED", f"status {cancelled['status']}")
        _expect(_stock(anonymous, product) == 3, "the stock did not come back")


def _edge(anonymous: Shop, run: str, step) -> None:
    """What the edge refuses, and the headers every answer carries, the gateway's own included."""
    with step("edge: a byte that is not UTF-8 in a JSON body is 400"):
        refused = anonymous.send(
            "POST",
            "/auth/token",
            400,
            data=b'{"email": "smoke@example.com", "password": "\xff"}',
            headers={"Content-Type": "application/json"},
        )
        _expect_secure(refused, "the 400")
    with step("edge: a body without Content-Type is 415"):
        # requests sends bytes without a Content-Type of its own
        _expect_secure(anonymous.send("POST", "/users", 415, data=b"{}"), "the 415")
    with step("edge: a 404 and a 401 carry the security headers"):
        _expect_secure(anonymous.send("GET", f"/smoke-no-such-route-{run}", 404), "a 404")
        _expect_secure(anonymous.send("GET", "/users/me", 401), "a 401")


def _expect_secure(response: requests.Response, what: str) -> None:
    for name, value in {**SECURITY_HEADERS, **NOT_STORED}.items():
        _expect(
            response.headers.get(name) == value,
            f"{what} has {name}: {response.headers.get(name)!r}, not {value!r}",
        )


def _stock(anonymous: Shop, product: dict) -> int:
    return anonymous.call("GET", f"/products/{product['id']}", 200, headers=FRESH)["stock"]


def _notified(shopper: Shop, order_id: str) -> bool:
    items = shopper.call("GET", "/notifications?limit=20", 200)["items"]
    return any(n["order_id"] == order_id and n["type"] == "ORDER_PLACED" for n in items)


def _eventually(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailed(message)


def _password() -> str:
    # upper, lower and digit whatever the random part holds
    return "Sm0ke-" + secrets.token_urlsafe(12)


@contextlib.contextmanager
def _step(name: str, say: Callable[[str], None]):
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        say(f"FAIL {name}  ({(time.perf_counter() - started) * 1000:.0f} ms)")
        raise
    say(f"ok   {name}  ({(time.perf_counter() - started) * 1000:.0f} ms)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="smoke", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", required=True, help="the shop's base URL, e.g. https://abc.execute-api.../api"
    )
    parser.add_argument(
        "--wait", type=float, default=30, help="seconds to wait for the order's notification"
    )
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("--url is empty: make smoke URL=https://...")
    run = run_id()
    print(f"smoke test {run} against {args.url}")
    try:
        smoke(
            args.url,
            os.environ.get("SHOP_ADMIN_EMAIL", "admin@shop.local"),
            os.environ.get("SHOP_ADMIN_PASSWORD", "Admin-Passw0rd"),
            run,
            args.wait,
        )
    except SmokeFailed as failure:
        print(f"smoke test failed: {failure}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
