"""Quarantined inbound mails (issue 9 item 4): mails the reader could not store, kept raw for an
administrator. Listed on the admin page with what is safe to show (sender, subject, time, error class);
the raw bytes stay in the database, and once the cause is fixed *Behandl igen* handles the mail again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.mail import parse_reply
from domain.errors import InvalidState, NotFound
from services.mail_inbox import InboxReport, handle_reply, message_key
from services.runtime import Runtime
from store.mail import case_number_for_message_id
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


def retry_quarantined(factory: sessionmaker[Session], runtime: Runtime, *, mail_id: int, now: datetime) -> str:
    """Handle a quarantined mail again (after its cause was fixed): 'handled', or 'still_failing' with the
    error kept. A handled mail leaves the quarantine; what it became is in its case like any mail."""
    with factory() as session:
        row = session.get(InboundMailRow, mail_id)
        if row is None or row.disposition != "quarantined" or not row.raw:
            raise NotFound(f"no quarantined mail {mail_id}")
        raw = bytes(row.raw)
    try:
        with factory() as session:
            reply = parse_reply(raw, message_id_to_case=lambda mid: case_number_for_message_id(session, mid))
        handled = handle_reply(factory, runtime, reply, key=message_key(reply, raw), now=now, report=InboxReport())
    except Exception as exc:   # noqa: BLE001 - still poison: keep it quarantined, say why (no customer text)
        with factory() as session, session.begin():
            session.get(InboundMailRow, mail_id).error = f"{type(exc).__name__}: kunne ikke gemmes"[:300]
        return "still_failing"
    if not handled:
        raise InvalidState("mailen passer stadig ikke til nogen sag")
    with factory() as session, session.begin():
        session.delete(session.get(InboundMailRow, mail_id))
    return "handled"
