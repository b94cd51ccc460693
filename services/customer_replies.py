"""A customer's mail reply has an effect (H-R1.3, H-R1.4, H-D3; issue 9 item 5, issue 13 item 2).

- a verified reply is delivered into the process when it waits for one (the information request, the
  next contact attempt — `customer_reply`); otherwise it is public Work Info and an inbound contact;
- an unverified reply (unknown sender, or not in the case's thread) is kept on the case for a person:
  internal Work Info only, no contact attempt, no delivery; its attachments are hidden;
- accepting it (a person who may work the case) gives it exactly the effect of a verified reply;
  rejecting it leaves an internal note. Service functions: the caller commits.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import InvalidState, NotFound
from services.attachments import store_mail_attachments
from services.case_access import require_work
from services.messages import deliver_customer_reply
from store.notifications import notify
from services.runtime import Runtime
from store.cases import add_work_info
from store.contacts import add_attempt
from store.models import AttachmentRow, CaseRow, InboundMailRow


def apply_verified_reply(session: Session, runtime: Runtime, *, case: CaseRow, mail: InboundMailRow,
                         attachments: Sequence = (), actor: str, now: datetime) -> str:
    """Deliver or record a customer's reply; returns the disposition ('delivered' or 'recorded')."""
    text = mail.body or ""
    if attachments:
        store_mail_attachments(session, runtime.settings.attachments, case=case, mail=mail, attachments=attachments,
                               visible=True, now=now)
    try:
        deliver_customer_reply(session, runtime, case_number=case.number, text=text, now=now, actor=actor)
        return "delivered"
    except InvalidState:   # raised before anything is written: the process waits for no reply
        pass
    add_work_info(session, case_id=case.id, event="customer_reply",
                  work_log_type=handbook().work_log_type("customer_reply"), summary="Kunden har svaret på mail",
                  notes=text[:20000], author=actor, view_access="public", now=now)
    add_attempt(session, case_id=case.id, channel="mail", direction="inbound", at=now, outcome="reply",
                counts=True, confirmed=False, note=text[:2000], actor=actor,
                source_key=f"mail-in:{mail.message_key}"[:200])
    notify(session, usernames=[case.assignee], kind="customer_reply", case=case, key=mail.message_key, now=now,
           summary=f"Kunden har svaret på mail på sag {case.number}: {case.summary[:120]}")
    return "recorded"


def keep_unverified(session: Session, runtime: Runtime, *, case: CaseRow, mail: InboundMailRow,
                    attachments: Sequence = (), now: datetime) -> None:
    if attachments:
        store_mail_attachments(session, runtime.settings.attachments, case=case, mail=mail, attachments=attachments,
                               visible=False, now=now)
    add_work_info(session, case_id=case.id, event="unverified_mail",
                  work_log_type=handbook().work_log_type("note"),
                  summary="Mail fra en ubekræftet afsender afventer vurdering",
                  notes=f"Afsender: {mail.from_address or 'ukendt'}. Mailen tæller ikke som kontakt, før en "
                        f"medarbejder har godkendt den på sagen.", author="mail", view_access="internal", now=now)


def unverified_mails(session: Session, case_id: int) -> list[InboundMailRow]:
    query = (select(InboundMailRow).where(InboundMailRow.case_id == case_id,
                                          InboundMailRow.disposition == "unverified").order_by(InboundMailRow.id))
    return list(session.execute(query).scalars())


def decide_unverified(session: Session, runtime: Runtime, *, mail_id: int, accept: bool, username: str,
                      now: datetime) -> InboundMailRow:
    """A person accepts (the reply then has its full effect) or rejects an unverified mail."""
    mail = session.get(InboundMailRow, mail_id, with_for_update=True)
    if mail is None or mail.case_id is None:
        raise NotFound(f"unknown mail {mail_id}")
    case = session.get(CaseRow, mail.case_id)
    require_work(session, username=username, case=case)
    if mail.disposition != "unverified":
        raise InvalidState("mailen er allerede vurderet")
    mail.decided_by, mail.decided_at = username, now
    if accept:
        _reveal_attachments(session, mail)
        effect = apply_verified_reply(session, runtime, case=case, mail=mail, actor=username, now=now)
        mail.disposition = "accepted"
        add_work_info(session, case_id=case.id, event="unverified_mail", work_log_type=handbook().work_log_type("note"),
                      summary="Ubekræftet mail godkendt som kundens svar",
                      notes="Leveret til sagens forløb." if effect == "delivered" else "Registreret som kundens svar.",
                      author=username, view_access="internal", now=now)
    else:
        mail.disposition = "rejected"
        add_work_info(session, case_id=case.id, event="unverified_mail", work_log_type=handbook().work_log_type("note"),
                      summary="Ubekræftet mail afvist – tæller ikke som kundens svar",
                      notes=f"Afsender: {mail.from_address or 'ukendt'}", author=username, view_access="internal",
                      now=now)
    session.flush()
    return mail


def _reveal_attachments(session: Session, mail: InboundMailRow) -> None:
    for row in session.execute(select(AttachmentRow).where(AttachmentRow.inbound_mail_id == mail.id)).scalars():
        row.visible = True
