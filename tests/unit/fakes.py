"""In-memory fakes of the shop's own interfaces (repositories and gateways), for domain and service tests.
mypy checks them against the ports (the services' constructors take the Protocols of */ports.py)."""

import json
import random
import threading
from dataclasses import replace
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from chalicelib import errors, ids, retry
from chalicelib.cache import NoCache, WarmCache
from chalicelib.orders import model as orders_model
from chalicelib.orders.cart import Cart
from chalicelib.orders.commands import IdempotencyKey
from chalicelib.orders.events import OrderEvent, ReservationMade
from chalicelib.orders.model import AlreadyHandled, Order
from chalicelib.orders.offers import Offers
from chalicelib.orders.ports import Position
from chalicelib.orders.fulfilment import Fulfilment
from chalicelib.orders.reservations import Reservations
from chalicelib.orders.service import Checkout
from chalicelib.orders.use_cases import Orders
from chalicelib.orders.settlement import PaymentEvents, Sweeper
from chalicelib.payments.model import Authorization, Event, Intent, PaymentRefused
from chalicelib.products import model as products_model
from chalicelib.products.model import FLASH_BUCKETS, Current, Offer, Product
from chalicelib.products.service import Products
from chalicelib.products.takes import OutOfStock, Rotation, Take, spread, takes_from_buckets
from chalicelib.notifications.model import Notification
from chalicelib.notifications.service import Notifications
from chalicelib.orders.outbox import Publisher
from chalicelib.users.identity import Account, Tokens
from chalicelib.users.model import Counter, Profile, Taken
from chalicelib.users.service import Accounts


class FakeUsers:
    def __init__(self) -> None:
        self.profiles: Dict[str, Profile] = {}

    def get(self, user_id: str) -> Optional[Profile]:
        return self.profiles.get(user_id)

    def add(self, profile: Profile) -> Profile:
        return self.profiles.setdefault(profile.id, profile)

    def rename(self, user_id: str, name: str) -> Profile:
        if user_id not in self.profiles:
            raise errors.NotFound(user_id)
        self.profiles[user_id] = replace(self.profiles[user_id], name=name)
        return self.profiles[user_id]


class FakeIdentity:
    def __init__(self) -> None:
        self.accounts: Dict[str, Tuple[Account, str]] = {}  # email -> (Account, password)
        self.sessions: Dict[str, str] = {}  # refresh token -> subject
        self.revoked: Set[str] = set()

    def sign_up(self, email: str, password: str, name: str) -> str:
        if email in self.accounts:
            raise errors.Conflict(email)
        self.accounts[email] = (Account(f"sub-{len(self.accounts)}", email, name, False), password)
        return self.accounts[email][0].id

    def confirm_now(self, email: str) -> None:
        account, password = self.accounts[email]
        self.accounts[email] = (replace(account, confirmed=True), password)

    def account(self, email: str) -> Optional[Account]:
        found = self.accounts.get(email)
        return found[0] if found else None

    def sign_in(self, email: str, password: str) -> Tokens:
        account, secret = self.accounts.get(email, (None, None))
        if account is None or secret != password:
            raise errors.Unauthenticated("email or password is incorrect")
        if not account.confirmed:
            raise errors.Forbidden("not confirmed")
        refresh_token = f"refresh-{account.id}-{len(self.sessions)}"
        self.sessions[refresh_token] = account.id
        return Tokens("access", "id", refresh_token, 3600, account.id)

    def refresh(self, refresh_token: str) -> Tokens:
        if refresh_token not in self.sessions or refresh_token in self.revoked:
            raise errors.Unauthenticated("the refresh token is invalid or has expired")
        return Tokens("access", "id", refresh_token, 3600, self.sessions[refresh_token])

    def revoke(self, refresh_token: str) -> None:
        self.revoked.add(refresh_token)

    def account_of_token(self, access_token: str) -> Account:
        return next(a for a, _ in self.accounts.values() if a.id == access_token)

    def confirm_with_code(self, email: str, code: str) -> None:
        if email not in self.accounts or code != "123456":
            raise errors.InvalidInput("field `code`: the code is wrong or has expired")
        self.confirm_now(email)


class FakeSignInAttempts:
    def __init__(self) -> None:
        self.counters: Dict[str, Tuple[int, int]] = {}  # key -> (count, window's end)

    def take(self, counter: Counter, now: int) -> Taken:
        count, ends_at = self.counters.get(counter.key, (0, 0))
        if ends_at <= now:
            count, ends_at = 0, now + counter.window
        if count >= counter.limit:
            return Taken(False, ends_at)
        self.counters[counter.key] = (count + 1, ends_at)
        return Taken(True, ends_at)

    def give_back(self, counter: Counter, ends_at: int) -> None:
        count, current_end = self.counters.get(counter.key, (0, 0))
        if current_end == ends_at and count > 0:
            self.counters[counter.key] = (count - 1, ends_at)


class FakeRefreshTokens:
    def __init__(self) -> None:
        self.owners: Dict[str, str] = {}  # digest -> subject

    def issued(self, digest: str, subject: str, expires_at: int) -> None:
        self.owners[digest] = subject

    def owner(self, digest: str) -> Optional[str]:
        return self.owners.get(digest)


class FakeInbox:
    def __init__(self) -> None:
        self.items: Dict[Tuple[str, str], Notification] = {}  # (user, id) -> Notification

    def add_once(self, notification: Notification) -> Notification:
        return self.items.setdefault((notification.user_id, notification.id), notification)

    def get(self, user_id: str, notification_id: str) -> Optional[Notification]:
        return self.items.get((user_id, notification_id))

    def mark_emailed(self, user_id: str, notification_id: str) -> None:
        self.items[(user_id, notification_id)] = replace(
            self.items[(user_id, notification_id)], emailed=True
        )

    def mark_read(self, notification_id: str, user_id: str) -> Notification:
        if (user_id, notification_id) not in self.items:
            raise errors.NotFound(f"notification {notification_id} does not exist")
        self.items[(user_id, notification_id)] = replace(
            self.items[(user_id, notification_id)], read=True
        )
        return self.items[(user_id, notification_id)]

    def page_for_user(
        self, user_id: str, limit: int, after: Optional[dict]
    ) -> Tuple[List[Notification], Optional[dict]]:
        mine = sorted(
            (n for (u, _), n in self.items.items() if u == user_id),
            key=lambda n: n.id,
            reverse=True,
        )
        if after:
            mine = [n for n in mine if n.id < after["id"]]
        return mine[:limit], ({"id": mine[limit - 1].id} if len(mine) > limit else None)


class FakeMailer:
    def __init__(self) -> None:
        self.sent: List[Tuple[str, str]] = []  # (to, subject)
        self.down = False

    def send(self, to: str, subject: str, body: str) -> None:
        if self.down:
            raise RuntimeError("mail service unavailable")
        self.sent.append((to, subject))


class FakeQueue:
    def __init__(self) -> None:
        self.events: List[OrderEvent] = []

    def send(self, events: List[OrderEvent]) -> None:
        self.events.extend(events)


class FakeCheckQueue:
    """The reservations' checks as sent (their delay is the real queue's: tests pass `now` to the check)."""

    def __init__(self) -> None:
        self.checks: List[ReservationMade] = []
        self.down = False

    def send(self, checks: List[ReservationMade]) -> None:
        if self.down:
            raise RuntimeError("queue unavailable")
        self.checks.extend(checks)


# --- the catalog, carts, orders and the checkout, in one in-memory store -----------------------------
#
# They keep DynamoDB's rules as the repositories rely on them (a write checks its conditions and is all or
# nothing); tests/contract runs one suite against these and against the DynamoDB repositories on moto.


class FakeShop:
    """The in-memory world, and what tests steer or watch in it: `failures` makes the next order commits raise
    these instead (contention, say); the hooks in `meanwhile` run at the next commit, before it (another request
    changing the shop; a hook may queue another for the commit after), those in `afterwards` after it;
    `placed` lists the orders committed with their takes; `level_reads` the bucket reads; `sleeps` the retry
    policy's waits; `offer_cache` is the warm container's cache of offers."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # id -> Product (a flash-sale product's own stock is 0)
        self.products: Dict[str, Product] = {}
        self.buckets: Dict[Tuple[str, int], List[int]] = {}  # (id, n) -> [stock, price]
        self.counts: Dict[str, int] = {}
        self.carts: Dict[str, Dict[str, Any]] = {}  # user -> {"lines": {}, "version": n}
        # id -> (Order, seq, body hash)
        self.orders: Dict[str, Tuple[Order, str, Optional[str]]] = {}
        self.failures: List[Exception] = []
        self.meanwhile: List[Callable[[], object]] = []
        self.afterwards: List[Callable[[], object]] = []
        self.placed: List[Tuple[Order, List[Take]]] = []
        self.level_reads: List[List[str]] = []
        self.sleeps: List[float] = []
        # order id -> (payment method, attempt) while PENDING
        self.paying: Dict[str, Tuple[str, str]] = {}
        self.events: Set[str] = set()  # the provider's event ids acted on
        self.payments = FakePayments()
        self.sold_out = WarmCache(1)
        self.offer_cache = WarmCache(30)


class FakeCatalog:
    def __init__(self, shop: FakeShop) -> None:
        self.shop = shop

    def current(self, product_id: str) -> Optional[Current]:
        with self.shop.lock:
            product = self.shop.products.get(product_id)
            if product is None:
                return None
            levels = {b: v[0] for (p, b), v in self.shop.buckets.items() if p == product_id}
            return Current(
                replace(product, stock=sum(levels.values())) if product.flash_sale else product,
                levels,
            )

    def get(self, product_id: str) -> Optional[Product]:
        current = self.current(product_id)
        return current.product if current else None

    def offers(self, product_ids: Iterable[str]) -> Dict[str, Offer]:
        return {p: self.shop.products[p].offer for p in product_ids if p in self.shop.products}

    def page(
        self, category: Optional[str], limit: int, after: Optional[str]
    ) -> Tuple[List[Product], Optional[str]]:
        chosen = sorted(
            p
            for p, product in self.shop.products.items()
            if (category is None or product.category == category) and (after is None or p > after)
        )
        shown = [c.product for c in map(self.current, chosen[:limit]) if c is not None]
        return shown, (shown[-1].id if len(chosen) > limit else None)

    def categories(self) -> List[products_model.Category]:
        return [products_model.Category(c, n) for c, n in sorted(self.shop.counts.items()) if n > 0]

    def add(self, product: Product) -> None:
        with self.shop.lock:
            if product.id in self.shop.products:
                raise errors.Conflict(product.id)
            self.shop.products[product.id] = (
                replace(product, stock=0) if product.flash_sale else product
            )
            if product.flash_sale:
                for bucket, units in enumerate(spread(product.stock)):
                    self.shop.buckets[(product.id, bucket)] = [units, product.price_cents]
            self.shop.counts[product.category] = self.shop.counts.get(product.category, 0) + 1

    def update(
        self, current: Current, after: Product, delta: Optional[int] = None, exact: bool = False
    ) -> None:
        shop, before = self.shop, current.product
        with shop.lock:
            now = shop.products.get(before.id)
            levels = {b: v[0] for (p, b), v in shop.buckets.items() if p == before.id}
            if (
                now is None
                or now.category != before.category
                or now.flash_sale != before.flash_sale
                or (
                    exact
                    and (
                        now.revision != before.revision
                        or (now.stock if not now.flash_sale else levels)
                        != (before.stock if not before.flash_sale else current.levels)
                    )
                )
            ):
                raise retry.ProductChanged(before.id)
            own = now.stock
            if after.flash_sale != before.flash_sale:
                if (own if not before.flash_sale else levels) != (
                    before.stock if not before.flash_sale else current.levels
                ):
                    raise retry.ProductChanged(before.id)
                for key in [k for k in shop.buckets if k[0] == before.id]:
                    del shop.buckets[key]
                if after.flash_sale:
                    for bucket, units in enumerate(spread(after.stock)):
                        shop.buckets[(before.id, bucket)] = [units, after.price_cents]
                own = 0 if after.flash_sale else after.stock
            elif after.flash_sale:
                takes = (
                    takes_from_buckets(before.offer, -delta, levels)
                    if delta is not None and delta < 0
                    else []
                )
                # (bucket, units): every take from buckets names its bucket
                taken = [(t.bucket, t.quantity) for t in takes if t.bucket is not None]
                if any(levels.get(bucket, 0) < units for bucket, units in taken):
                    raise retry.ProductChanged(before.id)
                for bucket, units in taken:
                    shop.buckets[(before.id, bucket)][0] -= units
                if delta is not None and delta > 0:
                    for bucket, units in enumerate(
                        spread(delta, start=random.randrange(FLASH_BUCKETS))
                    ):
                        shop.buckets[(before.id, bucket)][0] += units
                elif delta is None and (after.stock != before.stock or exact):
                    for bucket, units in enumerate(spread(after.stock)):
                        shop.buckets[(before.id, bucket)][0] = units
                for key in [k for k in shop.buckets if k[0] == before.id]:
                    shop.buckets[key][1] = after.price_cents
            elif delta is not None:
                if own + delta < 0:
                    raise retry.ProductChanged(before.id)
                own += delta
            elif after.stock != before.stock or exact:
                own = after.stock
            shop.products[before.id] = replace(after, stock=own)
            if after.category != before.category:
                shop.counts[before.category] -= 1
                shop.counts[after.category] = shop.counts.get(after.category, 0) + 1

    def remove(self, current: Current) -> None:
        shop, product = self.shop, current.product
        with shop.lock:
            now = shop.products.get(product.id)
            if now is None or now.category != product.category:
                raise retry.ProductChanged(product.id)
            del shop.products[product.id]
            for key in [k for k in shop.buckets if k[0] == product.id]:
                del shop.buckets[key]
            shop.counts[product.category] -= 1


class FakeStock:
    def __init__(self, shop: FakeShop) -> None:
        self.shop = shop

    def levels(self, product_ids: Iterable[str]) -> Dict[str, Dict[int, int]]:
        wanted = sorted(product_ids)
        self.shop.level_reads.append(wanted)
        return {p: {b: v[0] for (q, b), v in self.shop.buckets.items() if q == p} for p in wanted}


class FakeCarts:
    def __init__(self, shop: FakeShop) -> None:
        self.shop = shop

    def quantities(self, user_id: str) -> Dict[str, int]:
        return dict(self.shop.carts.get(user_id, {}).get("lines", {}))

    def look(self, user_id: str, product_ids: Sequence[str]) -> orders_model.CartLook:
        with self.shop.lock:
            cart = self.shop.carts.get(user_id)
            lines = None if cart is None else dict(cart["lines"])
            return orders_model.CartLook(lines, FakeCatalog(self.shop).offers(product_ids))

    def put(
        self, user_id: str, product_id: str, quantity: int, new: bool = False
    ) -> Dict[str, int]:
        with self.shop.lock:
            cart = self.shop.carts.setdefault(user_id, {"lines": {}, "version": 0})
            if product_id not in cart["lines"] and len(cart["lines"]) >= orders_model.MAX_LINES:
                raise errors.InvalidInput(
                    f"a cart holds at most {orders_model.MAX_LINES} different products"
                )
            cart["lines"][product_id] = quantity
            cart["version"] += 1
            return dict(cart["lines"])

    def remove(self, user_id: str, product_id: str) -> Dict[str, int]:
        with self.shop.lock:
            cart = self.shop.carts.get(user_id)
            if cart is None:
                return {}
            cart["lines"].pop(product_id, None)
            cart["version"] += 1
            return dict(cart["lines"])

    def clear(self, user_id: str) -> None:
        with self.shop.lock:
            if user_id in self.shop.carts:
                self.shop.carts[user_id] = {
                    "lines": {},
                    "version": self.shop.carts[user_id]["version"] + 1,
                }


class FakeOrders:
    def __init__(self, shop: FakeShop) -> None:
        self.shop = shop

    def get(self, order_id: str) -> Optional[Order]:
        found = self.shop.orders.get(order_id)
        return found[0] if found and found[0].status != orders_model.PENDING else None

    def _page(
        self, keep: Callable[[Order], bool], limit: int, after: Position
    ) -> Tuple[List[Order], Position]:
        chosen = sorted(
            (
                (seq, o)
                for o, seq, _ in self.shop.orders.values()
                if o.status != orders_model.PENDING and keep(o)
            ),
            key=lambda e: e[0],
            reverse=True,
        )
        if after:
            chosen = [e for e in chosen if e[0] < after["seq"]]
        last = chosen[limit - 1] if len(chosen) > limit else None
        return [o for _, o in chosen[:limit]], ({"seq": last[0]} if last else None)

    def page_for_user(
        self, user_id: str, limit: int, after: Position
    ) -> Tuple[List[Order], Position]:
        return self._page(lambda o: o.user_id == user_id, limit, after)

    def page_all(
        self, status: Optional[str], limit: int, after: Position
    ) -> Tuple[List[Order], Position]:
        return self._page(lambda o: status is None or o.status == status, limit, after)

    def transition(self, order_id: str, before: str, after: str, at: str) -> Optional[Order]:
        with self.shop.lock:
            found = self.shop.orders.get(order_id)
            if found is None or found[0].status != before or found[0].operation is not None:
                return None
            moved = replace(found[0], status=after, updated_at=at)
            self.shop.orders[order_id] = (moved, found[1], found[2])
            return moved

    def claim(self, order_id: str, claim: orders_model.Claim) -> Optional[Order]:
        with self.shop.lock:
            found = self.shop.orders.get(order_id)
            if (
                found is None
                or found[0].status not in claim.sources
                or found[0].operation != claim.replacing
                or (claim.owner is not None and found[0].user_id != claim.owner)
            ):
                return None
            claimed = replace(found[0], operation=claim.operation)
            self.shop.orders[order_id] = (claimed, found[1], found[2])
            return claimed

    def release(self, order: Order) -> bool:
        with self.shop.lock:
            found = self.shop.orders.get(order.id)
            if found is None or found[0].operation != order.operation:
                return False
            self.shop.orders[order.id] = (replace(found[0], operation=None), found[1], found[2])
            return True

    def in_flight_since(self, before: int) -> List[Order]:
        """As the sparse index has them: a reservation (PENDING under its authorize) is not there."""
        return [
            o
            for o, _, _ in self.shop.orders.values()
            if o.operation is not None
            and o.operation.since < before
            and not (
                o.status == orders_model.PENDING and o.operation.name == orders_model.AUTHORIZE
            )
        ]

    def pending(self, order_id: str) -> Optional[orders_model.Pending]:
        found = self.shop.orders.get(order_id)
        if found is None or found[0].status != orders_model.PENDING:
            return None
        return orders_model.Pending(found[0], *self.shop.paying[order_id])


class FakeCheckout:
    def __init__(self, shop: FakeShop) -> None:
        self.shop = shop

    def read(
        self, user_id: str, order_id: Optional[str], with_cart: bool, product_ids: Sequence[str]
    ) -> orders_model.CheckoutView:
        shop = self.shop
        existing = shop.orders.get(order_id) if order_id else None
        cart: dict = (
            shop.carts.get(user_id, {"lines": {}, "version": 0})
            if with_cart
            else {"lines": {}, "version": 0}
        )
        return orders_model.CheckoutView(
            existing=orders_model.Existing(existing[0], existing[2]) if existing else None,
            cart=dict(cart["lines"]),
            cart_version=cart["version"],
            offers={p: shop.products[p].offer for p in product_ids if p in shop.products},
        )

    def begin(self) -> "FakeOrderTransaction":
        return FakeOrderTransaction(self)


class FakeOrderTransaction:
    """The unit of work in memory: what DynamoDB's transaction checks, checked under one lock, all or nothing."""

    def __init__(self, checkout: FakeCheckout) -> None:
        self.shop = checkout.shop
        self.takes: List[Take] = []
        self.returns: List[Tuple[str, int, bool]] = []
        self.pending: Optional[orders_model.Pending] = None
        self.key: Optional[IdempotencyKey] = None
        self.cart: Optional[Tuple[str, int]] = None
        self.restore: Optional[Tuple[str, Dict[str, int], int]] = None
        self.moving: Optional[Tuple[Order, Optional[Order]]] = (
            None  # (before, after); after None: discard
        )
        self.event: Optional[str] = None

    def __len__(self) -> int:
        items = (self.pending, self.cart, self.restore, self.moving, self.event)
        return len(self.takes) + len(self.returns) + sum(x is not None for x in items)

    def take(self, take: Take) -> None:
        self.takes.append(take)

    def reserve(self, pending: orders_model.Pending, key: Optional[IdempotencyKey]) -> None:
        self.pending, self.key = pending, key

    def empty_cart(self, user_id: str, version: int) -> None:
        self.cart = (user_id, version)

    def restore_cart(self, user_id: str, lines: Dict[str, int], emptied: int) -> None:
        self.restore = (user_id, dict(lines), emptied)

    def discard(self, pending: Order) -> None:
        self.moving = (pending, None)

    def move(self, before: Order, after: Order) -> None:
        self.moving = (before, after)

    def give_back(self, product_id: str, quantity: int, flash_sale: bool) -> None:
        self.returns.append((product_id, quantity, flash_sale))

    def record_event(self, event: str, kind: str) -> None:
        self.event = event

    def commit(self) -> Optional[orders_model.Existing]:
        _run(self.shop.meanwhile)
        try:
            if self.shop.failures:
                raise self.shop.failures.pop(0)
            with self.shop.lock:
                if self.pending is not None and self.pending.order.id in self.shop.orders:
                    existing = self.shop.orders[self.pending.order.id]
                    return orders_model.Existing(existing[0], existing[2])
                self._check()
                self._apply()
            return None
        finally:
            _run(self.shop.afterwards)

    def _check(self) -> None:
        shop = self.shop
        if self.event is not None and self.event in shop.events:
            raise AlreadyHandled()
        refusals = [r for r in map(self._refusal, self.takes) if r]
        final = [r for r in refusals if not isinstance(r, retry.BucketShort)]
        if final:
            raise final[0]
        shorts = [r for r in refusals if isinstance(r, retry.BucketShort)]
        if shorts:
            raise retry.BucketShort(*sorted({p for r in shorts for p in r.product_ids}))
        if (
            self.cart is not None
            and shop.carts.get(self.cart[0], {}).get("version") != self.cart[1]
        ):
            raise retry.CartChanged()
        if (
            self.restore is not None
            and shop.carts.get(self.restore[0], {}).get("version") != self.restore[2]
        ):
            raise retry.CartChanged()
        if self.moving is not None:
            found = shop.orders.get(self.moving[0].id)
            before = self.moving[0]
            if (
                found is None
                or found[0].status != before.status
                or found[0].operation != before.operation
            ):
                raise retry.StatusMoved(before.id)
        for product_id, _, flash_sale in self.returns:
            product = shop.products.get(product_id)
            if product is None or product.flash_sale != flash_sale:
                raise retry.StockMoved(product_id)

    def _apply(self) -> None:
        shop = self.shop
        for take in self.takes:
            if take.bucket is None:
                product = shop.products[take.product_id]
                shop.products[take.product_id] = replace(
                    product, stock=product.stock - take.quantity
                )
            else:
                shop.buckets[(take.product_id, take.bucket)][0] -= take.quantity
        for product_id, quantity, flash_sale in self.returns:
            if flash_sale:
                shop.buckets[(product_id, random.randrange(FLASH_BUCKETS))][0] += quantity
            else:
                product = shop.products[product_id]
                shop.products[product_id] = replace(product, stock=product.stock + quantity)
        if self.pending is not None:
            order = self.pending.order
            shop.orders[order.id] = (order, "", self.key.body_hash if self.key else None)
            shop.paying[order.id] = (self.pending.payment_method, self.pending.attempt)
            shop.placed.append((order, list(self.takes)))
        if self.cart is not None:
            shop.carts[self.cart[0]] = {"lines": {}, "version": self.cart[1] + 1}
        if self.restore is not None:
            shop.carts[self.restore[0]] = {"lines": self.restore[1], "version": self.restore[2] + 1}
        if self.moving is not None:
            self._apply_move(*self.moving)
        if self.event is not None:
            shop.events.add(self.event)

    def _apply_move(self, before: Order, after: Optional[Order]) -> None:
        found = self.shop.orders[before.id]
        if after is None:
            del self.shop.orders[before.id]
            return
        seq = ids.new_id() if before.status == orders_model.PENDING else found[1]
        self.shop.orders[before.id] = (after, seq, found[2])

    def _refusal(self, take: Take) -> Optional[Exception]:
        if take.bucket is None:
            product = self.shop.products.get(take.product_id)
            if product is None or product.flash_sale:
                return retry.StockMoved(take.product_id)
            if product.price_cents != take.unit_price_cents:
                return retry.PriceMoved(take.product_id)
            return OutOfStock(take.product_id) if product.stock < take.quantity else None
        bucket = self.shop.buckets.get((take.product_id, take.bucket))
        if bucket is None:
            return retry.StockMoved(take.product_id)
        if bucket[1] != take.unit_price_cents:
            return retry.PriceMoved(take.product_id)
        return retry.BucketShort(take.product_id) if bucket[0] < take.quantity else None


def _run(hooks: List[Callable[[], object]]) -> None:
    due = list(hooks)
    hooks.clear()
    for hook in due:
        hook()


class FakePayments:
    """Stripe in memory, as strict as Stripe (a capture needs an authorization, a refund a capture, once): each
    payment's state, Stripe's idempotency (one key, one intent), and what tests steer: `faults` raises the next
    call of an operation before it acts ({"capture": errors.Unavailable(...)}); `lost` makes one act and then
    lose its answer (a timeout after Stripe did it); `calls` lists (operation, reference or key)."""

    DECLINED, NEEDS_ACTION = "pm_card_chargeCustomerFail", "pm_card_authenticationRequired"

    def __init__(self) -> None:
        self.intents: Dict[str, Intent] = {}
        self.keys: Dict[str, str] = {}
        self.faults: Dict[str, Exception] = {}
        self.lost: Set[str] = set()
        self.calls: List[Tuple[str, str]] = []
        # runs once inside the next call of that operation
        self.during: Dict[str, Callable[[], object]] = {}

    def authorize(self, request: Authorization) -> Intent:
        self._called("authorize", request.key)
        if request.payment_method == self.DECLINED:
            raise PaymentRefused("card_declined", "Your card was declined")
        intent = self._create(request)
        if request.payment_method == self.NEEDS_ACTION:
            self.void(intent.reference, request.key + ":needs-action")
            raise PaymentRefused("authentication_required")
        return self._answer("authorize", intent)

    def recover(self, request: Authorization) -> Optional[Intent]:
        self._called("recover", request.key)
        reference = self.keys.get(request.key)
        return self.intents[reference] if reference else None

    def capture(self, reference: str, key: str) -> Intent:
        self._called("capture", reference)
        return self._answer("capture", self._moved(reference, "requires_capture", "succeeded"))

    def void(self, reference: str, key: str) -> Intent:
        self._called("void", reference)
        return self._answer("void", self._moved(reference, "requires_capture", "canceled"))

    def refund(self, reference: str, key: str) -> Intent:
        self._called("refund", reference)
        intent = self.intents[reference]
        if intent.captured and not intent.refunded:
            intent = self.intents[reference] = replace(intent, refunded_cents=intent.amount_cents)
        return self._answer("refund", intent)

    def intent(self, reference: str) -> Intent:
        self._called("intent", reference)
        return self.intents.get(reference) or Intent(reference, "missing", 0)

    def event(self, payload: bytes, signature: str) -> Event:
        if signature != "t=1,v1=valid":
            raise errors.InvalidInput(
                "header `Stripe-Signature`: no signatures found matching the expected signature"
            )
        body = json.loads(payload)
        subject = body["data"]["object"]
        reference = (
            subject.get("payment_intent")
            if body["type"].startswith("charge.")
            else subject.get("id")
        )
        return Event(body["id"], body["type"], reference)

    # --- what tests do to payments behind the shop's back -------------------------------------------------

    def expire(self, reference: str) -> None:
        """Stripe cancels an authorization left uncaptured (7 days)."""
        self.intents[reference] = replace(self.intents[reference], status="canceled")

    def refund_in_dashboard(self, reference: str, cents: int) -> None:
        intent = self.intents[reference]
        self.intents[reference] = replace(intent, refunded_cents=intent.refunded_cents + cents)

    def authorized(self) -> List[Intent]:
        return [i for i in self.intents.values() if i.authorized]

    def _create(self, request: Authorization) -> Intent:
        if request.key not in self.keys:
            reference = f"pi_{len(self.intents) + 1:06d}"
            self.keys[request.key] = reference
            self.intents[reference] = Intent(
                reference,
                "requires_capture",
                request.amount_cents,
                0,
                request.order_id,
                request.attempt,
                len(self.intents),
            )
        return self.intents[self.keys[request.key]]

    def _moved(self, reference: str, before: str, after: str) -> Intent:
        intent = self.intents[reference]
        if intent.status == before:
            intent = self.intents[reference] = replace(intent, status=after)
        return intent

    def _called(self, operation: str, subject: str) -> None:
        self.calls.append((operation, subject))
        hook = self.during.pop(operation, None)
        if hook is not None:
            hook()
        fault = self.faults.pop(operation, None)
        if fault is not None:
            raise fault

    def _answer(self, operation: str, intent: Intent) -> Intent:
        if operation in self.lost:
            self.lost.discard(operation)
            raise errors.Unavailable("the payment provider is not answering")
        return intent


# --- the services on the in-memory store, as bootstrap.py builds them on DynamoDB ------------------------


def orders(shop: FakeShop, rotation: Optional[Rotation] = None) -> Orders:
    """The order use cases on the in-memory store: `fakes.orders(shop).place(PlaceOrder(...))`."""
    placing, moving = checkout(shop, rotation), fulfilment(shop)
    return Orders(lambda: placing, lambda: moving)


def checkout(shop: FakeShop, rotation: Optional[Rotation] = None) -> Checkout:
    return Checkout(
        FakeCheckout(shop),
        FakeOrders(shop),
        offers(shop),
        FakeStock(shop),
        reservations(shop),
        shop.payments,
        sold_out=shop.sold_out,
        rotation=rotation or Rotation(start=0),
        policy=replace(retry.PLACING, sleep=shop.sleeps.append),
    )


def reservations(shop: FakeShop) -> Reservations:
    return Reservations(FakeOrders(shop), FakeCheckout(shop), offers(shop), shop.payments, "USD")


def fulfilment(shop: FakeShop) -> Fulfilment:
    return Fulfilment(
        FakeOrders(shop),
        FakeCheckout(shop),
        offers(shop),
        shop.payments,
        policy=replace(retry.MOVING, sleep=shop.sleeps.append),
    )


def payment_events(shop: FakeShop) -> PaymentEvents:
    return PaymentEvents(shop.payments, FakeOrders(shop), fulfilment(shop))


def check_reservations(shop: FakeShop, now: int) -> List[str]:
    """Every reservation's check, as the outbox sends them for the reservations written so far (each a write of
    an order where there was none), handled by the checker at `now`: what each check did."""
    checks = FakeCheckQueue()
    publisher(FakeQueue(), checks).publish([(None, order) for order, _ in shop.placed])
    return [reservations(shop).settle(c.order_id, c.reserved_as, now) for c in checks.checks]


def sweeper(shop: FakeShop) -> Sweeper:
    return Sweeper(FakeOrders(shop), reservations(shop), fulfilment(shop))


def cart(shop: FakeShop) -> Cart:
    return Cart(FakeCarts(shop), offers(shop))


def offers(shop: FakeShop) -> Offers:
    return Offers(FakeCatalog(shop), shop.offer_cache)


def products(shop: FakeShop) -> Products:
    return Products(
        FakeCatalog(shop),
        NoCache(),
        forget=(shop.offer_cache,),
        policy=replace(retry.PRODUCT_WRITES, sleep=shop.sleeps.append),
    )


def accounts(identity: "FakeIdentity", users: "FakeUsers") -> Accounts:
    return Accounts(identity, users, FakeSignInAttempts(), FakeRefreshTokens(), auto_confirm=True)


def notifications(inbox: "FakeInbox", users: "FakeUsers", mailer: "FakeMailer") -> Notifications:
    return Notifications(inbox, users, mailer, "USD")


def publisher(queue: "FakeQueue", checks: Optional["FakeCheckQueue"] = None) -> Publisher:
    return Publisher(queue, checks or FakeCheckQueue())
