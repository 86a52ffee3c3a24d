"""What the shop does with accounts."""
from typing import List, Tuple

from chalicelib import clock, errors
from chalicelib.users.identity import Tokens
from chalicelib.users.model import (REFRESH_TOKEN_SECONDS, Counter, Profile, check_email, check_name, check_password,
                                    email_taken, sign_in_counters, token_digest)


def register(email: str, password: str, name: str, *, identity, users, auto_confirm: bool) -> Profile:
    """Create the identity, confirm it where the stage auto-confirms, and write the profile."""
    email, name, password = check_email(email), check_name(name), check_password(password)
    try:
        user_id = identity.sign_up(email, password, name)
    except errors.Conflict:
        return _finish_interrupted_registration(email, password, name, identity, users, auto_confirm)
    if auto_confirm:
        identity.confirm_now(email)
    return users.add(Profile(user_id, email, name, clock.now_iso()))


def _finish_interrupted_registration(email, password, name, identity, users, auto_confirm) -> Profile:
    """A sign-up whose profile write was lost: the same password proves it is the same person."""
    account = identity.account(email)
    if account is None or users.get(account.id) is not None:
        raise email_taken(email)
    try:
        identity.sign_in(email, password)
    except errors.Forbidden:  # not confirmed yet, but the password was right
        if auto_confirm:
            identity.confirm_now(email)
    except errors.ShopError as exc:
        raise email_taken(email) from exc
    return users.add(Profile(account.id, email, account.name or name, clock.now_iso()))


def confirm(email: str, code: str, *, identity) -> None:
    """Confirm a sign-up with the code Cognito emailed."""
    identity.confirm_with_code(check_email(email), code)


def sign_in(email: str, password: str, address: str, *, identity, attempts, refresh_tokens) -> Tokens:
    """Tokens for the right password, within the sign-in limit: the attempt is counted before the password is
    checked (parallel guesses cannot pass the limit), and uncounted when it was right."""
    email = email.strip().lower()
    now = clock.epoch_seconds()
    held = _count_attempt(sign_in_counters(email, address), now, attempts)
    try:
        tokens = identity.sign_in(email, password)
    except errors.Unauthenticated:
        raise  # a wrong password or an unknown email: a failure, it stays counted
    except Exception:
        _uncount(held, attempts)  # not judged wrong: unconfirmed, locked out by Cognito, Cognito failing
        raise
    _uncount(held, attempts)
    _remember(tokens, refresh_tokens)
    return tokens


def _count_attempt(counters, now: int, attempts) -> List[Tuple[Counter, int]]:
    """Take every counter, or none: a full one refuses the attempt with the wait until its window ends."""
    held: List[Tuple[Counter, int]] = []
    for counter in counters:
        taken = attempts.take(counter, now)
        if not taken.counted:
            _uncount(held, attempts)
            wait = max(1, taken.ends_at - now)
            raise errors.TooManyRequests(f"too many failed sign-ins for this email; try again in {wait} seconds",
                                         retry_after=wait)
        held.append((counter, taken.ends_at))
    return held


def _uncount(held, attempts) -> None:
    for counter, ends_at in held:
        attempts.give_back(counter, ends_at)


def _remember(tokens: Tokens, refresh_tokens) -> None:
    """Whose refresh token this is, by its hash, for as long as it may be used."""
    if tokens.refresh_token and tokens.subject:
        refresh_tokens.issued(token_digest(tokens.refresh_token), tokens.subject,
                              clock.epoch_seconds() + REFRESH_TOKEN_SECONDS)


def refresh(refresh_token: str, *, identity, refresh_tokens) -> Tokens:
    """New tokens for a refresh token; its owner is recorded again (also for one issued before owners were)."""
    tokens = identity.refresh(refresh_token)
    _remember(tokens, refresh_tokens)
    return tokens


def sign_out(refresh_token: str, user_id: str, *, identity, refresh_tokens) -> None:
    """Revoke the session's refresh token when it is the caller's own; another user's, or one the shop does not
    know, ends nothing (and says nothing). The access token ends when it expires (the authorizer is stateless)."""
    if refresh_tokens.owner(token_digest(refresh_token)) == user_id:
        identity.revoke(refresh_token)


def profile(user_id: str, groups, access_token: str, *, identity, users) -> Profile:
    """The caller's profile; a profile lost at sign-up is rebuilt from the identity provider."""
    found = users.get(user_id)
    if found is None:
        account = identity.account_of_token(access_token)
        found = users.add(Profile(user_id, account.email, account.name or account.email, clock.now_iso()))
    return found.with_groups(groups)


def rename(user_id: str, groups, name: str, access_token: str, *, identity, users) -> Profile:
    name = check_name(name)
    try:
        return users.rename(user_id, name).with_groups(groups)
    except errors.NotFound:
        profile(user_id, groups, access_token, identity=identity, users=users)
        return users.rename(user_id, name).with_groups(groups)
