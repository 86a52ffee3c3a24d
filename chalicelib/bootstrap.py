"""The composition root: the services each blueprint (and each event handler) uses, built once per container
from the parts in adapters.py. A route reads its ready-made service through its blueprint's one accessor; a new
collaborator of a service is wired here (and made in adapters.py) and nowhere else. `services()` is the one
object holding everything; tests start from `replaced(part=fake, ...)`, a fresh root with some parts given;
reset() forgets everything (new settings, new clients)."""

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Iterator, Optional

from chalicelib import settings
from chalicelib.adapters import Adapters
from chalicelib.lazy import once

# each service's module is imported where it is built, so a cold start pays only for its own
if TYPE_CHECKING:
    from chalicelib.notifications.service import Notifications
    from chalicelib.orders.outbox import Publisher
    from chalicelib.orders.cart import Cart
    from chalicelib.orders.offers import Offers
    from chalicelib.orders.fulfilment import Fulfilment
    from chalicelib.orders.reservations import Reservations
    from chalicelib.orders.service import Checkout
    from chalicelib.orders.use_cases import Orders
    from chalicelib.orders.settlement import PaymentEvents, Sweeper
    from chalicelib.products.service import Products
    from chalicelib.users.service import Accounts

_lock = threading.RLock()


class Services(Adapters):
    @once
    def offers(self) -> "Offers":
        from chalicelib.orders.offers import Offers

        return Offers(self.catalog, self.offer_cache)

    @once
    def order_use_cases(self) -> "Orders":
        """The order routes' one service; its checkout and fulfilment are built when first used."""
        from chalicelib.orders.use_cases import Orders

        return Orders(lambda: self.checkout, lambda: self.fulfilment)

    @once
    def checkout(self) -> "Checkout":
        from chalicelib import retry
        from chalicelib.orders.service import Checkout

        return Checkout(
            self.checkout_store,
            self.orders,
            self.offers,
            self.stock,
            self.reservations,
            self.payments,
            sold_out=self.sold_out,
            caches=(self.warm_cache,),
            rotation=self.rotation,
            policy=retry.PLACING,
        )

    @once
    def reservations(self) -> "Reservations":
        from chalicelib import retry
        from chalicelib.orders.reservations import Reservations

        return Reservations(
            self.orders,
            self.checkout_store,
            self.offers,
            self.payments,
            settings.get().currency,
            policy=retry.PLACING,
        )

    @once
    def fulfilment(self) -> "Fulfilment":
        from chalicelib import retry
        from chalicelib.orders.fulfilment import Fulfilment

        return Fulfilment(
            self.orders,
            self.checkout_store,
            self.offers,
            self.payments,
            caches=(self.warm_cache,),
            policy=retry.MOVING,
        )

    @once
    def payment_events(self) -> "PaymentEvents":
        from chalicelib.orders.settlement import PaymentEvents

        return PaymentEvents(self.payments, self.orders, self.fulfilment)

    @once
    def sweeper(self) -> "Sweeper":
        from chalicelib.orders.settlement import Sweeper

        return Sweeper(self.orders, self.reservations, self.fulfilment)

    @once
    def cart(self) -> "Cart":
        from chalicelib.orders.cart import Cart

        return Cart(self.carts, self.offers)

    @once
    def products(self) -> "Products":
        from chalicelib.products.service import Products

        return Products(self.catalog, self.warm_cache, forget=(self.offer_cache, self.sold_out))

    @once
    def accounts(self) -> "Accounts":
        from chalicelib.users.service import Accounts

        return Accounts(
            self.identity,
            self.users,
            self.sign_in_attempts,
            self.refresh_tokens,
            auto_confirm=settings.get().auto_confirm,
        )

    @once
    def notifications(self) -> "Notifications":
        from chalicelib.notifications.service import Notifications

        return Notifications(self.inbox, self.users, self.mailer, settings.get().currency)

    @once
    def publisher(self) -> "Publisher":
        from chalicelib.orders.outbox import Publisher

        return Publisher(self.event_queue, self.check_queue)


_services: Optional[Services] = None


def services() -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = Services()
    return _services


def reset() -> None:
    global _services
    _services = None
    settings.reset()


@contextlib.contextmanager
def replaced(**parts: Any) -> Iterator[Services]:
    """A fresh composition root with these parts given (the rest made as usual) for the duration: the services
    built meanwhile are built with the given parts. The AWS connection and clients stay the current root's (the
    PynamoDB models are bound to one connection for the whole process)."""
    global _services
    before = services()
    _services = Services()
    _services.__dict__.update(
        {k: v for k, v in before.__dict__.items() if k in ("connection", "_clients")}
    )
    _services.__dict__.update(parts)
    try:
        yield _services
    finally:
        _services = before
