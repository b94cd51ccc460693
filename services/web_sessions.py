"""Server-side sessions and sign-in throttling (issue 9; SECURITY.md "Sessions and sign-in").

A session is a random token in the (signed, HttpOnly) cookie and a row on the server holding only
its SHA-256: it ends on sign-out, on a password change, after `idle` without a request and after
`absolute` since sign-in, whatever the cookie says; every sign-in makes a new one (no fixation).

Guessing is throttled per account and per client address, counted from the audit log: after
`free_failures` failed attempts each further attempt must wait a growing delay (1 s, 2 s, 4 s … up
to `max_delay`), after `lock_after` failures the account (or address) is locked for `lock_for` —
the right password included — and every refusal is answered 429 with the wait. Every success,
failure, lock, sign-out and revocation is an audit event an administrator reads on /admin/audit.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from domain.errors import SagsflowError
from store.auth_events import (add_event, add_session, failures_since_success, revoke_session, revoke_sessions_of,
                               session_row, touch_session)

TOUCH_EVERY = timedelta(seconds=60)   # last_seen_at is written at most once a minute per session


class TooManyAttempts(SagsflowError):
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=10)


@dataclass(frozen=True)
class ThrottleRule:
    free_failures: int
    lock_after: int
    base_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(seconds=60)
    lock_for: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)


ACCOUNT_RULE = ThrottleRule(free_failures=3, lock_after=10)
CLIENT_RULE = ThrottleRule(free_failures=10, lock_after=50)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, *, username: str, client: str, now: datetime) -> str:
    """A new session after a successful sign-in; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    add_session(session, token_hash=token_hash(token), username=username, now=now)
    add_event(session, kind="sign_in_ok", username=username, client=client, now=now)
    return token


def session_user(session: Session, token: str | None, *, now: datetime, policy: SessionPolicy = SessionPolicy()
                 ) -> str | None:
    """The username of a live session, or None (unknown, revoked, idle or too old)."""
    if not token:
        return None
    row = session_row(session, token_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    if now - row.last_seen_at > policy.idle or now - row.created_at > policy.absolute:
        revoke_session(session, row.token_hash, now=now)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        touch_session(session, row.token_hash, now=now)
    return row.username


def end_session(session: Session, token: str | None, *, username: str, client: str, now: datetime) -> None:
    if token:
        revoke_session(session, token_hash(token), now=now)
    add_event(session, kind="sign_out", username=username, client=client, now=now)


def revoke_all(session: Session, *, username: str, now: datetime, reason: str) -> int:
    count = revoke_sessions_of(session, username, now=now)
    add_event(session, kind="sessions_revoked", username=username, client="-", now=now, detail=reason)
    return count


def check_throttle(session: Session, *, username: str, client: str, now: datetime) -> None:
    """Raise TooManyAttempts while this account or address must wait or is locked."""
    for column, value, rule, what in (("username", username, ACCOUNT_RULE, "brugernavnet"),
                                      ("client", client, CLIENT_RULE, "din adresse")):
        if not value:
            continue
        failures, latest = failures_since_success(session, column=column, value=value, since=now - rule.window)
        wait = _wait(rule, failures, latest, now)
        if wait > 0:
            locked = failures >= rule.lock_after
            message = (f"For mange forkerte forsøg fra {what}: log ind er spærret i {_minutes(wait)}."
                       if locked else f"For mange forkerte forsøg. Vent {wait} sekunder, og prøv igen.")
            raise TooManyAttempts(message, wait)


def record_failure(session: Session, *, username: str, client: str, now: datetime) -> None:
    add_event(session, kind="sign_in_failed", username=username, client=client, now=now)
    session.flush()
    failures, _ = failures_since_success(session, column="username", value=username, since=now - ACCOUNT_RULE.window)
    if failures == ACCOUNT_RULE.lock_after:
        add_event(session, kind="locked", username=username, client=client, now=now,
                  detail=f"spærret i {int(ACCOUNT_RULE.lock_for.total_seconds() // 60)} minutter")


def _wait(rule: ThrottleRule, failures: int, latest: datetime | None, now: datetime) -> int:
    if latest is None or failures < rule.free_failures:
        return 0
    if failures >= rule.lock_after:
        until = latest + rule.lock_for
    else:
        delay = min(rule.base_delay * (2 ** (failures - rule.free_failures)), rule.max_delay)
        until = latest + delay
    remaining = (until - now).total_seconds()
    return max(0, int(remaining + 0.999))


def _minutes(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return "1 minut" if minutes == 1 else f"{minutes} minutter"
