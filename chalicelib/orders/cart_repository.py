"""Carts in the carts table: one item per shopper, its lines a map of product id to quantity."""

from typing import Dict, Sequence

from pynamodb.expressions.condition import size

from chalicelib import errors, retry, storage
from chalicelib.orders.model import MAX_LINES, CartLook
from chalicelib.orders.ports import OfferKeys
from chalicelib.orders.records import CartRecord, quantities_of


class DynamoCarts:
    def __init__(self, shared, offers: OfferKeys) -> None:
        self._shared = shared  # the connection its models are bound through
        self._offers = offers

    def quantities(self, user_id: str) -> Dict[str, int]:
        try:
            return quantities_of(CartRecord.get(user_id, consistent_read=True))
        except CartRecord.DoesNotExist:
            return {}

    def look(self, user_id: str, product_ids: Sequence[str]) -> CartLook:
        """The cart and these products' offers in one strongly consistent BatchGetItem."""
        found = storage.read_together(
            self._shared, [(CartRecord, user_id)] + self._offers.offer_keys(product_ids)
        )
        cart = found.pop(0)
        return CartLook(
            None if cart is None else quantities_of(cart), self._offers.offers_in(found)
        )

    def put(
        self, user_id: str, product_id: str, quantity: int, new: bool = False
    ) -> Dict[str, int]:
        """Set one line and return the lines: one write (two for the shopper's first line, unless `new` says
        there is no cart yet). The 51st product is refused by the write's own condition, so concurrent requests
        cannot overfill the cart, and a refused request changes nothing."""
        return retry.CART_WRITES.run(
            lambda signals: self._put_once(user_id, product_id, quantity, new and not signals.seen)
        )

    def _put_once(self, user_id: str, product_id: str, quantity: int, new: bool) -> Dict[str, int]:
        if new and self._start(user_id, product_id, quantity):
            return {product_id: quantity}
        cart = CartRecord(user_id)
        if storage.unless_condition_fails(
            lambda: cart.update(
                actions=[CartRecord.lines[product_id].set(quantity), CartRecord.version.add(1)],
                condition=CartRecord.lines.exists()
                & (CartRecord.lines[product_id].exists() | (size(CartRecord.lines) < MAX_LINES)),
            )
        ):
            return quantities_of(cart)
        if not new and self._start(user_id, product_id, quantity):
            return {product_id: quantity}
        lines = self.quantities(user_id)  # there is a cart: full, or changed since
        if product_id not in lines and len(lines) >= MAX_LINES:
            raise errors.InvalidInput(f"a cart holds at most {MAX_LINES} different products")
        raise retry.CartRaced()

    @staticmethod
    def _start(user_id: str, product_id: str, quantity: int) -> bool:
        """The shopper's first cart (kept, and emptied, from then on), unless there is one already."""
        return storage.unless_condition_fails(
            lambda: CartRecord(user_id, lines={product_id: quantity}, version=1).save(
                condition=CartRecord.user_id.does_not_exist()
            )
        )

    def remove(self, user_id: str, product_id: str) -> Dict[str, int]:
        cart = CartRecord(user_id)
        if not storage.unless_condition_fails(
            lambda: cart.update(
                actions=[CartRecord.lines[product_id].remove(), CartRecord.version.add(1)],
                condition=CartRecord.lines.exists(),
            )
        ):
            return {}
        return quantities_of(cart)

    def clear(self, user_id: str) -> None:
        storage.unless_condition_fails(
            lambda: CartRecord(user_id).update(
                actions=[CartRecord.lines.set({}), CartRecord.version.add(1)],
                condition=CartRecord.user_id.exists(),
            )
        )
