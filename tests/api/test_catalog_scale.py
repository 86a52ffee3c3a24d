"""A page costs one Query that reads at most limit + 1 items, however large the catalog."""

import boto3

from chalicelib import bootstrap, ids


def _fill(count: int) -> list:
    db = boto3.client("dynamodb")
    items = []
    for i in range(count):
        product_id = ids.new_id()
        items.append(
            {
                "PutRequest": {
                    "Item": {
                        "id": {"S": product_id},
                        "kind": {"S": "product"},
                        "listed": {"S": "product"},
                        "category": {"S": "bulk"},
                        "name": {"S": f"Bulk item {i}"},
                        "description": {"S": ""},
                        "price_cents": {"N": "100"},
                        "stock": {"N": "1"},
                        "created_at": {"S": "2026-11-27T00:00:00Z"},
                        "updated_at": {"S": "2026-11-27T00:00:00Z"},
                    }
                }
            }
        )
    _write(db, items)
    return [{"DeleteRequest": {"Key": {"id": item["PutRequest"]["Item"]["id"]}}} for item in items]


def _write(db, requests) -> None:
    for start in range(0, len(requests), 25):
        db.batch_write_item(RequestItems={"shop-test-products": requests[start : start + 25]})


def test_a_page_of_a_2000_product_catalog_is_one_query_reading_limit_plus_one(anonymous):
    deletions = _fill(2000)
    calls = []

    def record(http_response, parsed, model, **_):
        calls.append((model.name, parsed.get("ScannedCount"), parsed.get("Count")))

    events = bootstrap.services().dynamodb.meta.events
    events.register("after-call.dynamodb", record, unique_id="scale-test")
    try:
        for category in ("bulk", None):
            calls.clear()
            path = "/products?limit=20" + (f"&category={category}" if category else "")
            page = anonymous.get(path, headers={"Cache-Control": "no-cache"})
            assert page.status_code == 200 and len(page.json["items"]) == 20
            second = anonymous.get(
                f"{path}&cursor={page.json['next_cursor']}", headers={"Cache-Control": "no-cache"}
            )
            assert len(second.json["items"]) == 20
            queries = [c for c in calls if c[0] == "Query"]
            assert len(queries) == 2 and all(scanned <= 21 for _, scanned, _ in queries), calls
            assert not [c for c in calls if c[0] == "Scan"]
    finally:
        events.unregister("after-call.dynamodb", unique_id="scale-test")
        # keep moto's per-transaction table copies small
        _write(boto3.client("dynamodb"), deletions)
