"""The conversation with the customer on a case (issue 13; H-D3 ongoing communication, H-R1.1 Work Info).

- *Skriv til kunden*: a person who works the case writes a mail; it is queued in the outbox (same
  transaction) to every address the case has, threaded under the latest mail of the case, with the
  case's subject tag and reply token, the Danish template and the writer's signature, and recorded as
  public Work Info;
- notes with a chosen Work Log Type, internal or public;
- the conversation: the process's own customer mails and the written ones, and every inbound mail
  (verified, unverified, accepted, rejected, automatic), as one list in time order.
Service functions: the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.handbook import handbook
from connectors.mail import MailError, compose
from domain.errors import FormInvalid
from domain.text import clean_line, clean_text
from services.case_access import require_work
from services.cases import get_case
from services.transports import CUSTOMER_TEMPLATES, CaseFacts, mail_context
from store.cases import add_work_info
from store.directory import DbDirectory
from store.models import CaseRow, InboundMailRow, OutboxRow
from store.outbox import enqueue

INBOUND_LABELS = {"delivered": "Kundens svar – leveret til sagens forløb", "recorded": "Kundens svar",
                  "accepted": "Godkendt som kundens svar", "unverified": "Ubekræftet afsender – afventer vurdering",
                  "rejected": "Afvist – tæller ikke", "auto_reply": "Automatisk svar", "bounce": "Returmail",
                  "quarantined": "Kunne ikke læses – hos administrator"}
OUTBOX_LABELS = {"pending": "I kø", "sending": "Sendes", "sent": "Sendt", "dead": "Kunne ikke sendes"}


@dataclass(frozen=True)
class ConversationEntry:
    direction: str          # out | in
    at: datetime
    subject: str
    text: str
    party: str              # recipient(s) or sender
    status: str             # Danish label
    state: str              # sent | pending | dead | delivered | unverified | …
    mail_id: int | None = None   # inbound mail id (accept/reject)


def write_to_customer(session: Session, *, case_number: str, username: str, message: str, title: str = "",
                      now: datetime) -> OutboxRow:
    """Queue a mail from the case to the customer and record it as public Work Info."""
    case = get_case(session, case_number)
    require_work(session, username=username, case=case)
    message, title = clean_text(message or "").strip(), clean_line(title or "")
    errors = {}
    if not 2 <= len(message) <= 10000:
        errors["message"] = "Skriv en besked på 2-10.000 tegn."
    if len(title) > 150:
        errors["title"] = "Emnet må højst være 150 tegn."
    addresses = _addresses(case)
    if not addresses:
        errors["message"] = "Sagen har ingen e-mailadresse. Ring til kunden, eller tilføj en adresse under Kontakter."
    if errors:
        raise FormInvalid(errors)
    user = DbDirectory(session).user(username)
    signature = f"{user.display_name if user else username}\n{handbook().customer_mails.signature}"
    context = {"summary": case.summary, "message": message, "signature": signature}
    if title:
        context["title"] = title
    if case.customer_name:
        context["customer_name"] = case.customer_name
    thread = _thread(session, case)
    sequence = session.execute(select(func.count(OutboxRow.id)).where(OutboxRow.case_id == case.id)).scalar_one()
    row = enqueue(session, key=f"{case.number}:customer_message:{sequence + 1}:{now.isoformat()}", kind="mail",
                  case_id=case.id, now=now,
                  payload={"purpose": "customer_message", "template": "customer_message", "case_number": case.number,
                           "to": addresses[0] if len(addresses) == 1 else addresses, "context": context, **thread})
    add_work_info(session, case_id=case.id, event="customer_message",
                  work_log_type=handbook().work_log_type("customer_message"),
                  summary=f"Mail til kunden: {title or 'Nyt om din sag'}", notes=message,
                  author=username, view_access="public", now=now)
    return row


def add_note(session: Session, *, case_number: str, username: str, summary: str, notes: str, work_log_type: str,
             public: bool, now: datetime) -> None:
    """A person's Work Info entry with a chosen Work Log Type, internal or public (H-R1.1)."""
    case = get_case(session, case_number)
    require_work(session, username=username, case=case)
    summary, notes = clean_line(summary or ""), clean_text(notes or "").strip()
    types = handbook().note_types()
    errors = {}
    if not 3 <= len(summary) <= 300:
        errors["summary"] = "Overskriften skal være 3-300 tegn."
    if len(notes) > 20000:
        errors["notes"] = "Teksten må højst være 20.000 tegn."
    if work_log_type not in types:
        errors["work_log_type"] = f"Vælg en af typerne: {', '.join(types)}."
    if errors:
        raise FormInvalid(errors)
    add_work_info(session, case_id=case.id, event="note", work_log_type=work_log_type, summary=summary, notes=notes,
                  author=username, view_access="public" if public else "internal", now=now)


def conversation(session: Session, case: CaseRow, *, from_address: str, domain: str) -> list[ConversationEntry]:
    """Mails out and in, oldest first."""
    entries = []
    outgoing = session.execute(select(OutboxRow).where(OutboxRow.case_id == case.id, OutboxRow.kind == "mail")
                               .order_by(OutboxRow.id)).scalars()
    for row in outgoing:
        template = (row.payload or {}).get("template")
        if template not in CUSTOMER_TEMPLATES:
            continue
        subject, text = _rendered(row, case, from_address=from_address, domain=domain)
        to = row.payload.get("to")
        entries.append(ConversationEntry("out", row.sent_at or row.created_at, subject, text,
                                         ", ".join(to) if isinstance(to, list) else str(to or ""),
                                         OUTBOX_LABELS.get(row.status, row.status), row.status))
    incoming = session.execute(select(InboundMailRow).where(InboundMailRow.case_id == case.id)
                               .order_by(InboundMailRow.id)).scalars()
    for mail in incoming:
        entries.append(ConversationEntry("in", mail.received_at, mail.subject or "", mail.body or "",
                                         mail.from_address or "", INBOUND_LABELS.get(mail.disposition, mail.disposition),
                                         mail.disposition, mail.id))
    return sorted(entries, key=lambda e: e.at)


def _addresses(case: CaseRow) -> list[str]:
    found: list[str] = []
    for address in (case.customer_email, case.end_user_email):
        if address and address.strip().lower() not in [a.lower() for a in found]:
            found.append(address.strip())
    return found


def _thread(session: Session, case: CaseRow) -> dict:
    """In-Reply-To the newest mail of the case (ours, or the customer's), References the rest."""
    ours = session.execute(select(OutboxRow.message_id, OutboxRow.created_at)
                           .where(OutboxRow.case_id == case.id, OutboxRow.message_id.is_not(None))).all()
    theirs = session.execute(select(InboundMailRow.message_key, InboundMailRow.received_at)
                             .where(InboundMailRow.case_id == case.id,
                                    InboundMailRow.disposition.in_(("delivered", "recorded", "accepted")),
                                    InboundMailRow.message_key.like("<%>"))).all()
    ids = [mid for mid, _at in sorted([*ours, *theirs], key=lambda pair: pair[1])]
    if not ids:
        return {}
    return {"in_reply_to": ids[-1], "references": ids[-11:-1]}


def _rendered(row: OutboxRow, case: CaseRow, *, from_address: str, domain: str) -> tuple[str, str]:
    payload = row.payload
    context = mail_context(payload["template"], payload.get("context") or {}, _facts(case),
                           attempts_total=handbook().contact_attempts.min_attempts)
    to = payload.get("to") or from_address
    try:
        mail = compose(payload["template"], case_number=case.number, to=to, context=context, now=row.created_at,
                       from_address=from_address, domain=domain)
    except MailError:
        return payload.get("purpose", payload["template"]), ""
    body = mail.message().get_body(preferencelist=("plain",))
    return mail.subject, body.get_content() if body is not None else ""


def _facts(case: CaseRow) -> CaseFacts:
    return CaseFacts(case.number, case.summary, case.customer_name, case.customer_email, case.customer_phone,
                     case.reply_token)
