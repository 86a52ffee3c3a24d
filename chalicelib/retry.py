"""One retry policy for every loop that meets contention or a stale read, and the signals that drive it.

A retry signal is not an error the caller sees: it says "this attempt should be made again", and what each signal
does is written here, on the signal: whether the next attempt waits (a jittered, doubling, capped time, because
others were writing the same items), how often it may recur, and what the caller is told when the attempts run out.
"""

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Set, Tuple, TypeVar

from chalicelib import errors

T = TypeVar("T")


class RetrySignal(Exception):
    """Try again. `waits`: back off first; `limit`: at most this many of this kind per call; `exhausted()`: the
    error the caller gets when the attempts (or the limit) run out."""

    waits = False
    limit = 1_000

    def exhausted(self) -> Exception:
        return Busy()


class Busy(errors.Unavailable):
    def __init__(
        self, message: str = "the shop is busy with the same items; retry shortly"
    ) -> None:
        super().__init__(message)


class Contention(RetrySignal):
    """A transaction was cancelled by others writing the same items (no condition of ours failed)."""

    waits = True


class BucketShort(RetrySignal):
    """Flash-sale buckets an order chose held too little: read those products' buckets and choose again."""

    waits = True

    def __init__(self, *product_ids: str) -> None:
        super().__init__(", ".join(product_ids))
        self.product_ids = set(product_ids)


class StockMoved(RetrySignal):
    """A product's flash-sale flag changed since its offer was read (its stock moved), or it was deleted: read
    the offers again."""

    def __init__(self, product_id: str) -> None:
        super().__init__(product_id)
        self.product_id = product_id


class PriceMoved(StockMoved):
    """The price charged is no longer the product's: read it again once; a second time, the shopper reviews."""

    limit = 1

    def exhausted(self) -> Exception:
        return errors.Conflict(
            f"the price of product {self.product_id} changed while ordering; "
            "review the order and retry"
        )


class CartChanged(RetrySignal):
    """The cart changed between the checkout's read and its transaction: read it again."""

    waits = True

    def exhausted(self) -> Exception:
        return errors.Conflict("the cart changed while ordering; review it and retry")


class StatusMoved(RetrySignal):
    """An order's status changed between its read and its conditional write: read it again (the read names the
    status it is in now). A lost race is a 409, never a 503."""

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id

    def exhausted(self) -> Exception:
        return errors.Conflict(f"order {self.order_id} keeps changing; read it again")


class CartRaced(RetrySignal):
    """The shopper's first cart was written by another request between the read and the write: write again."""


class ProductChanged(RetrySignal):
    """The product changed (or went) between an admin's read and the write: read it again."""

    waits = True

    def __init__(self, product_id: str) -> None:
        super().__init__(product_id)
        self.product_id = product_id

    def exhausted(self) -> Exception:
        return Busy(f"product {self.product_id} keeps changing; retry shortly")


@dataclass(frozen=True)
class Signals:
    """The signals the earlier attempts of one call raised, oldest first."""

    seen: Tuple[RetrySignal, ...] = ()

    @property
    def fresh(self) -> bool:
        """Whether a cached read went stale: read from the source from now on."""
        return any(isinstance(s, StockMoved) for s in self.seen)

    @property
    def short(self) -> Set[str]:
        """The flash-sale products whose buckets ran short: read their levels before choosing."""
        return {p for s in self.seen if isinstance(s, BucketShort) for p in s.product_ids}

    def count(self, kind: type) -> int:
        return sum(type(s) is kind for s in self.seen)


@dataclass(frozen=True)
class Policy:
    attempts: int = 8
    first_wait: float = 0.02
    max_wait: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[float, float], float] = field(default=random.uniform, compare=False)

    def run(self, attempt: Callable[[Signals], T]) -> T:
        """`attempt(signals so far)` until it returns. A signal makes it try again (waiting first where the signal
        says so); past the attempts, or past the signal's own limit, the caller gets `signal.exhausted()`."""
        signals = Signals()
        for number in range(self.attempts):
            try:
                return attempt(signals)
            except RetrySignal as signal:
                signals = Signals(signals.seen + (signal,))
                if number == self.attempts - 1 or signals.count(type(signal)) > signal.limit:
                    raise _exhausted(signal) from signal
                if signal.waits:
                    self.sleep(self.wait(number))
        raise AssertionError("a policy makes at least one attempt")

    def wait(self, number: int) -> float:
        """min(max_wait, first_wait * 2**n), less up to half at random, so that retries that collided do not
        collide again."""
        return min(self.max_wait, self.first_wait * 2**number) * self.jitter(0.5, 1.0)


# The loops and their policies (the signals each meets say whether it waits and when it gives up):
# placing an order meets contention, short buckets, moved stock or prices and a changed cart;
PLACING = Policy(attempts=8)
# cancelling, shipping, delivering and refunding meet an order moved by another request meanwhile;
MOVING = Policy(attempts=8)
# an admin's update or delete of a product meets sales changing its stock;
PRODUCT_WRITES = Policy(attempts=5)
# a cart's write meets only the shopper's own other requests;
CART_WRITES = Policy(attempts=3)
# sending the orders' events meets SQS refusing some entries of a batch.
EVENT_SENDS = Policy(attempts=3)


def _exhausted(signal: RetrySignal) -> Exception:
    error = signal.exhausted()
    if isinstance(error, errors.Unavailable):
        from chalicelib import observability

        # the metric the alarm of that name watches
        observability.count(observability.CONTENTION_EXHAUSTED)
    return error
