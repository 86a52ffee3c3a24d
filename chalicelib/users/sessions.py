"""The sessions table (infra/template.yaml): failed sign-ins counted per key, and the owner of each refresh token
the shop issued, known by the token's hash. Every item expires (TTL on `expires_at`), and every count is one
conditional write, so concurrent attempts never slip past a limit."""

from typing import Optional

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib import storage
from chalicelib.users.model import Counter, Taken

ATTEMPTS_TO_COUNT = (
    3  # the item may expire, be deleted or restart between a refusal and the read that explains it
)


class SessionRecord(Model):
    class Meta:
        table_name = "sessions"

    table_setting = "sessions_table"  # the setting that names its table

    # sign-in#<email hash>[#<address>], or refresh#<token hash>
    id = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(null=True)  # failures within the window (a counter)
    subject = UnicodeAttribute(null=True)  # the user a refresh token was issued to
    # epoch seconds: the window's end, or the token's; TTL deletes the item later
    expires_at = NumberAttribute()


MODELS = (SessionRecord,)


class DynamoSignInAttempts:
    def __init__(self, shared) -> None:
        self._shared = shared  # the connection its model is bound through

    def take(self, counter: Counter, now: int) -> Taken:
        """Count one attempt, unless the counter's window is full: one conditional write when the window is open
        (or none was), two more when a window ended but TTL has not yet deleted its item."""
        for _ in range(ATTEMPTS_TO_COUNT):
            record = SessionRecord(counter.key)
            if storage.unless_condition_fails(
                lambda: record.update(
                    actions=[
                        SessionRecord.failures.add(1),
                        SessionRecord.expires_at.set(
                            SessionRecord.expires_at | now + counter.window
                        ),
                    ],
                    condition=SessionRecord.id.does_not_exist()
                    | ((SessionRecord.expires_at > now) & (SessionRecord.failures < counter.limit)),
                )
            ):
                return Taken(True, int(record.expires_at))
            current = self._current(counter.key)
            if (
                current is not None
                and current.expires_at > now
                and (current.failures or 0) >= counter.limit
            ):
                return Taken(False, int(current.expires_at))
            if (
                current is not None
                and current.expires_at <= now
                and self._restart(current, counter, now)
            ):
                return Taken(True, now + counter.window)
        # it keeps changing under concurrent attempts: refuse this one briefly
        return Taken(False, now + 1)

    def give_back(self, counter: Counter, ends_at: int) -> None:
        """Uncount an attempt that turned out not to be a failure (the password was right), in its own window."""
        record = SessionRecord(counter.key)
        storage.unless_condition_fails(
            lambda: record.update(
                actions=[SessionRecord.failures.add(-1)],
                condition=(SessionRecord.expires_at == ends_at) & (SessionRecord.failures > 0),
            )
        )

    def _current(self, key: str) -> Optional[SessionRecord]:
        try:
            return SessionRecord.get(key, consistent_read=True)
        except SessionRecord.DoesNotExist:
            return None

    def _restart(self, ended: SessionRecord, counter: Counter, now: int) -> bool:
        """A new window counting this attempt, in place of the one that ended (unless another attempt did it)."""
        record = SessionRecord(counter.key)
        return storage.unless_condition_fails(
            lambda: record.update(
                actions=[
                    SessionRecord.failures.set(1),
                    SessionRecord.expires_at.set(now + counter.window),
                ],
                condition=SessionRecord.expires_at == ended.expires_at,
            )
        )


class DynamoRefreshTokens:
    def __init__(self, shared) -> None:
        self._shared = shared

    def issued(self, digest: str, subject: str, expires_at: int) -> None:
        SessionRecord(f"refresh#{digest}", subject=subject, expires_at=expires_at).save()

    def owner(self, digest: str) -> Optional[str]:
        # consistent: a sign-out right after sign-in must see the owner that sign-in just wrote
        try:
            return SessionRecord.get(f"refresh#{digest}", consistent_read=True).subject
        except SessionRecord.DoesNotExist:
            return None
