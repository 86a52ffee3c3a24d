"""What the shop does with the orders' events: each becomes one inbox item and one email. Built once with its
collaborators (bootstrap.py)."""

from typing import TYPE_CHECKING, List, Optional, Tuple

from chalicelib import errors
from chalicelib.notifications.model import (
    Notification,
    looks_like_notification_id,
    notification_of,
)
from chalicelib.notifications.ports import InboxRepository, Mailer, Profiles
from chalicelib.paging import PageRequest

if TYPE_CHECKING:  # the API's inbox routes never load the orders' model
    from chalicelib.orders.events import OrderEvent


class Notifications:
    def __init__(
        self, inbox: InboxRepository, users: Profiles, mailer: Mailer, currency: str
    ) -> None:
        self._inbox = inbox
        self._users = users
        self._mailer = mailer
        self._currency = currency

    def deliver(self, event: "OrderEvent") -> bool:
        """One inbox item and one email per event, however often it arrives. Returns whether it emailed now."""
        stored = self._inbox.add_once(notification_of(event, self._currency))
        if stored.emailed:
            return False
        owner = self._users.get(event.user_id)
        if owner is None:
            raise errors.NotFound(f"user {event.user_id} of order {event.order_id} has no profile")
        self._mailer.send(owner.email, stored.subject, stored.message)
        self._inbox.mark_emailed(stored.user_id, stored.id)
        return True

    def page(self, user_id: str, request: PageRequest) -> Tuple[List[Notification], Optional[dict]]:
        """A page of the user's notifications, newest first."""
        return self._inbox.page_for_user(user_id, request.limit, request.after)

    def mark_read(self, notification_id: str, user_id: str) -> Notification:
        if not looks_like_notification_id(notification_id):
            raise errors.NotFound(f"notification {notification_id} does not exist")
        return self._inbox.mark_read(notification_id, user_id)
