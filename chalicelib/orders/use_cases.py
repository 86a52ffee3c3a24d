"""The order use cases in one object: `Orders`, built once by the composition root (bootstrap.py), a method per
command. Placing and the queries are Checkout's (orders/service.py), the moves Fulfilment's (orders/fulfilment.py);
the root gives each as it builds it, on first use, so a function that only moves orders never loads the checkout
(and one that only places them never loads the moves)."""

from typing import TYPE_CHECKING, Callable, List, Tuple

from chalicelib.orders.commands import (
    AllOrders,
    CancelOrder,
    DeliverOrder,
    FindOrder,
    OrderHistory,
    PlaceOrder,
    RefundOrder,
    ShipOrder,
)
from chalicelib.orders.model import Order, Placed

if TYPE_CHECKING:
    from chalicelib.orders.fulfilment import Fulfilment
    from chalicelib.orders.ports import Position
    from chalicelib.orders.service import Checkout


class Orders:
    def __init__(
        self, checkout: Callable[[], "Checkout"], fulfilment: Callable[[], "Fulfilment"]
    ) -> None:
        self._checkout, self._fulfilment = checkout, fulfilment

    def place(self, command: PlaceOrder) -> Placed:
        """Hold the stock and authorize the total, then place the order; a replay gets the first answer."""
        return self._checkout().place(command)

    def cancel(self, command: CancelOrder) -> Order:
        """Void the authorization and give the units back."""
        return self._fulfilment().cancel(command)

    def ship(self, command: ShipOrder) -> Order:
        """Capture the authorized amount (402 when the authorization is gone: the order is then cancelled)."""
        return self._fulfilment().ship(command)

    def deliver(self, command: DeliverOrder) -> Order:
        return self._fulfilment().deliver(command)

    def refund(self, command: RefundOrder) -> Order:
        """Refund what was captured, in full."""
        return self._fulfilment().refund(command)

    def find(self, query: FindOrder) -> Order:
        """The order, if the requester may see it; anyone else is told it does not exist."""
        return self._checkout().find(query.order_id, query.requester)

    def history(self, query: OrderHistory) -> Tuple[List[Order], "Position"]:
        return self._checkout().history(query.user_id, query.page)

    def everything(self, query: AllOrders) -> Tuple[List[Order], "Position"]:
        return self._checkout().everything(query.status, query.page)
