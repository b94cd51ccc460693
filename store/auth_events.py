"""Server-side web sessions and the sign-in audit log (issue 9): the only SQL for both."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store.models import AuthEventRow, WebSessionRow


def add_session(session: Session, *, token_hash: str, username: str, now: datetime) -> None:
    session.add(WebSessionRow(token_hash=token_hash, username=username, created_at=now, last_seen_at=now))


def session_row(session: Session, token_hash: str) -> WebSessionRow | None:
    return session.get(WebSessionRow, token_hash)


def touch_session(session: Session, token_hash: str, *, now: datetime) -> None:
    session.execute(update(WebSessionRow).where(WebSessionRow.token_hash == token_hash).values(last_seen_at=now))


def revoke_session(session: Session, token_hash: str, *, now: datetime) -> None:
    session.execute(update(WebSessionRow).where(WebSessionRow.token_hash == token_hash,
                                                WebSessionRow.revoked_at.is_(None)).values(revoked_at=now))


def revoke_sessions_of(session: Session, username: str, *, now: datetime) -> int:
    result = session.execute(update(WebSessionRow).where(WebSessionRow.username == username,
                                                         WebSessionRow.revoked_at.is_(None)).values(revoked_at=now))
    return result.rowcount


def add_event(session: Session, *, kind: str, username: str, client: str, now: datetime, detail: str = "") -> None:
    session.add(AuthEventRow(at=now, kind=kind, username=username[:64], client=client[:64], detail=detail[:200]))


def failures_since_success(session: Session, *, column: str, value: str, since: datetime) -> tuple[int, datetime | None]:
    """Failed sign-ins for one account or client address after `since` and after its last success:
    (count, time of the latest)."""
    key = getattr(AuthEventRow, column)
    last_ok = session.execute(select(func.max(AuthEventRow.at))
                              .where(key == value, AuthEventRow.kind == "sign_in_ok", AuthEventRow.at >= since)).scalar()
    start = max(since, last_ok) if last_ok is not None else since
    count, latest = session.execute(select(func.count(), func.max(AuthEventRow.at))
                                    .where(key == value, AuthEventRow.kind == "sign_in_failed",
                                           AuthEventRow.at > start if last_ok is not None else AuthEventRow.at >= start)
                                    ).one()
    return int(count), latest


def recent_events(session: Session, *, limit: int = 200) -> list[AuthEventRow]:
    return list(session.execute(select(AuthEventRow).order_by(AuthEventRow.at.desc(), AuthEventRow.id.desc())
                                .limit(limit)).scalars())
