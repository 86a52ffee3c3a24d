"""What the notification services need: the inbox's storage, the users' profiles and the mail service
(mypy checks the DynamoDB, SQS and SES adapters and the in-memory fakes against these)."""

from typing import List, Optional, Protocol, Tuple

from chalicelib.notifications.model import Notification
from chalicelib.users.model import Profile


class InboxRepository(Protocol):
    def add_once(self, notification: Notification) -> Notification: ...

    def get(self, user_id: str, notification_id: str) -> Optional[Notification]: ...

    def mark_emailed(self, user_id: str, notification_id: str) -> None: ...

    def mark_read(self, notification_id: str, user_id: str) -> Notification: ...

    def page_for_user(
        self, user_id: str, limit: int, after: Optional[dict]
    ) -> Tuple[List[Notification], Optional[dict]]: ...


class Profiles(Protocol):
    def get(self, user_id: str) -> Optional[Profile]: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...
