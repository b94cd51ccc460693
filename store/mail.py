"""Mail bookkeeping (H-R1.3, H-R1.4, H-D1): the Message-ID of every sent mail (stored before it is
sent), lookups Message-ID → case number for threading replies, and the inbound mails already handled."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.models import CaseRow, InboundMailRow, OutboxRow


def set_message_id(session: Session, *, outbox_id: int, message_id: str) -> None:
    session.execute(update(OutboxRow).where(OutboxRow.id == outbox_id).values(message_id=message_id))


def case_number_for_message_id(session: Session, message_id: str) -> str | None:
    """The case a mail we sent belongs to, by its Message-ID (with angle brackets)."""
    query = (select(CaseRow.number).join(OutboxRow, OutboxRow.case_id == CaseRow.id)
             .where(OutboxRow.message_id == message_id).limit(1))
    return session.execute(query).scalar_one_or_none()


def outbox_key_for_message_id(session: Session, message_id: str) -> str | None:
    """The idempotency key of the outbox item sent with this Message-ID (the contact attempt's source)."""
    query = select(OutboxRow.idempotency_key).where(OutboxRow.message_id == message_id).limit(1)
    return session.execute(query).scalar_one_or_none()


def inbound_seen(session: Session, message_key: str) -> bool:
    query = select(InboundMailRow.id).where(InboundMailRow.message_key == message_key)
    return session.execute(query).first() is not None


def record_inbound(session: Session, *, message_key: str, case_id: int | None, disposition: str,
                   now: datetime) -> InboundMailRow:
    row = InboundMailRow(message_key=message_key, case_id=case_id, disposition=disposition, received_at=now)
    session.add(row)
    session.flush()
    return row
