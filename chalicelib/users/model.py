"""Shop accounts: a profile per Cognito user (id = the user's `sub`); the sign-in limit's counters; refresh tokens
known by their hash."""

import hashlib
import re
from dataclasses import dataclass, field
from typing import Tuple

from chalicelib import errors, text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254
MAX_NAME = 100
MAX_PASSWORD = 256


@dataclass(frozen=True)
class Profile:
    id: str
    email: str
    name: str
    created_at: str
    roles: Tuple[str, ...] = field(default=("customer",))

    def with_groups(self, groups: Tuple[str, ...]) -> "Profile":
        roles = ("customer", "admin") if "admin" in groups else ("customer",)
        return Profile(self.id, self.email, self.name, self.created_at, roles)


def check_email(email: str) -> str:
    email = email.strip()
    if not EMAIL.match(email) or len(email) > MAX_EMAIL:
        raise errors.InvalidInput("field `email`: not a valid email address")
    return email.lower()


def check_name(name: str) -> str:
    name = text.require_printable("name", name).strip()
    if not name:
        raise errors.InvalidInput("field `name`: must not be empty")
    if len(name) > MAX_NAME:
        raise errors.InvalidInput(f"field `name`: at most {MAX_NAME} characters")
    return name


def email_taken(email: str) -> errors.Conflict:
    return errors.Conflict(f"an account with email {text.quoted(email)} already exists")


def check_password(password: str) -> str:
    strong = (
        len(password) >= 8
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
    )
    if not strong:
        raise errors.InvalidInput(
            "field `password`: needs at least 8 characters with an upper-case letter, a lower-case letter and a digit"
        )
    return password


# The sign-in limit (contract v3): 5 failures per email from one source address, 100 per email from all of them,
# each within 15 minutes of the first; unknown emails are counted alike, so a refusal tells nothing of an account.
SIGN_IN_WINDOW_SECONDS = 15 * 60
FAILURES_PER_ADDRESS = 5
FAILURES_PER_EMAIL = 100
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600  # the pool's RefreshTokenValidity (infra/template.yaml)


@dataclass(frozen=True)
class Counter:
    """Failed attempts under one key, at most `limit` in a window of `window` seconds from the first."""

    key: str
    limit: int
    window: int = SIGN_IN_WINDOW_SECONDS


@dataclass(frozen=True)
class Taken:
    """What counting an attempt found: whether it was counted, and when the counter's window ends."""

    counted: bool
    ends_at: int


def sign_in_counters(email: str, address: str) -> Tuple[Counter, Counter]:
    """The counters an attempt for `email` from `address` takes: the address's for the email, then the email's.
    Keyed by a hash of the email compared case-insensitively (no address book in the table, one key per email)."""
    who = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]
    return (
        Counter(f"sign-in#{who}#{address}", FAILURES_PER_ADDRESS),
        Counter(f"sign-in#{who}", FAILURES_PER_EMAIL),
    )


def token_digest(token: str) -> str:
    """What the shop keeps of a refresh token: never the token, only its hash (a table read gives no session)."""
    return hashlib.sha256(token.encode()).hexdigest()
