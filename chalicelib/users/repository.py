"""Profiles in the users table."""
from typing import Optional

from chalicelib import dynamo, errors
from chalicelib.users.model import Profile


class DynamoUsers:
    def __init__(self, client, table: str) -> None:
        self._db = client
        self._table = table

    def get(self, user_id: str) -> Optional[Profile]:
        found = self._db.get_item(TableName=self._table, Key=dynamo.key(id=user_id)).get("Item")
        return _profile(dynamo.plain(found)) if found else None

    def add(self, profile: Profile) -> Profile:
        """Write a new profile; an existing one wins (a retried sign-up keeps the first)."""
        values = {"id": profile.id, "email": profile.email, "name": profile.name, "created_at": profile.created_at}
        try:
            self._db.put_item(TableName=self._table, Item=dynamo.item(values),
                              ConditionExpression="attribute_not_exists(id)")
        except Exception as exc:
            if not dynamo.is_condition_failure(exc):
                raise
            return self.get(profile.id)
        return profile

    def rename(self, user_id: str, name: str) -> Profile:
        try:
            updated = self._db.update_item(
                TableName=self._table, Key=dynamo.key(id=user_id), UpdateExpression="SET #n = :name",
                ConditionExpression="attribute_exists(id)", ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues=dynamo.values(name=name), ReturnValues="ALL_NEW")
        except Exception as exc:
            if dynamo.is_condition_failure(exc):
                raise errors.NotFound(f"user {user_id} has no profile") from exc
            raise
        return _profile(dynamo.plain(updated["Attributes"]))


def _profile(values: dict) -> Profile:
    return Profile(id=values["id"], email=values["email"], name=values["name"], created_at=values["created_at"])
