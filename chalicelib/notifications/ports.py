"""What the notification services need: the inbox's storage, the queue and the mail service."""
from typing import List, Optional, Protocol, Tuple

from chalicelib.notifications.model import Notification, OrderEvent


class Inbox(Protocol):
    def add_once(self, notification: Notification) -> Notification: ...

    def get(self, user_id: str, notification_id: str) -> Optional[Notification]: ...

    def mark_emailed(self, user_id: str, notification_id: str) -> None: ...

    def mark_read(self, notification_id: str, user_id: str) -> Notification: ...

    def page_for_user(self, user_id: str, limit: int, after: Optional[dict]) -> Tuple[List[Notification], Optional[dict]]: ...


class EventQueue(Protocol):
    def send(self, events: List[OrderEvent]) -> None: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...
