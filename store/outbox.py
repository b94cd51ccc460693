"""The outbox: side effects (mail, calls, Remedy writes, notifications) written in the same
transaction as the state change that caused them; a dispatcher delivers them later, once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.models import OutboxRow


def enqueue(session: Session, *, key: str, kind: str, case_id: int | None, payload: dict,
            now: datetime) -> OutboxRow:
    """Queue one side effect; the idempotency key makes a repeated enqueue a no-op."""
    for pending in session.new:   # queued earlier in this transaction, not yet flushed
        if isinstance(pending, OutboxRow) and pending.idempotency_key == key:
            return pending
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):   # one statement: insert unless the key is there (issue 15)
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        with session.no_autoflush:   # as before: other pending objects are not flushed half-built
            row = session.execute(insert(OutboxRow).values(
                idempotency_key=key, kind=kind, case_id=case_id, payload=payload, status="pending", attempts=0,
                next_attempt_at=now, created_at=now).on_conflict_do_nothing(index_elements=["idempotency_key"])
                .returning(OutboxRow)).scalar_one_or_none()
        if row is not None:
            return row
    with session.no_autoflush:
        existing = session.execute(select(OutboxRow).where(OutboxRow.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    row = OutboxRow(idempotency_key=key, kind=kind, case_id=case_id, payload=payload, status="pending",
                    attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    return row


def outbox_for(session: Session, case_id: int) -> list[OutboxRow]:
    return list(session.execute(select(OutboxRow).where(OutboxRow.case_id == case_id)
                                .order_by(OutboxRow.id)).scalars())


def due_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Pending items whose time has come, and 'sending' items whose lease ran out (a crashed worker)."""
    query = (select(OutboxRow.id)
             .where(((OutboxRow.status == "pending") | (OutboxRow.status == "sending"))
                    & (OutboxRow.next_attempt_at <= now))
             .order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(limit))
    return list(session.execute(query).scalars())


def claim(session: Session, item_id: int, *, now: datetime, lease_until: datetime,
          max_attempts: int | None = None) -> bool:
    """Atomically take one item (works on SQLite and PostgreSQL): exactly one worker wins; an item
    that has used `max_attempts` is never taken again."""
    limit = () if max_attempts is None else (OutboxRow.attempts < max_attempts,)
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == item_id,
               ((OutboxRow.status == "pending") | (OutboxRow.status == "sending")),
               OutboxRow.next_attempt_at <= now, *limit)
        .values(status="sending", next_attempt_at=lease_until, attempts=OutboxRow.attempts + 1))
    return result.rowcount == 1


def dead_letters(session: Session, limit: int = 200) -> list[OutboxRow]:
    return list(session.execute(select(OutboxRow).where(OutboxRow.status == "dead")
                                .order_by(OutboxRow.id.desc()).limit(limit)).scalars())
