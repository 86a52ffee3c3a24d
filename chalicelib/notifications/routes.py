"""The inbox: the caller's notifications, newest first."""

from typing import List, Optional

import msgspec
from chalice import Blueprint

from chalicelib import bootstrap
from chalicelib.http import cursors, responses
from chalicelib.http import request as parse
from chalicelib.http.routing import route
from chalicelib.http.request import Caller
from chalicelib.notifications.service import Notifications
from chalicelib.paging import PageRequest

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


@route(
    bp,
    "/notifications",
    "GET",
    "The caller's notifications, newest first",
    response=NotificationPage,
    errors=(400,),
    query=(("limit", "limit"), ("cursor", "cursor")),
    needs=("dynamodb:Query:notifications", "secretsmanager:GetSecretValue:cursor-key"),
)
def list_notifications(request, caller: Caller):
    scope = f"notifications:{caller.user_id}"
    page = PageRequest(parse.limit(request), cursors.page_position(request, scope))
    items, after = notifications().page(caller.user_id, page)
    return responses.answer(
        NotificationPage([_out(n) for n in items], cursors.next_cursor(scope, after))
    )


@route(
    bp,
    "/notifications/{notification_id}/read",
    "POST",
    "Mark one of the caller's notifications read",
    response=NotificationOut,
    errors=(404,),
    needs=("dynamodb:UpdateItem:notifications",),
)
def mark_read(request, notification_id: str, caller: Caller):
    return responses.answer(_out(notifications().mark_read(notification_id, caller.user_id)))


def notifications() -> Notifications:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().notifications


def _out(n) -> NotificationOut:
    return NotificationOut(n.id, n.type, n.order_id, n.subject, n.message, n.created_at, n.read)
