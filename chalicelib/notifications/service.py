"""What the shop does with order events: publish them, and turn each into one inbox item and one email."""
from typing import Iterable, List, Optional, Tuple

from chalicelib import errors
from chalicelib.notifications.model import (Notification, OrderEvent, event_of_change, looks_like_notification_id,
                                             notification_of)


def publish_order_events(changes: Iterable[Tuple[Optional[dict], Optional[dict]]], *, queue) -> List[OrderEvent]:
    """The stream is the outbox: every order status change becomes one event on the queue."""
    events = [e for e in (event_of_change(old, new) for old, new in changes) if e is not None]
    if events:
        queue.send(events)
    return events


def deliver(event: OrderEvent, *, inbox, users, mailer, currency: str) -> bool:
    """One inbox item and one email per event, however often it arrives. Returns whether it emailed now."""
    stored = inbox.add_once(notification_of(event, currency))
    if stored.emailed:
        return False
    owner = users.get(event.user_id)
    if owner is None:
        raise errors.NotFound(f"user {event.user_id} of order {event.order_id} has no profile")
    mailer.send(owner.email, stored.subject, stored.message)
    inbox.mark_emailed(stored.user_id, stored.id)
    return True


def list_notifications(user_id: str, limit: int, after, *, inbox):
    return inbox.page_for_user(user_id, limit, after)


def mark_read(notification_id: str, user_id: str, *, inbox) -> Notification:
    if not looks_like_notification_id(notification_id):
        raise errors.NotFound(f"notification {notification_id} does not exist")
    return inbox.mark_read(notification_id, user_id)
