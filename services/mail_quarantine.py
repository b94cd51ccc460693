"""Quarantined inbound mails (issue 9 item 4): mails the reader could not store, kept raw for an
administrator. Listed on the admin page with what is safe to show (sender, subject, time, error class);
the raw bytes stay in the database for an administrator to inspect."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import CaseRow, InboundMailRow


@dataclass(frozen=True)
class QuarantinedMail:
    id: int
    received_at: datetime
    from_address: str
    subject: str
    case_number: str | None
    error: str
    size: int


def quarantined_mails(session: Session, limit: int = 200) -> list[QuarantinedMail]:
    query = (select(InboundMailRow, CaseRow.number).outerjoin(CaseRow, CaseRow.id == InboundMailRow.case_id)
             .where(InboundMailRow.disposition == "quarantined").order_by(InboundMailRow.id.desc()).limit(limit))
    return [QuarantinedMail(row.id, row.received_at, row.from_address or "", row.subject or "", number,
                            row.error or "", len(row.raw or b"")) for row, number in session.execute(query)]


def quarantine_count(session: Session) -> int:
    query = select(func.count(InboundMailRow.id)).where(InboundMailRow.disposition == "quarantined")
    return session.execute(query).scalar_one()
