"""The inbox in the notifications table: a user's notifications are one partition, sorted by their ids
(which start with the event's time), so a list page is one Query and a notification costs no index write."""

from typing import List, Optional, Tuple

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib import clock, errors, storage
from chalicelib.notifications.model import Notification

FIELDS = ("id", "user_id", "type", "order_id", "subject", "message", "created_at", "read")


class NotificationRecord(Model):
    class Meta:
        table_name = "notifications"

    table_setting = "notifications_table"  # the setting that names its table

    user_id = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    type = UnicodeAttribute()
    order_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    message = UnicodeAttribute()
    created_at = UnicodeAttribute()
    read = BooleanAttribute(default=False)
    emailed_at = UnicodeAttribute(null=True)


MODELS = (NotificationRecord,)


class DynamoInbox:
    def __init__(self, shared) -> None:
        self._shared = shared  # the connection its models are bound through

    def add_once(self, notification: Notification) -> Notification:
        """Write the item unless the event already has one; either way return what is stored."""
        record = NotificationRecord(**{f: getattr(notification, f) for f in FIELDS})
        if storage.unless_condition_fails(
            lambda: record.save(condition=NotificationRecord.id.does_not_exist())
        ):
            return notification
        stored = self.get(notification.user_id, notification.id)
        # nothing deletes notifications
        assert stored is not None, "an item whose write found it there exists"
        return stored

    def get(self, user_id: str, notification_id: str) -> Optional[Notification]:
        try:
            return _notification(
                NotificationRecord.get(user_id, notification_id, consistent_read=True)
            )
        except NotificationRecord.DoesNotExist:
            return None

    def mark_emailed(self, user_id: str, notification_id: str) -> None:
        NotificationRecord(user_id, notification_id).update(
            actions=[NotificationRecord.emailed_at.set(clock.now_iso())]
        )

    def mark_read(self, notification_id: str, user_id: str) -> Notification:
        record = NotificationRecord(user_id, notification_id)
        if not storage.unless_condition_fails(
            lambda: record.update(
                actions=[NotificationRecord.read.set(True)],
                condition=NotificationRecord.id.exists(),
            )
        ):
            raise errors.NotFound(f"notification {notification_id} does not exist")
        return _notification(record)

    def page_for_user(
        self, user_id: str, limit: int, after: Optional[dict]
    ) -> Tuple[List[Notification], Optional[dict]]:
        start = {"user_id": {"S": user_id}, "id": {"S": after["id"]}} if after else None
        records = list(
            NotificationRecord.query(
                user_id, scan_index_forward=False, limit=limit + 1, last_evaluated_key=start
            )
        )
        last = records[limit - 1] if len(records) > limit else None
        return [_notification(r) for r in records[:limit]], ({"id": last.id} if last else None)


def _notification(record: NotificationRecord) -> Notification:
    return Notification(**{f: getattr(record, f) for f in FIELDS}, emailed=bool(record.emailed_at))
