"""The inbox: the caller's notifications, newest first."""
from typing import List, Optional

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap, web
from chalicelib.notifications import service

bp = Blueprint(__name__)


class NotificationOut(msgspec.Struct):
    id: str
    type: str
    order_id: str
    subject: str
    message: str
    created_at: str
    read: bool


class NotificationPage(msgspec.Struct):
    items: List[NotificationOut]
    next_cursor: Optional[str]


@web.route(bp, "/notifications", "GET", "The caller's notifications, newest first", response=NotificationPage,
           errors=(400,), query=(("limit", "limit"), ("cursor", "cursor")),
           needs=("dynamodb:Query:notifications", "secretsmanager:GetSecretValue"))
def list_notifications(request):
    who = web.caller(request)
    scope = f"notifications:{who.user_id}"
    items, after = service.list_notifications(who.user_id, web.limit(request), web.page_position(request, scope),
                                              inbox=_inbox())
    return web.answer(NotificationPage([_out(n) for n in items], web.next_cursor(scope, after)))


@web.route(bp, "/notifications/{notification_id}/read", "POST", "Mark one of the caller's notifications read",
           response=NotificationOut, errors=(404,), needs=("dynamodb:UpdateItem:notifications",))
def mark_read(request, notification_id):
    who = web.caller(request)
    return web.answer(_out(service.mark_read(notification_id, who.user_id, inbox=_inbox())))


def _inbox():
    return bootstrap.repository("inbox")


def _out(n) -> NotificationOut:
    return NotificationOut(n.id, n.type, n.order_id, n.subject, n.message, n.created_at, n.read)
