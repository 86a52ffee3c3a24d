"""What the shop does with accounts, built once with its collaborators (bootstrap.py)."""
from dataclasses import dataclass
from typing import Tuple

from chalicelib import clock, errors
from chalicelib.users.identity import Tokens
from chalicelib.users.model import Profile, check_email, check_name, check_password
from chalicelib.users.ports import Identity, Users


@dataclass(frozen=True)
class Session:
    """A signed-in caller: the verified user, their groups, and the access token they presented."""
    user_id: str
    groups: Tuple[str, ...]
    access_token: str


class Accounts:
    def __init__(self, identity: Identity, users: Users, *, auto_confirm: bool) -> None:
        self._identity = identity
        self._users = users
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
            raise errors.Conflict(f"an account with email {email} already exists")
        try:
            self._identity.sign_in(email, password)
        except errors.Forbidden:  # not confirmed yet, but the password was right
            if self._auto_confirm:
                self._identity.confirm_now(email)
        except errors.ShopError as exc:
            raise errors.Conflict(f"an account with email {email} already exists") from exc
        return self._users.add(Profile(account.id, email, account.name or name, clock.now_iso()))

    def confirm(self, email: str, code: str) -> None:
        """Confirm a sign-up with the code Cognito emailed."""
        self._identity.confirm_with_code(check_email(email), code)

    def sign_in(self, email: str, password: str) -> Tokens:
        return self._identity.sign_in(email.strip().lower(), password)

    def refresh(self, refresh_token: str) -> Tokens:
        return self._identity.refresh(refresh_token)

    def sign_out(self, refresh_token: str) -> None:
        """Revoke the session's refresh token; its access token ends when it expires (the authorizer is stateless)."""
        self._identity.revoke(refresh_token)

    def profile(self, session: Session) -> Profile:
        """The caller's profile; a profile lost at sign-up is rebuilt from the identity provider."""
        found = self._users.get(session.user_id)
        if found is None:
            account = self._identity.account_of_token(session.access_token)
            found = self._users.add(Profile(session.user_id, account.email, account.name or account.email,
                                            clock.now_iso()))
        return found.with_groups(session.groups)

    def rename(self, session: Session, name: str) -> Profile:
        name = check_name(name)
        try:
            return self._users.rename(session.user_id, name).with_groups(session.groups)
        except errors.NotFound:
            self.profile(session)
            return self._users.rename(session.user_id, name).with_groups(session.groups)
