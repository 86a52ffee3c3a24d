"""What decoding a request body costs per request, in microseconds: msgspec alone into the route's model (before
issue 23) and the edge's whole decode (chalicelib/http/body.py: UTF-8, the model, a key given once)."""

import json
import timeit
from typing import Dict

ROUNDS = 5000


def _bodies() -> Dict[str, tuple]:
    from chalicelib.orders.cart_routes import CartQuantity
    from chalicelib.orders.routes import NewOrder
    from chalicelib.products.routes import NewProduct
    from chalicelib.users.routes import TokenRequest

    lines = [{"product_id": f"01JB{i:022d}", "quantity": 2} for i in range(50)]
    product = {
        "name": "Bench Chair",
        "description": "A sturdy chair. " * 20,
        "category": "chairs",
        "price_cents": 1999,
        "stock": 10,
        "image_url": "https://example.com/chair.png",
        "flash_sale": False,
    }
    return {
        "sign-in": ({"email": "ada@example.com", "password": "Sturdy-Passw0rd"}, TokenRequest),
        "cart line": ({"quantity": 3}, CartQuantity),
        "new product": (product, NewProduct),
        "order of 50 lines": ({"payment_method": "pm_card_visa", "items": lines}, NewOrder),
    }


def run() -> Dict[str, Dict[str, float]]:
    import msgspec
    from chalicelib.http import body

    results = {}
    for name, (payload, model) in _bodies().items():
        raw = json.dumps(payload).encode()
        before = min(
            timeit.repeat(lambda: msgspec.json.decode(raw, type=model), number=ROUNDS, repeat=3)
        )
        after = min(timeit.repeat(lambda: body.decode(raw, model), number=ROUNDS, repeat=3))
        results[name] = {
            "bytes": len(raw),
            "msgspec_us": round(before / ROUNDS * 1e6, 2),
            "edge_us": round(after / ROUNDS * 1e6, 2),
        }
    return results
