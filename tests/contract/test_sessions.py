"""The sign-in limit's counters and the refresh tokens' owners behave the same in memory (the service tests' fakes)
and on DynamoDB (moto's server)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.users.model import Counter, token_digest
from tests.unit import fakes

NOW = 1_800_000_000


@pytest.fixture(params=["memory", "dynamodb"])
def sessions(request):
    if request.param == "memory":
        return fakes.FakeSignInAttempts(), fakes.FakeRefreshTokens()
    request.getfixturevalue("stack")
    from chalicelib import bootstrap

    return bootstrap.services().sign_in_attempts, bootstrap.services().refresh_tokens


@pytest.fixture
def attempts(sessions):
    return sessions[0]


def _counter(limit=3, window=900):
    return Counter(f"sign-in#contract-{uuid.uuid4().hex}", limit, window)


def test_a_counter_counts_up_to_its_limit_then_refuses_until_its_window_ends(attempts):
    counter = _counter()
    taken = [attempts.take(counter, NOW + i) for i in range(4)]
    assert [t.counted for t in taken] == [True, True, True, False]
    assert {t.ends_at for t in taken} == {NOW + 900}  # counted from the first attempt


def test_a_window_that_ended_starts_again_with_this_attempt(attempts):
    counter = _counter(limit=1)
    assert attempts.take(counter, NOW).counted and not attempts.take(counter, NOW + 899).counted
    again = attempts.take(counter, NOW + 900)
    assert again.counted and again.ends_at == NOW + 1800
    assert not attempts.take(counter, NOW + 901).counted


def test_an_attempt_given_back_makes_room_within_its_window_only(attempts):
    counter = _counter(limit=1)
    first = attempts.take(counter, NOW)
    attempts.give_back(counter, first.ends_at)
    second = attempts.take(counter, NOW + 1)
    assert second.counted and not attempts.take(counter, NOW + 2).counted
    # an attempt of another window: nothing to give back
    attempts.give_back(counter, first.ends_at - 1)
    assert not attempts.take(counter, NOW + 3).counted


def test_counters_are_independent(attempts):
    first, second = _counter(limit=1), _counter(limit=1)
    assert attempts.take(first, NOW).counted and attempts.take(second, NOW).counted


def test_concurrent_attempts_on_dynamodb_never_count_past_the_limit(stack):
    """(The fake serves one thread at a time; DynamoDB's conditional writes are what hold here.)"""
    from chalicelib import bootstrap

    counter = _counter(limit=5)
    with ThreadPoolExecutor(16) as pool:
        taken = list(
            pool.map(lambda i: bootstrap.services().sign_in_attempts.take(counter, NOW), range(40))
        )
    assert sum(t.counted for t in taken) == 5


def test_a_refresh_tokens_owner_is_known_by_its_hash_and_an_unknown_one_has_none(sessions):
    _, tokens = sessions
    token = f"eyJ-contract-{uuid.uuid4().hex}"
    tokens.issued(token_digest(token), "U-contract", NOW + 3600)
    assert tokens.owner(token_digest(token)) == "U-contract"
    assert tokens.owner(token_digest(token + "x")) is None
