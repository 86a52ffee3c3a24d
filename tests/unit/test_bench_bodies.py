"""make bench's body-decoding step times bodies the API really accepts: one the contract changed (an order
without `payment_method`) would stop the whole benchmark at its eighth step."""

import json

import msgspec

from bench import decode


def test_every_body_make_bench_decodes_is_one_the_api_accepts():
    bodies = decode._bodies()
    assert len(bodies) >= 4
    for name, (payload, model) in bodies.items():
        assert isinstance(msgspec.json.decode(json.dumps(payload).encode(), type=model), model), (
            name
        )
