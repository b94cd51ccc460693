"""Contact attempts (H-R1.3): one row per mail sent, call made or reply received."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ContactAttemptRow


def add_attempt(session: Session, *, case_id: int, channel: str, direction: str, at: datetime, outcome: str,
                counts: bool, confirmed: bool, note: str, actor: str, source_key: str) -> ContactAttemptRow:
    """Record an attempt once per source (a retried step does not add a second row)."""
    existing = session.execute(select(ContactAttemptRow).where(ContactAttemptRow.source_key == source_key)
                               ).scalar_one_or_none()
    if existing is not None:
        return existing
    row = ContactAttemptRow(case_id=case_id, channel=channel, direction=direction, at=at, outcome=outcome,
                            counts=counts, confirmed=confirmed, note=note, actor=actor, source_key=source_key)
    session.add(row)
    session.flush()
    return row


def attempts_of(session: Session, case_id: int) -> list[ContactAttemptRow]:
    return list(session.execute(select(ContactAttemptRow).where(ContactAttemptRow.case_id == case_id)
                                .order_by(ContactAttemptRow.at, ContactAttemptRow.id)).scalars())


def not_delivered(session: Session, source_key: str) -> None:
    """A mail attempt whose delivery failed for good (or bounced) does not count."""
    row = session.execute(select(ContactAttemptRow).where(ContactAttemptRow.source_key == source_key)
                          ).scalar_one_or_none()
    if row is not None:
        row.counts = False
        row.outcome = "bounced"
