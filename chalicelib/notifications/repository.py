"""The inbox in the notifications table, keyed by event id (so a redelivered event finds its item)."""
from typing import List, Optional, Tuple

from chalicelib import clock, dynamo, errors, ids
from chalicelib.notifications.model import Notification

FIELDS = ("id", "user_id", "type", "order_id", "subject", "message", "created_at", "read")


class DynamoInbox:
    def __init__(self, client, table: str) -> None:
        self._db = client
        self._table = table

    def add_once(self, notification: Notification) -> Notification:
        """Write the item unless the event already has one; either way return what is stored."""
        values = {f: getattr(notification, f) for f in FIELDS}
        values["seq"] = ids.new_id()
        try:
            self._db.put_item(TableName=self._table, Item=dynamo.item(values),
                              ConditionExpression="attribute_not_exists(id)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except Exception as exc:
            if not dynamo.is_condition_failure(exc):
                raise
            stored = getattr(exc, "response", {}).get("Item")
            return _notification(dynamo.plain(stored)) if stored else self.get(notification.id)
        return notification

    def get(self, notification_id: str) -> Optional[Notification]:
        found = self._db.get_item(TableName=self._table, Key=dynamo.key(id=notification_id),
                                  ConsistentRead=True).get("Item")
        return _notification(dynamo.plain(found)) if found else None

    def mark_emailed(self, notification_id: str) -> None:
        self._db.update_item(TableName=self._table, Key=dynamo.key(id=notification_id),
                             UpdateExpression="SET emailed_at = :at", ExpressionAttributeValues=dynamo.values(at=clock.now_iso()))

    def mark_read(self, notification_id: str, user_id: str) -> Notification:
        try:
            answer = self._db.update_item(
                TableName=self._table, Key=dynamo.key(id=notification_id), ReturnValues="ALL_NEW",
                UpdateExpression="SET #r = :true", ConditionExpression="user_id = :me",
                ExpressionAttributeNames={"#r": "read"}, ExpressionAttributeValues=dynamo.values(true=True, me=user_id))
        except Exception as exc:
            if dynamo.is_condition_failure(exc):
                raise errors.NotFound(f"notification {notification_id} does not exist") from exc
            raise
        return _notification(dynamo.plain(answer["Attributes"]))

    def page_for_user(self, user_id: str, limit: int, after: Optional[str]) -> Tuple[List[Notification], Optional[dict]]:
        request = {"TableName": self._table, "IndexName": "by_user", "Limit": limit + 1, "ScanIndexForward": False,
                   "KeyConditionExpression": "user_id = :me", "ExpressionAttributeValues": dynamo.values(me=user_id)}
        if after:
            request["ExclusiveStartKey"] = dynamo.key(id=after["id"], user_id=user_id, seq=after["seq"])
        items = [dynamo.plain(raw) for raw in self._db.query(**request)["Items"]]
        last = items[limit - 1] if len(items) > limit else None
        return [_notification(v) for v in items[:limit]], ({"id": last["id"], "seq": last["seq"]} if last else None)


def _notification(values: dict) -> Notification:
    return Notification(**{f: values[f] for f in FIELDS}, emailed=bool(values.get("emailed_at")))
