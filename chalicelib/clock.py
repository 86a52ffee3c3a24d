"""Time is UTC, written ISO 8601 with a Z."""

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(now())


def epoch_seconds() -> int:
    """Seconds since 1970 (DynamoDB's TTL attributes and the windows that expire with them)."""
    return int(now().timestamp())
