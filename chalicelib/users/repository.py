"""Profiles in the users table."""

from typing import Optional

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib import errors, storage
from chalicelib.users.model import Profile


class UserRecord(Model):
    class Meta:
        table_name = "users"

    table_setting = "users_table"  # the setting that names its table

    id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UnicodeAttribute()


MODELS = (UserRecord,)


class DynamoUsers:
    def __init__(self, shared) -> None:
        self._shared = shared  # the connection its models are bound through

    def get(self, user_id: str) -> Optional[Profile]:
        try:
            return _profile(UserRecord.get(user_id))
        except UserRecord.DoesNotExist:
            return None

    def add(self, profile: Profile) -> Profile:
        """Write a new profile; an existing one wins (a retried sign-up keeps the first)."""
        record = UserRecord(
            profile.id, email=profile.email, name=profile.name, created_at=profile.created_at
        )
        if storage.unless_condition_fails(
            lambda: record.save(condition=UserRecord.id.does_not_exist())
        ):
            return profile
        stored = self.get(profile.id)
        # nothing deletes profiles
        assert stored is not None, "a profile whose write found it there exists"
        return stored

    def rename(self, user_id: str, name: str) -> Profile:
        record = UserRecord(user_id)
        if not storage.unless_condition_fails(
            lambda: record.update(
                actions=[UserRecord.name.set(name)], condition=UserRecord.id.exists()
            )
        ):
            raise errors.NotFound(f"user {user_id} has no profile")
        return _profile(record)


def _profile(record: UserRecord) -> Profile:
    return Profile(id=record.id, email=record.email, name=record.name, created_at=record.created_at)
