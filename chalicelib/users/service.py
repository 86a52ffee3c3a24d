"""What the shop does with accounts."""
from chalicelib import clock, errors
from chalicelib.users.identity import Tokens
from chalicelib.users.model import Profile, check_email, check_name, check_password, email_taken


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


def sign_in(email: str, password: str, *, identity) -> Tokens:
    return identity.sign_in(email.strip().lower(), password)


def refresh(refresh_token: str, *, identity) -> Tokens:
    return identity.refresh(refresh_token)


def sign_out(refresh_token: str, *, identity) -> None:
    """Revoke the session's refresh token; its access token ends when it expires (the authorizer is stateless)."""
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
