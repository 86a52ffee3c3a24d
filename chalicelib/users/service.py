"""What the shop does with accounts, built once with its collaborators (bootstrap.py)."""

from dataclasses import dataclass
from typing import Iterable, List, Tuple

from chalicelib import clock, errors
from chalicelib.users.identity import Tokens
from chalicelib.users.model import (
    REFRESH_TOKEN_SECONDS,
    Counter,
    Profile,
    check_email,
    check_name,
    check_password,
    email_taken,
    sign_in_counters,
    token_digest,
)
from chalicelib.users.ports import Identity, RefreshTokens, SignInAttempts, Users


@dataclass(frozen=True)
class Session:
    """A signed-in caller: the verified user, their groups, and the access token they presented."""

    user_id: str
    groups: Tuple[str, ...]
    access_token: str


class Accounts:
    def __init__(
        self,
        identity: Identity,
        users: Users,
        attempts: SignInAttempts,
        refresh_tokens: RefreshTokens,
        *,
        auto_confirm: bool,
    ) -> None:
        self._identity = identity
        self._users = users
        self._attempts = attempts
        self._refresh_tokens = refresh_tokens
        self._auto_confirm = auto_confirm

    def register(self, email: str, password: str, name: str) -> Profile:
        """Create the identity, confirm it where the stage auto-confirms, and write the profile."""
        email, name, password = check_email(email), check_name(name), check_password(password)
        try:
            user_id = self._identity.sign_up(email, password, name)
        except errors.Conflict:
            return self._finish_interrupted_registration(email, password, name)
        if self._auto_confirm:
            self._identity.confirm_now(email)
        return self._users.add(Profile(user_id, email, name, clock.now_iso()))

    def _finish_interrupted_registration(self, email: str, password: str, name: str) -> Profile:
        """A sign-up whose profile write was lost: the same password proves it is the same person."""
        account = self._identity.account(email)
        if account is None or self._users.get(account.id) is not None:
            raise email_taken(email)
        try:
            self._identity.sign_in(email, password)
        except errors.Forbidden:  # not confirmed yet, but the password was right
            if self._auto_confirm:
                self._identity.confirm_now(email)
        except errors.ShopError as exc:
            raise email_taken(email) from exc
        return self._users.add(Profile(account.id, email, account.name or name, clock.now_iso()))

    def confirm(self, email: str, code: str) -> None:
        """Confirm a sign-up with the code Cognito emailed."""
        self._identity.confirm_with_code(check_email(email), code)

    def sign_in(self, email: str, password: str, address: str) -> Tokens:
        """Tokens for the right password, within the sign-in limit: the attempt is counted before the password is
        checked (parallel guesses cannot pass the limit), and uncounted when it was right."""
        email = email.strip().lower()
        held = self._count_attempt(sign_in_counters(email, address), clock.epoch_seconds())
        try:
            tokens = self._identity.sign_in(email, password)
        except errors.Unauthenticated:
            raise  # a wrong password or an unknown email: a failure, it stays counted
        except Exception:
            # not judged wrong: unconfirmed, locked out by Cognito, Cognito failing
            self._uncount(held)
            raise
        self._uncount(held)
        self._remember(tokens)
        return tokens

    def _count_attempt(self, counters: Iterable[Counter], now: int) -> List[Tuple[Counter, int]]:
        """Take every counter, or none: a full one refuses the attempt with the wait until its window ends."""
        held: List[Tuple[Counter, int]] = []
        for counter in counters:
            taken = self._attempts.take(counter, now)
            if not taken.counted:
                self._uncount(held)
                wait = max(1, taken.ends_at - now)
                raise errors.TooManyRequests(
                    f"too many failed sign-ins for this email; try again in {wait} seconds",
                    retry_after=wait,
                )
            held.append((counter, taken.ends_at))
        return held

    def _uncount(self, held: List[Tuple[Counter, int]]) -> None:
        for counter, ends_at in held:
            self._attempts.give_back(counter, ends_at)

    def _remember(self, tokens: Tokens) -> None:
        """Whose refresh token this is, by its hash, for as long as it may be used."""
        if tokens.refresh_token and tokens.subject:
            self._refresh_tokens.issued(
                token_digest(tokens.refresh_token),
                tokens.subject,
                clock.epoch_seconds() + REFRESH_TOKEN_SECONDS,
            )

    def refresh(self, refresh_token: str) -> Tokens:
        """New tokens for a refresh token; its owner is recorded again (also for one issued before owners were)."""
        tokens = self._identity.refresh(refresh_token)
        self._remember(tokens)
        return tokens

    def sign_out(self, refresh_token: str, user_id: str) -> None:
        """Revoke the session's refresh token when it is the caller's own; another user's, or one the shop does not
        know, ends nothing (and says nothing). The access token ends when it expires (the authorizer is stateless)."""
        if self._refresh_tokens.owner(token_digest(refresh_token)) == user_id:
            self._identity.revoke(refresh_token)

    def profile(self, session: Session) -> Profile:
        """The caller's profile; a profile lost at sign-up is rebuilt from the identity provider."""
        found = self._users.get(session.user_id)
        if found is None:
            account = self._identity.account_of_token(session.access_token)
            found = self._users.add(
                Profile(
                    session.user_id, account.email, account.name or account.email, clock.now_iso()
                )
            )
        return found.with_groups(session.groups)

    def rename(self, session: Session, name: str) -> Profile:
        name = check_name(name)
        try:
            return self._users.rename(session.user_id, name).with_groups(session.groups)
        except errors.NotFound:
            self.profile(session)
            return self._users.rename(session.user_id, name).with_groups(session.groups)
