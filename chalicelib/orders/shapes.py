"""Request and answer shapes the cart's and the orders' routes share."""
from typing import Annotated, Iterable, List

import msgspec

from chalicelib import ids
from chalicelib.orders.model import MAX_QUANTITY, Line

Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]
ProductId = Annotated[str, msgspec.Meta(pattern=ids.PATTERN, description="a product id")]


class LineOut(msgspec.Struct):
    product_id: str
    name: str
    unit_price_cents: int
    quantity: int
    line_total_cents: int


def lines_out(lines: Iterable[Line]) -> List[LineOut]:
    return [LineOut(line.product_id, line.name, line.unit_price_cents, line.quantity, line.line_total_cents)
            for line in lines]
