"""The sign-in limit and own-token sign-out, as services over the in-memory fakes."""

import pytest

from chalicelib import clock, errors
from chalicelib.users.service import Accounts
from tests.unit.fakes import FakeIdentity, FakeRefreshTokens, FakeSignInAttempts, FakeUsers

PASSWORD = "Sturdy-Passw0rd"


@pytest.fixture
def shop():
    identity = FakeIdentity()
    for email in ("ada@example.com", "grace@example.com"):
        identity.sign_up(email, PASSWORD, "Someone")
        identity.confirm_now(email)
    attempts, tokens = FakeSignInAttempts(), FakeRefreshTokens()
    return (
        identity,
        attempts,
        tokens,
        Accounts(identity, FakeUsers(), attempts, tokens, auto_confirm=True),
    )


def sign_in(shop, email="ada@example.com", password=PASSWORD, address="192.0.2.1"):
    return shop[3].sign_in(email, password, address)


def failures(shop, count, **kw):
    for _ in range(count):
        with pytest.raises(errors.Unauthenticated):
            sign_in(shop, password="Wrong-Passw0rd", **kw)


def test_five_failures_from_one_address_refuse_the_sixth_attempt_even_with_the_right_password(
    shop, monkeypatch
):
    monkeypatch.setattr(clock, "epoch_seconds", lambda: 1_800_000_000)
    failures(shop, 5)
    monkeypatch.setattr(clock, "epoch_seconds", lambda: 1_800_000_100)
    with pytest.raises(errors.TooManyRequests) as refused:
        sign_in(shop)
    assert refused.value.retry_after == 800  # the window runs 15 minutes from the first failure
    assert sign_in(shop, address="192.0.2.2").subject  # another address is not limited by this one


def test_unknown_emails_are_limited_alike_and_case_does_not_matter(shop):
    failures(shop, 5, email="Nobody@Example.com")
    with pytest.raises(errors.TooManyRequests):
        sign_in(shop, email="nobody@example.COM", password="Wrong-Passw0rd")


def test_right_passwords_are_not_counted(shop):
    for _ in range(10):
        sign_in(shop)
    failures(shop, 5)
    with pytest.raises(errors.TooManyRequests):
        sign_in(shop)


def test_a_hundred_failures_from_many_addresses_lock_the_email_everywhere(shop):
    for address in range(20):
        failures(shop, 5, address=f"198.51.100.{address}")
    with pytest.raises(errors.TooManyRequests):
        sign_in(shop, address="203.0.113.9")
    assert sign_in(shop, email="grace@example.com", address="203.0.113.9").subject


def test_a_refusal_by_the_emails_counter_leaves_the_addresses_counter_as_it_was(shop):
    for address in range(20):
        failures(shop, 5, address=f"198.51.100.{address}")
    _, attempts, _, _ = shop
    before = dict(attempts.counters)
    with pytest.raises(errors.TooManyRequests):
        sign_in(shop, address="203.0.113.9")
    assert {k: v for k, v in attempts.counters.items() if v[0]} == {
        k: v for k, v in before.items() if v[0]
    }


def test_a_cognito_lockout_is_429_and_not_counted_as_a_failure(shop, monkeypatch):
    identity, attempts, _, _ = shop

    def locked_out(email, password):
        raise errors.TooManyRequests(
            "too many failed sign-ins for this email; try again later", retry_after=60
        )

    monkeypatch.setattr(identity, "sign_in", locked_out)
    for _ in range(8):
        with pytest.raises(errors.TooManyRequests):
            sign_in(shop)
    assert all(count == 0 for count, _ in attempts.counters.values())


def test_sign_out_revokes_the_callers_own_refresh_token_and_no_one_elses(shop):
    accounts = shop[3]
    ada, grace = sign_in(shop), sign_in(shop, email="grace@example.com")
    accounts.sign_out(grace.refresh_token, ada.subject)
    assert accounts.refresh(grace.refresh_token).subject == grace.subject
    accounts.sign_out(ada.refresh_token, ada.subject)
    with pytest.raises(errors.Unauthenticated):
        accounts.refresh(ada.refresh_token)


def test_a_token_issued_before_owners_were_recorded_is_recorded_when_refreshed(shop):
    identity, _, tokens, accounts = shop
    ada = sign_in(shop)
    tokens.owners.clear()
    accounts.sign_out(ada.refresh_token, ada.subject)
    assert ada.refresh_token not in identity.revoked  # not known to be Ada's: nothing revoked
    accounts.refresh(ada.refresh_token)
    accounts.sign_out(ada.refresh_token, ada.subject)
    assert ada.refresh_token in identity.revoked
