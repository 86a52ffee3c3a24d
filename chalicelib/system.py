"""Health and the API's own description."""

import functools
from typing import Any, Literal

import msgspec
from chalice import Blueprint, Response

from chalicelib import bootstrap, settings
from chalicelib.http import responses
from chalicelib.http.routing import route

bp = Blueprint(__name__)


class HealthOut(msgspec.Struct):
    status: Literal["ok", "unavailable"]


@route(
    bp,
    "/health",
    "GET",
    "Whether the shop's tables answer",
    public=True,
    response=HealthOut,
    errors=(503,),
    needs=("dynamodb:DescribeTable:users,products,carts,orders,notifications,sessions",),
)
def health(request):
    if tables_answer():
        return responses.answer(HealthOut("ok"))
    return responses.answer(HealthOut("unavailable"), status=503, headers={"Retry-After": "5"})


_USABLE = {"ACTIVE", "UPDATING"}  # UPDATING tables serve reads and writes


def tables_answer() -> bool:
    """DescribeTable on every table: no item read (a health check needs no data access), and a missing,
    unreachable or still-creating table fails it."""
    config = settings.get()
    tables = (
        config.users_table,
        config.products_table,
        config.carts_table,
        config.orders_table,
        config.notifications_table,
        config.sessions_table,
    )
    try:
        return all(
            dynamodb().describe_table(TableName=t)["Table"]["TableStatus"] in _USABLE
            for t in tables
        )
    except Exception:
        return False


def dynamodb() -> Any:
    """The blueprint's DynamoDB client (botocore's), made once per container by the composition root."""
    return bootstrap.services().dynamodb


@route(bp, "/openapi.json", "GET", "This document", public=True)
def openapi(request):
    return Response(body=_document(), status_code=200, headers={"Content-Type": "application/json"})


@functools.lru_cache(maxsize=1)
def _document() -> str:
    from chalicelib import openapi as builder

    return builder.document(bp.current_app)
