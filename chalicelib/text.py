"""What a name shown to people may hold: one rule for every name the shop stores (accounts, products); and how
a message quotes what a client sent."""

import unicodedata
from typing import Optional

from chalicelib import errors

# control (NUL, BEL, tab, newline), format (zero-width, bidi overrides, soft hyphen), lone surrogates, and
# the line and paragraph separators: invisible, or able to rearrange or break what is shown around them
_REFUSED = {
    "Cc": "a control character",
    "Cf": "a format character",
    "Cs": "a surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def unprintable(text: str) -> Optional[str]:
    """What is wrong with the first character that may not appear in a name, or None when there is none."""
    for position, char in enumerate(text):
        kind = _REFUSED.get(unicodedata.category(char))
        if kind:
            return f"{kind} (U+{ord(char):04X}) at position {position + 1}"
    return None


def require_printable(field: str, value: str) -> str:
    """The value when it holds no control or format character; else a 400 naming the field."""
    wrong = unprintable(value)
    if wrong:
        raise errors.InvalidInput(f"field `{field}`: must not contain {wrong}")
    return value


def require_text(field: str, value: str) -> str:
    """Free text (a description): lines and tabs are fine, other control characters and lone surrogates not
    (format characters are: emoji sequences need them)."""
    for position, char in enumerate(value):
        if unicodedata.category(char) in ("Cc", "Cs") and char not in "\t\n\r":
            raise errors.InvalidInput(
                f"field `{field}`: must not contain {_REFUSED[unicodedata.category(char)]} "
                f"(U+{ord(char):04X}) at position {position + 1}"
            )
    return value


QUOTE_LIMIT = 100


def quoted(value: str, limit: int = QUOTE_LIMIT) -> str:
    """Client input as an error message quotes it: in backticks, at most `limit` characters of it (a 60,000
    character id is not echoed back whole), saying how long it really was."""
    if len(value) <= limit:
        return f"`{value}`"
    return f"`{value[:limit]}`... ({len(value)} characters)"
