"""The shopper's cart, at current names and prices (built once by the composition root)."""

from typing import Dict, Set

from chalicelib import errors, ids
from chalicelib.orders import model
from chalicelib.orders.model import Cart as CartView
from chalicelib.orders.offers import Offers
from chalicelib.orders.ports import CartRepository


# shoppers whose cart this container has written: a cart, once made, is kept (emptied, never deleted)
KNOWN_CARTS = 10_000


class Cart:
    def __init__(self, carts: CartRepository, offers: Offers) -> None:
        self._carts = carts
        self._offers = offers
        self._known_carts: Set[str] = set()

    def view(self, user_id: str) -> CartView:
        """The cart at current names and prices; products deleted since they were added drop out."""
        return self._priced(self._carts.quantities(user_id))

    def put(self, user_id: str, product_id: str, quantity: int) -> CartView:
        """Put a product into the cart with this quantity (replacing any earlier quantity). One read and one
        write, or one write when the container knows both the offer and that the shopper has a cart: a write
        that assumed a cart and found none would cost a write of its own."""
        known, new = self._offers.cached([product_id]), False
        if ids.looks_like_id(product_id) and (not known or user_id not in self._known_carts):
            # the offer (unless cached) and the cart in one call
            look = self._carts.look(user_id, [] if known else [product_id])
            self._offers.remember(look.offers)
            known, new = {**known, **look.offers}, look.lines is None
        if product_id not in known:
            raise errors.NotFound(f"product {product_id} does not exist")
        lines = self._carts.put(user_id, product_id, quantity, new)
        if len(self._known_carts) >= KNOWN_CARTS:
            self._known_carts.clear()
        self._known_carts.add(user_id)
        return self._priced(lines)

    def remove(self, user_id: str, product_id: str) -> CartView:
        """Take a product out of the cart (one that is not in it, or no product at all, changes nothing)."""
        if not ids.looks_like_id(product_id):
            return self.view(user_id)
        return self._priced(self._carts.remove(user_id, product_id))

    def empty(self, user_id: str) -> None:
        self._carts.clear(user_id)

    def _priced(self, quantities: Dict[str, int]) -> CartView:
        return (
            CartView(model.priced(quantities, self._offers.of(quantities)))
            if quantities
            else CartView()
        )
