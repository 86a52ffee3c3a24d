"""List positions as opaque cursors: signed (HMAC, key from Secrets Manager) and scoped to their list, so an
edited or foreign cursor is a 400, never a 500."""

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Dict, Optional

from chalicelib import bootstrap, errors
from chalicelib.http.request import query


def page_position(request, scope: str) -> Optional[Dict]:
    """Where the requested page of a list starts: None for the first page (no or empty `cursor`)."""
    text = query(request, "cursor")
    if not text:
        return None
    return decode(text, scope, bootstrap.services().cursor_key)


def next_cursor(scope: str, position: Optional[Dict]) -> Optional[str]:
    """The cursor of the page after this one, or None on the last page."""
    if position is None:
        return None
    return encode(scope, position, bootstrap.services().cursor_key)


def encode(scope: str, position: Dict, key: bytes) -> str:
    payload = _b64(json.dumps({"s": scope, "p": position}, separators=(",", ":")).encode())
    return f"{payload}.{_sign(payload, key)}"


_SIGNATURE_BYTES = 18  # of the HMAC-SHA256, 24 characters in base64url
# what encode writes: two base64url parts; anything else (non-ASCII above all, which hmac.compare_digest
# refuses) never reaches the signature check
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{%d}" % (_SIGNATURE_BYTES * 4 // 3))


def decode(text: Optional[str], scope: str, key: bytes) -> Optional[Dict]:
    """The position a cursor of this list points at; an edited or foreign cursor is a 400."""
    if not text:  # absent or empty: the first page
        return None
    if not _CURSOR.fullmatch(text):
        raise errors.InvalidInput("query parameter `cursor` is not a cursor this list issued")
    payload, _, signature = text.partition(".")
    if not hmac.compare_digest(signature, _sign(payload, key)):
        raise errors.InvalidInput("query parameter `cursor` is not a cursor this list issued")
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, binascii.Error) as exc:
        raise errors.InvalidInput("query parameter `cursor` is malformed") from exc
    if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("p"), dict):
        raise errors.InvalidInput("query parameter `cursor` belongs to another list")
    return data["p"]


def _sign(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
