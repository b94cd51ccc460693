"""The outbox: side effects (mail, calls, Remedy writes, notifications) written in the same
transaction as the state change that caused them; a dispatcher delivers them later, once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from store.insert_once import SUPPORTED, insert_or_skip
from store.models import OutboxRow


def enqueue(session: Session, *, key: str, kind: str, case_id: int | None, payload: dict,
            now: datetime) -> OutboxRow:
    """Queue one side effect; the idempotency key makes a repeated enqueue a no-op."""
    for pending in session.new:   # queued earlier in this transaction, not yet flushed
        if isinstance(pending, OutboxRow) and pending.idempotency_key == key:
            return pending
    dialect = session.get_bind().dialect.name
    if dialect in SUPPORTED:   # one statement: insert unless the key is there (issue 15)
        values = {"idempotency_key": key, "kind": kind, "case_id": case_id, "payload": payload, "now": now}
        # Core, not the ORM's bulk INSERT … RETURNING: ~0.08 instead of ~0.28 ms CPU per item (the SLA
        # sweep queues one per breach); the row joins the session as persistent, as the ORM's would
        new_id = session.connection().execute(_insert_unless_queued(dialect), values).scalar_one_or_none()
        if new_id is not None:
            row = OutboxRow(id=new_id, idempotency_key=key, kind=kind, case_id=case_id, payload=payload,
                            status="pending", attempts=0, next_attempt_at=now, created_at=now, last_error=None,
                            sent_at=None, message_id=None)
            make_transient_to_detached(row)
            session.add(row)
            return row
    with session.no_autoflush:
        existing = session.execute(select(OutboxRow).where(OutboxRow.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    row = OutboxRow(idempotency_key=key, kind=kind, case_id=case_id, payload=payload, status="pending",
                    attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    return row


def _insert_unless_queued(dialect: str):
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id."""
    return insert_or_skip(dialect, OutboxRow.__table__, unique=("idempotency_key",), returning=("id",),
                          binds={"idempotency_key": "idempotency_key", "kind": "kind", "case_id": "case_id",
                                 "payload": "payload", "next_attempt_at": "now", "created_at": "now"},
                          constants={"status": "pending", "attempts": 0})


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
