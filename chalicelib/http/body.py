"""Request bodies: the media type a body must declare, and JSON decoding that refuses what parsers disagree on.

msgspec decodes straight into the route's model (fast, and its errors name the field). Like most parsers it keeps
the last of a key given twice, where others keep the first: a body whose meaning depends on the parser reading it
is a known smuggling path, so a key given twice is refused. msgspec cannot tell, so objects are read once more as
pairs by the standard library's C scanner, only when the body has room for two keys (`make bench` shows the cost).
"""

import json
from typing import Any, List, Mapping, Optional, Tuple

import msgspec

from chalicelib import errors, text

MAX_BODY_BYTES = 64 * 1024
JSON = "application/json"
_UTF8 = ("utf-8", "utf8")


def has_body(raw: bytes, headers: Mapping[str, str]) -> bool:
    """Whether a body came: bytes arrived, `Content-Length` above 0, or a chunked transfer."""
    if raw:
        return True
    length = (headers.get("content-length") or "").strip()
    # thousands of digits: no int() needed
    if length.isascii() and length.isdigit() and length.strip("0"):
        return True
    return "chunked" in (headers.get("transfer-encoding") or "").lower()


def require_json(content_type: Optional[str]) -> None:
    """415 unless the body is declared `application/json`, in UTF-8 when a charset is named. The message never
    quotes the header (Chalice's own 415 echoed it whole)."""
    if not content_type:
        raise errors.UnsupportedMediaType(
            "a request body needs the header `Content-Type: application/json`"
        )
    media, *parameters = content_type.split(";")
    if media.strip().lower() != JSON:
        raise errors.UnsupportedMediaType("the request body must be `application/json`")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            raise errors.UnsupportedMediaType(
                "the request body must be JSON in UTF-8 (`charset=utf-8`, or none)"
            )


def within_limit(raw: bytes, limit: int) -> bytes:
    if len(raw) > limit:
        raise errors.PayloadTooLarge(f"request body is {len(raw)} bytes; the limit is {limit}")
    return raw


def decode(raw: bytes, model: Any, limit: int = MAX_BODY_BYTES) -> Any:
    """The body as the route's model: 413 over the limit, 400 for anything that is not one JSON object of the
    model's fields in UTF-8 with each key once."""
    if not within_limit(raw, limit).strip():
        raise errors.InvalidInput("request body is required (a JSON object)")
    try:
        form = msgspec.json.decode(raw, type=model)
    except msgspec.ValidationError as exc:  # a DecodeError too: first
        raise errors.InvalidInput(f"invalid request body: {_describe(exc)}") from None
    except msgspec.DecodeError as exc:
        raise errors.InvalidInput(f"request body is not valid JSON: {exc}") from None
    except UnicodeDecodeError:
        raise errors.InvalidInput("request body is not valid UTF-8") from None
    refuse_repeated_keys(raw)
    return form


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique(pairs: List[Tuple[str, Any]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Repeated(
            next(key for position, (key, _) in enumerate(pairs) if key in dict(pairs[:position]))
        )
    return found


_PAIRS = json.JSONDecoder(object_pairs_hook=_unique)


def refuse_repeated_keys(raw: bytes) -> None:
    """400 naming a key given twice in one object (`{"quantity": 1, "quantity": 99}`); `raw` is JSON that msgspec
    accepted. A body with fewer than two colons holds one key at most, and is not read again."""
    if raw.count(b":") < 2:
        return
    try:
        _PAIRS.decode(raw.decode())
    except _Repeated as exc:
        raise errors.InvalidInput(
            f"field {text.quoted(exc.key)} is given more than once in one object"
        ) from None
    except (
        ValueError,
        RecursionError,
    ):  # what msgspec accepted and the standard library does not read
        raise errors.InvalidInput("request body is not valid JSON") from None


_UNKNOWN = "Object contains unknown field `"


def _describe(exc: msgspec.ValidationError) -> str:
    """msgspec's message with the field's path first; an unknown field's name (the client's) quoted briefly."""
    message, where = str(exc), ""
    if " - at `$." in message:
        message, _, where = message.rpartition(" - at `$.")
    if message.startswith(_UNKNOWN) and message.endswith("`"):
        message = f"unknown field {text.quoted(message[len(_UNKNOWN) : -1])}"
    return f"field `{where.rstrip('`')}`: {message}" if where else message
