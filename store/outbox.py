"""The outbox: side effects (mail, calls, Remedy writes, notifications) written in the same
transaction as the state change that caused them; a dispatcher delivers them later, once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import OutboxRow


def enqueue(session: Session, *, key: str, kind: str, case_id: int | None, payload: dict,
            now: datetime) -> OutboxRow:
    """Queue one side effect; the idempotency key makes a repeated enqueue a no-op."""
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
