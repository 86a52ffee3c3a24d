"""The shop's orders against Stripe's PaymentIntents (localstripe's, after `make load`): what a finance team would
reconcile. Every order has exactly one authorization, in the state its status implies; no authorization is held
without a PLACED order; the money captured and refunded is what the orders say."""

import collections
from typing import Dict, List

import requests

KEY = ("sk_test_local", "")
# what an order's status says of its PaymentIntent at Stripe
EXPECTED = {
    "PLACED": "requires_capture",
    "SHIPPED": "succeeded",
    "DELIVERED": "succeeded",
    "REFUNDED": "succeeded",
    "CANCELLED": "canceled",
}
HELD = (
    "requires_capture",
    "succeeded",
    "canceled",
)  # the states of an intent that was authorized once


def intents(api: str) -> List[dict]:
    found: List[dict] = []
    after = None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        page = requests.get(f"{api}/v1/payment_intents", params=params, auth=KEY, timeout=30).json()
        found += page["data"]
        if not page["has_more"]:
            return found
        after = page["data"][-1]["id"]


def refunds(api: str) -> Dict[str, int]:
    """Refunded cents per PaymentIntent."""
    total: Dict[str, int] = collections.Counter()
    after = None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        page = requests.get(f"{api}/v1/refunds", params=params, auth=KEY, timeout=30).json()
        for refund in page["data"]:
            total[refund["payment_intent"]] += refund["amount"]
        if not page["has_more"]:
            return total
        after = page["data"][-1]["id"]


def reconcile(api: str, orders: List[dict]) -> Dict:
    """`orders`: {"id", "status", "total_cents", "reference"} of every order the shop holds."""
    held = [i for i in intents(api) if i["status"] in HELD and i.get("capture_method") == "manual"]
    refunded = refunds(api)
    by_order = collections.defaultdict(list)
    for intent in held:
        by_order[(intent.get("metadata") or {}).get("order_id")].append(intent)
    placed = [o for o in orders if o["status"] in EXPECTED]
    mismatched = [
        o["id"]
        for o in placed
        if [i["status"] for i in by_order.get(o["id"], [])] != [EXPECTED[o["status"]]]
        or by_order[o["id"]][0]["id"] != o["reference"]
    ]
    placed_ids = {o["id"] for o in placed}
    orphans = [
        i["id"]
        for i in held
        if i["status"] == "requires_capture"
        and (i.get("metadata") or {}).get("order_id") not in placed_ids
    ]
    captured_orders = sum(o["total_cents"] for o in placed if EXPECTED[o["status"]] == "succeeded")
    captured_stripe = sum(i["amount"] for i in held if i["status"] == "succeeded")
    refunded_orders = sum(o["total_cents"] for o in placed if o["status"] == "REFUNDED")
    refunded_stripe = sum(refunded.values())
    voided = sum(1 for o in placed if o["status"] == "CANCELLED")
    checks = {
        "every order has exactly one authorization, in the state its status implies": not mismatched,
        "no authorization held without a PLACED order": not orphans,
        "captured at Stripe = totals of shipped, delivered and refunded orders": captured_orders
        == captured_stripe,
        "refunded at Stripe = totals of refunded orders": refunded_orders == refunded_stripe,
    }
    return {
        "intents_authorized": len(held),
        "orders": len(placed),
        "captured_cents": captured_stripe,
        "refunded_cents": refunded_stripe,
        "voided_orders": voided,
        "mismatched": mismatched[:5],
        "orphans": orphans[:5],
        "checks": checks,
        "all_ok": all(checks.values()),
    }


def report(result: Dict) -> None:
    print(
        f"reconciled with Stripe: {result['orders']} orders, {result['intents_authorized']} authorizations, "
        f"{result['captured_cents'] / 100:,.2f} captured, {result['refunded_cents'] / 100:,.2f} refunded, "
        f"{result['voided_orders']} voided"
    )
    for name, ok in result["checks"].items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    for label in ("mismatched", "orphans"):
        if result[label]:
            print(f"  {label} (first 5): {', '.join(result[label])}")
