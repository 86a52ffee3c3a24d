"""What the shop does with order events: publish them, and turn each into one inbox item and one email. Built
once with its collaborators (bootstrap.py)."""

from typing import Iterable, List, Optional, Tuple

from chalicelib import errors
from chalicelib.notifications.model import (
    Notification,
    OrderEvent,
    event_of_change,
    looks_like_notification_id,
    notification_of,
)
from chalicelib.notifications.ports import EventQueue, InboxRepository, Mailer, Profiles
from chalicelib.paging import PageRequest

Change = Tuple[Optional[dict], Optional[dict]]


class Publisher:
    def __init__(self, queue: EventQueue) -> None:
        self._queue = queue

    def publish(self, changes: Iterable[Change]) -> List[OrderEvent]:
        """The stream is the outbox: every order status change becomes one event on the queue."""
        events = [e for e in (event_of_change(old, new) for old, new in changes) if e is not None]
        if events:
            self._queue.send(events)
        return events


class Notifications:
    def __init__(
        self, inbox: InboxRepository, users: Profiles, mailer: Mailer, currency: str
    ) -> None:
        self._inbox = inbox
        self._users = users
        self._mailer = mailer
        self._currency = currency

    def deliver(self, event: OrderEvent) -> bool:
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
