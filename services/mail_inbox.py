"""One poll of the service desk's mailbox (H-R1.3, H-R1.4, H-D1; issue 9 items 4 and 5).

fetch (unseen) → parse → for each mail, in its own transaction:
- auto-replies and bounces: Work Info that never counts as a customer contact; a bounce marks the
  contact attempt of the bounced mail not delivered (H-R1.3);
- a reply from a verified sender (services.mail_senders): delivered into the running process
  (message `customer_reply`) when the case waits for one, else public Work Info and an inbound
  ContactAttempt (services.customer_replies);
- any other reply: kept on the case as an *unverified* mail for a person to accept or reject — no
  contact, no delivery, no public Work Info;
- a mail that cannot be stored (anything unexpected while handling it): *quarantined* — its raw bytes
  kept in `inbound_mail` for an administrator (admin page), and the rest of the mailbox goes on. A
  database that is down or busy is not the mail's fault: the poll fails and nothing is flagged.
Every handled mail is recorded in `inbound_mail` (by Message-ID), so a poll repeated after a crash
between commit and flagging changes nothing; only then are the handled mails flagged \\Seen. Mails that
match no case, or that are not mail at all, stay unseen for a person. The log carries UIDs, counts and
error class names only — never the customer's text or address.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from config.handbook import handbook
from connectors.mail import ImapSettings, InboundReply, ReplyParseError, fetch_unseen, mark_seen, parse_reply
from connectors.mail.replies import DEFAULT_RULES, AutoReplyRules
from services.customer_replies import apply_verified_reply, keep_unverified
from services.mail_senders import is_verified
from services.runtime import Runtime
from store.cases import add_work_info, case_by_number
from store.contacts import add_attempt, not_delivered
from store.mail import case_number_for_message_id, inbound_seen, outbox_key_for_message_id, record_inbound
from store.models import CaseRow, InboundMailRow

log = logging.getLogger(__name__)
ACTOR = "mail"
# the database is unreachable or busy: a fault of the moment, never a reason to quarantine a mail
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
_SAFE_KEY = re.compile(r"<[!-;=?-~]{3,250}>")   # printable ASCII only: anything else is hashed


@dataclass
class InboxReport:
    delivered: list[str] = field(default_factory=list)    # case numbers whose process got the reply
    recorded: list[str] = field(default_factory=list)     # replies kept as Work Info only
    unverified: list[str] = field(default_factory=list)   # kept on the case for a person to accept or reject
    auto_replies: int = 0
    bounces: int = 0
    duplicates: int = 0                                   # handled by an earlier poll
    unmatched: int = 0                                    # left unseen for a person
    unreadable: int = 0                                   # not RFC 5322: left unseen
    quarantined: int = 0                                  # could not be stored: kept for an administrator

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def message_key(reply: InboundReply, raw: bytes) -> str:
    if reply.message_id and _SAFE_KEY.fullmatch(reply.message_id):
        return reply.message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def poll_inbox(factory: sessionmaker[Session], runtime: Runtime, settings: ImapSettings, *, now: datetime,
               rules: AutoReplyRules = DEFAULT_RULES) -> InboxReport:
    report = InboxReport()
    handled: list[int] = []
    for uid, raw in fetch_unseen(settings):
        try:
            with factory() as session:
                reply = parse_reply(raw, message_id_to_case=lambda mid: case_number_for_message_id(session, mid),
                                    rules=rules)
        except ReplyParseError as exc:
            log.warning("IMAP message UID %d left unseen: %s", uid, exc)
            report.unreadable += 1
            continue
        except DATABASE_DOWN:
            raise   # not the mail's fault: the run fails, nothing is flagged, the next poll catches up
        except Exception as exc:   # noqa: BLE001 - poison must not block the mailbox (issue 9)
            reply = None
            error = exc
        else:
            try:
                if handle_reply(factory, runtime, reply, key=message_key(reply, raw), now=now, report=report):
                    handled.append(uid)
                continue
            except DATABASE_DOWN:
                raise
            except Exception as exc:   # noqa: BLE001 - poison must not block the mailbox (issue 9)
                error = exc
        if quarantine(factory, raw, reply, error=error, now=now):
            log.error("IMAP message UID %d quarantined (%s)", uid, type(error).__name__)
            report.quarantined += 1
            handled.append(uid)
    mark_seen(settings, handled)
    return report


def quarantine(factory: sessionmaker[Session], raw: bytes, reply: InboundReply | None, *, error: Exception,
               now: datetime) -> bool:
    """Keep a mail that could not be stored, raw, for an administrator; False if even that failed."""
    key = "quarantine:sha256:" + hashlib.sha256(raw).hexdigest()
    try:
        with factory() as session, session.begin():
            if inbound_seen(session, key):
                return True
            case = case_by_number(session, reply.case_number) if reply and reply.case_number else None
            session.add(InboundMailRow(
                message_key=key, case_id=case.id if case else None, disposition="quarantined", received_at=now,
                from_address=(reply.from_address or "")[:320] if reply else None,
                subject=reply.subject[:300] if reply else None, raw=bytes(raw),
                error=f"{type(error).__name__}: kunne ikke gemmes"[:300]))
        return True
    except Exception as exc:   # noqa: BLE001 - the database itself refuses: leave the mail unseen
        log.error("IMAP message could not be quarantined either (%s); left unseen", type(exc).__name__)
        return False


def handle_reply(factory, runtime: Runtime, reply: InboundReply, *, key: str, now: datetime,
                 report: InboxReport) -> bool:
    """Store one reply; True when it is handled (now or earlier) and may be flagged seen."""
    with factory() as session, session.begin():
        if inbound_seen(session, key):
            report.duplicates += 1
            return True
        case = case_by_number(session, reply.case_number) if reply.case_number else None
        if case is None:
            report.unmatched += 1
            log.info("inbound mail matches no case; left unseen for a person")
            return False
        outcome: list | None = None
        if not reply.counts_as_customer_contact:
            _record_automatic(session, reply, case=case, key=key, now=now, report=report)
        elif is_verified(session, case, reply):
            row = record_inbound(session, message_key=key, case_id=case.id, disposition="recorded", now=now)
            _keep_text(row, reply)
            row.disposition = apply_verified_reply(session, runtime, case=case, mail=row, attachments=reply.attachments,
                                                   actor=ACTOR, now=now)
            outcome = report.delivered if row.disposition == "delivered" else report.recorded
        else:
            row = record_inbound(session, message_key=key, case_id=case.id, disposition="unverified", now=now)
            _keep_text(row, reply)
            keep_unverified(session, runtime, case=case, mail=row, attachments=reply.attachments, now=now)
            outcome = report.unverified
        number = case.number
    if outcome is not None:   # counted only once the commit went through
        outcome.append(number)
    return True


def _keep_text(row: InboundMailRow, reply: InboundReply) -> None:
    row.from_address = (reply.from_address or "")[:320] or None
    row.subject = reply.subject[:300]
    row.body = reply.body_text[:20000]


def _record_automatic(session: Session, reply: InboundReply, *, case: CaseRow, key: str, now: datetime,
                      report: InboxReport) -> None:
    book = handbook()
    if reply.is_bounce:
        source = outbox_key_for_message_id(session, reply.bounced_message_id) if reply.bounced_message_id else None
        if source:
            not_delivered(session, source)
        summary = "Mail kunne ikke leveres til kunden (returmail)"
        notes = "Kontaktforsøget tæller ikke (H-R1.3)." if source else "Den returnerede mail kunne ikke findes."
        disposition, event, report.bounces = "bounce", "mail_bounce", report.bounces + 1
    else:
        summary = "Automatisk svar fra kunden (fx fraværsbesked) – tæller ikke som kontakt"
        notes = f"{reply.auto_reason}\n\n{reply.body_text}".strip()
        disposition, event, report.auto_replies = "auto_reply", "auto_reply", report.auto_replies + 1
    add_work_info(session, case_id=case.id, event=event, work_log_type=book.work_log_type("customer_reply"),
                  summary=summary, notes=notes[:20000], author=ACTOR, view_access="internal", now=now)
    add_attempt(session, case_id=case.id, channel="mail", direction="inbound", at=now, outcome=disposition,
                counts=False, confirmed=False, note=reply.body_text[:2000], actor=ACTOR,
                source_key=f"mail-in:{key}"[:200])
    row = record_inbound(session, message_key=key, case_id=case.id, disposition=disposition, now=now)
    _keep_text(row, reply)
