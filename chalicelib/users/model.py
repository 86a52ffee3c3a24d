"""Shop accounts: a profile per Cognito user (id = the user's `sub`)."""
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
    strong = (len(password) >= 8 and any(c.isupper() for c in password)
              and any(c.islower() for c in password) and any(c.isdigit() for c in password))
    if not strong:
        raise errors.InvalidInput(
            "field `password`: needs at least 8 characters with an upper-case letter, a lower-case letter and a digit")
    return password
