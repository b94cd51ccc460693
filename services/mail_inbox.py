"""One poll of the service desk's mailbox (H-R1.3, H-R1.4, H-D1): customers' replies into their cases.

fetch (unseen, unflagged) → parse → for each mail, in its own transaction:
- auto-replies and bounces: Work Info that never counts as a customer contact; a bounce marks the
  contact attempt of the bounced mail not delivered (H-R1.3);
- a real reply: delivered into the running process (message `customer_reply`) when the case waits
  for one, else Work Info (Customer Communication) and an inbound ContactAttempt;
- every handled mail is recorded in `inbound_mail` (by Message-ID), so a poll repeated after a crash
  between commit and flagging changes nothing.
Only then are the handled mails flagged \\Seen. Mails that match no case, or that are not mail at
all, stay unseen for a person. IMAP outages raise MailTransientError before anything is changed.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from config.handbook import handbook
from connectors.mail import ImapSettings, InboundReply, ReplyParseError, fetch_unseen, mark_seen, parse_reply
from connectors.mail.replies import DEFAULT_RULES, AutoReplyRules
from domain.errors import InvalidState
from services.messages import deliver_customer_reply
from services.runtime import Runtime
from store.cases import add_work_info, case_by_number
from store.contacts import add_attempt, not_delivered
from store.mail import case_number_for_message_id, inbound_seen, outbox_key_for_message_id, record_inbound

log = logging.getLogger(__name__)
ACTOR = "mail"


@dataclass
class InboxReport:
    delivered: list[str] = field(default_factory=list)    # case numbers whose process got the reply
    recorded: list[str] = field(default_factory=list)     # replies kept as Work Info only
    auto_replies: int = 0
    bounces: int = 0
    duplicates: int = 0                                   # handled by an earlier poll
    unmatched: int = 0                                    # left unseen for a person
    unreadable: int = 0                                   # not RFC 5322: left unseen

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def message_key(reply: InboundReply, raw: bytes) -> str:
    return reply.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def poll_inbox(factory: sessionmaker[Session], runtime: Runtime, settings: ImapSettings, *, now: datetime,
               rules: AutoReplyRules = DEFAULT_RULES) -> InboxReport:
    report = InboxReport()
    handled: list[int] = []
    for uid, raw in fetch_unseen(settings):
        with factory() as session:
            try:
                reply = parse_reply(raw, message_id_to_case=lambda mid: case_number_for_message_id(session, mid),
                                    rules=rules)
            except ReplyParseError as exc:
                log.warning("IMAP message UID %d left unseen: %s", uid, exc)
                report.unreadable += 1
                continue
        if handle_reply(factory, runtime, reply, key=message_key(reply, raw), now=now, report=report):
            handled.append(uid)
    mark_seen(settings, handled)
    return report


def handle_reply(factory, runtime: Runtime, reply: InboundReply, *, key: str, now: datetime,
                 report: InboxReport) -> bool:
    """Store one reply; True when it is handled (now or earlier) and may be flagged seen."""
    with factory() as session:
        if inbound_seen(session, key):
            report.duplicates += 1
            return True
        case = case_by_number(session, reply.case_number) if reply.case_number else None
        if case is None:
            report.unmatched += 1
            log.info("inbound mail matches no case; left unseen for a person")
            return False
        case_id, number = case.id, case.number
    if reply.counts_as_customer_contact:
        try:
            with factory() as session, session.begin():
                deliver_customer_reply(session, runtime, case_number=number, text=reply.body_text, now=now,
                                       actor=ACTOR)
                record_inbound(session, message_key=key, case_id=case_id, disposition="delivered", now=now)
            report.delivered.append(number)
            return True
        except InvalidState:
            pass   # not waiting for a reply: keep it as Work Info below
    with factory() as session, session.begin():
        _record(session, reply, case_id=case_id, key=key, now=now, report=report)
    if reply.counts_as_customer_contact:
        report.recorded.append(number)
    return True


def _record(session: Session, reply: InboundReply, *, case_id: int, key: str, now: datetime,
            report: InboxReport) -> None:
    book = handbook()
    if reply.is_bounce:
        source = outbox_key_for_message_id(session, reply.bounced_message_id) if reply.bounced_message_id else None
        if source:
            not_delivered(session, source)
        summary = "Mail kunne ikke leveres til kunden (returmail)"
        notes = "Kontaktforsøget tæller ikke (H-R1.3)." if source else "Den returnerede mail kunne ikke findes."
        disposition, event, report.bounces = "bounce", "mail_bounce", report.bounces + 1
    elif reply.is_auto_reply:
        summary = "Automatisk svar fra kunden (fx fraværsbesked) – tæller ikke som kontakt"
        notes = f"{reply.auto_reason}\n\n{reply.body_text}".strip()
        disposition, event, report.auto_replies = "auto_reply", "auto_reply", report.auto_replies + 1
    else:
        summary, notes, disposition, event = "Kunden har svaret på mail", reply.body_text, "recorded", "customer_reply"
    add_work_info(session, case_id=case_id, event=event, work_log_type=book.work_log_type("customer_reply"),
                  summary=summary, notes=notes[:20000], author=ACTOR,
                  view_access="public" if disposition == "recorded" else "internal", now=now)
    add_attempt(session, case_id=case_id, channel="mail", direction="inbound", at=now,
                outcome="reply" if disposition == "recorded" else disposition,
                counts=disposition == "recorded", confirmed=False, note=reply.body_text[:2000], actor=ACTOR,
                source_key=f"mail-in:{key}"[:200])
    record_inbound(session, message_key=key, case_id=case_id, disposition=disposition, now=now)
