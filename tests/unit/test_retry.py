"""The one retry policy (chalicelib/retry.py): how long it waits, how often each signal may recur, and what the
caller is told when the attempts run out. The waits are recorded, never slept; the jitter is given where a test
needs a known draw."""

import pytest

from chalicelib import errors, retry
from chalicelib.http import responses


def policy(attempts=8, jitter=None, sleeps=None):
    given = {"jitter": jitter} if jitter else {}
    return retry.Policy(
        attempts=attempts, sleep=(sleeps if sleeps is not None else []).append, **given
    )


def raising(*signals, then="done"):
    """An attempt that raises these signals in turn, then returns `then`; `calls` counts the attempts."""
    queue = list(signals)

    def attempt(seen):
        attempt.calls += 1
        if queue:
            raise queue.pop(0)
        return then

    attempt.calls = 0
    return attempt


def all_signals():
    import chalicelib.notifications.gateways  # noqa: F401  (its SQS signal is a RetrySignal too)

    found, todo = [], [retry.RetrySignal]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


@pytest.mark.parametrize("number", range(10))
def test_a_wait_doubles_from_the_first_wait_up_to_the_cap_less_up_to_half_at_random(number):
    cap = min(0.5, 0.02 * 2**number)
    assert policy(jitter=lambda low, high: low).wait(number) == pytest.approx(cap / 2)
    assert policy(jitter=lambda low, high: high).wait(number) == pytest.approx(cap)
    drawn = [policy().wait(number) for _ in range(200)]
    assert all(cap / 2 <= w <= cap for w in drawn)
    assert len(set(drawn)) > 1  # jittered: retries that collided do not collide again


def test_no_wait_is_longer_than_the_cap_however_many_attempts():
    assert policy(jitter=lambda low, high: high).wait(60) == 0.5


def test_a_signal_that_waits_sleeps_before_each_new_attempt_and_the_first_attempt_never_sleeps():
    sleeps = []
    attempt = raising(retry.Contention(), retry.Contention(), retry.Contention())
    assert policy(jitter=lambda low, high: high, sleeps=sleeps).run(attempt) == "done"
    assert attempt.calls == 4 and sleeps == pytest.approx([0.02, 0.04, 0.08])


def test_a_signal_that_does_not_wait_is_tried_again_at_once():
    sleeps = []
    attempt = raising(retry.StockMoved("P1"), retry.StatusMoved("O1"))
    assert policy(sleeps=sleeps).run(attempt) == "done"
    assert attempt.calls == 3 and sleeps == []


def test_each_attempt_sees_the_signals_of_the_attempts_before_it():
    seen = []

    def attempt(signals):
        seen.append(signals.seen)
        if len(seen) < 3:
            raise [retry.BucketShort("P1", "P2"), retry.StockMoved("P3")][len(seen) - 1]
        return signals

    signals = policy().run(attempt)
    assert [len(s) for s in seen] == [0, 1, 2]
    assert signals.short == {"P1", "P2"} and signals.fresh


def test_a_price_moved_once_is_read_again_but_a_second_time_the_shopper_reviews_the_order():
    assert policy().run(raising(retry.PriceMoved("P1"))) == "done"
    attempt = raising(retry.PriceMoved("P1"), retry.PriceMoved("P1"))
    with pytest.raises(errors.Conflict, match="price of product P1"):
        policy().run(attempt)
    assert attempt.calls == 2  # its limit, not the policy's attempts


def test_a_signal_past_its_own_limit_ends_the_call_even_with_attempts_left():
    class Twice(retry.RetrySignal):
        limit = 2

    attempt = raising(Twice(), retry.Contention(), Twice(), Twice())
    with pytest.raises(retry.Busy):
        policy(attempts=8).run(attempt)
    assert attempt.calls == 4  # the other signal in between does not count towards Twice's limit


@pytest.mark.parametrize(
    "signal, error, message",
    [
        (retry.Contention(), retry.Busy, "busy"),
        (retry.BucketShort("P1"), retry.Busy, "busy"),
        (retry.StockMoved("P1"), retry.Busy, "busy"),
        (retry.CartRaced(), retry.Busy, "busy"),
        (retry.ProductChanged("P1"), retry.Busy, "product P1 keeps changing"),
        (retry.CartChanged(), errors.Conflict, "cart changed"),
        (retry.StatusMoved("O1"), errors.Conflict, "order O1 keeps changing"),
    ],
)
def test_when_the_attempts_run_out_the_caller_gets_the_signals_own_error(signal, error, message):
    attempt = raising(*[signal] * 5)
    with pytest.raises(error, match=message) as raised:
        policy(attempts=5).run(attempt)
    assert attempt.calls == 5 and raised.value.__cause__ is signal


def test_contention_that_outlasts_the_attempts_is_a_503_and_a_lost_race_is_a_409():
    assert issubclass(retry.Busy, errors.Unavailable)
    assert isinstance(retry.StatusMoved("O1").exhausted(), errors.Conflict)
    assert not isinstance(retry.StatusMoved("O1").exhausted(), errors.Unavailable)


def test_no_retry_signal_is_an_http_error():
    signals = all_signals()
    assert {retry.Contention, retry.PriceMoved, retry.CartRaced, retry.ProductChanged} <= set(
        signals
    )
    http_errors = tuple(kind for kind, _, _ in responses._STATUS) + (errors.ShopError,)
    assert [s.__name__ for s in signals if issubclass(s, http_errors)] == []


def test_the_named_policies_try_as_often_as_their_loops_need():
    assert retry.PLACING.attempts == retry.MOVING.attempts == 8
    assert retry.PRODUCT_WRITES.attempts == 5
    assert retry.CART_WRITES.attempts == retry.EVENT_SENDS.attempts == 3


def test_the_product_writes_use_their_named_policy():
    from chalicelib.products.service import Products

    assert Products.__init__.__kwdefaults__["policy"] is retry.PRODUCT_WRITES
