"""Mail wired end to end (H-R1.3, H-R1.4): outbox → SMTP (aiosmtpd) with the stored Message-ID;
replies read from a real IMAP server (pymap) into the case — delivered to a waiting process, else
Work Info; auto-replies and bounces never count; IMAP down loses nothing; a repeated poll is a no-op."""
from __future__ import annotations

import sys
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from config.settings import Settings
from connectors.mail import MailTransientError
from connectors.mail.settings import ImapSettings
from services.mail_inbox import poll_inbox
from services.transports import dispatch
from store.contacts import attempts_of
from store.db import session_factory
from store.models import CaseRow, InboundMailRow, OutboxRow, WorkInfoRow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services"))
from casewalk import T0, CaseWalk  # noqa: E402

SENDER = "servicedesk@sagsflow.example.dk"


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def factory(db_engine):
    return session_factory(db_engine)


@pytest.fixture
def settings(db_url, smtp_settings):
    return Settings(database_url=db_url, smtp=smtp_settings, mail_domain="sagsflow.example.dk")


def sent_mails(sink):
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sink.handler.stored()]


def reply_to(original, body: str, *, subject: str | None = None, extra: str = "") -> bytes:
    subject = subject if subject is not None else f"SV: {original['Subject']}"
    return (f"From: kunde@example.org\r\nTo: {SENDER}\r\nSubject: {subject}\r\n"
            f"Message-ID: <reply-{abs(hash(body)) % 10**8}@example.org>\r\nIn-Reply-To: {original['Message-ID']}\r\n"
            f"Date: Mon, 23 Nov 2026 12:00:00 +0100\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n\r\n> tidligere tekst\r\n").encode()


def work_info(session, event):
    session.expire_all()
    return [w for w in session.query(WorkInfoRow).order_by(WorkInfoRow.id) if w.event == event]


def test_h_r1_4_reply_to_an_information_request_is_delivered_into_the_waiting_process(
        session, runtime, factory, settings, sink, imap_settings, imap_append):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    dispatch(factory, settings, now=T0 + timedelta(hours=1))
    request = [m for m in sent_mails(sink) if "mangler oplysninger" in m["Subject"]][0]
    session.expire_all()
    stored = session.query(OutboxRow).filter(OutboxRow.message_id == request["Message-ID"].strip()).one()
    assert stored.payload["purpose"] == "information_request"
    imap_append(reply_to(request, "Stikket hedder 60-143B", subject="Stiknummer"))   # matched by In-Reply-To
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    assert report.delivered == [walk.number]
    assert "record_customer_answer" not in walk.open_ids()
    [answer] = work_info(session, "customer_reply")
    assert answer.notes == "Stikket hedder 60-143B"                 # quoted text stripped
    again = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=3))
    assert again.delivered == [] and again.duplicates == 0         # flagged seen: not fetched again


def test_h_r1_3_reply_when_nothing_waits_becomes_work_info_and_an_inbound_contact(
        session, runtime, factory, settings, sink, imap_settings, imap_append):
    walk = CaseWalk(session, runtime)
    dispatch(factory, settings, now=T0)
    [receipt] = sent_mails(sink)
    imap_append(reply_to(receipt, "Tak, printeren virker stadig ikke"))
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=1))
    assert report.recorded == [walk.number]
    [info] = work_info(session, "customer_reply")
    assert info.work_log_type == "Customer Communication" and info.view_access == "public"
    case = session.query(CaseRow).one()
    [attempt] = attempts_of(session, case.id)
    assert (attempt.direction, attempt.counts, attempt.outcome) == ("inbound", True, "reply")


def test_h_r1_3_auto_replies_are_recorded_but_never_count(session, runtime, factory, settings, sink,
                                                          imap_settings, imap_append):
    CaseWalk(session, runtime)
    dispatch(factory, settings, now=T0)
    [receipt] = sent_mails(sink)
    imap_append(reply_to(receipt, "Jeg er på ferie til mandag", subject=f"Autosvar: {receipt['Subject']}",
                         extra="Auto-Submitted: auto-replied\r\n"))
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=1))
    assert report.auto_replies == 1 and report.recorded == [] and report.delivered == []
    assert len(work_info(session, "auto_reply")) == 1
    case = session.query(CaseRow).one()
    assert [a.counts for a in attempts_of(session, case.id)] == [False]


def test_h_r1_3_a_bounce_marks_the_contact_attempt_not_delivered(session, runtime, factory, settings, sink,
                                                                 imap_settings, imap_append):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    dispatch(factory, settings, now=T0 + timedelta(hours=1))
    notice = [m for m in sent_mails(sink) if "løst" in m["Subject"]][0]
    bounce = ("From: MAILER-DAEMON@example.org\r\nTo: servicedesk@sagsflow.example.dk\r\n"
              "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@example.org>\r\n"
              "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
              "--b\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n"
              "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
              f"Message-ID: {notice['Message-ID'].strip()}\r\nSubject: {notice['Subject']}\r\n\r\n--b--\r\n").encode()
    imap_append(bounce)
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    assert report.bounces == 1
    case = session.query(CaseRow).one()
    mail_attempt = [a for a in attempts_of(session, case.id) if a.channel == "mail" and a.direction == "outbound"][0]
    assert (mail_attempt.counts, mail_attempt.outcome) == (False, "bounced")


def test_imap_down_raises_a_transient_error_and_loses_nothing(session, runtime, factory, settings, sink,
                                                              imap_settings, imap_append):
    walk = CaseWalk(session, runtime)
    dispatch(factory, settings, now=T0)
    [receipt] = sent_mails(sink)
    imap_append(reply_to(receipt, "Svar under nedbrud"))
    down = ImapSettings(host="127.0.0.1", port=free_port(), security="none", username="x", password="y", timeout=2)
    with pytest.raises(MailTransientError):
        poll_inbox(factory, runtime, down, now=T0 + timedelta(hours=1))
    session.expire_all()
    assert session.query(InboundMailRow).count() == 0
    assert poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2)).recorded == [walk.number]


def test_a_mail_matching_no_case_stays_unseen_for_a_person(session, runtime, factory, imap_settings, imap_append):
    imap_append(b"From: someone@example.org\r\nSubject: Hej\r\nMessage-ID: <x1@example.org>\r\n\r\nHej\r\n")
    assert poll_inbox(factory, runtime, imap_settings, now=T0).unmatched == 1
    assert poll_inbox(factory, runtime, imap_settings, now=T0).unmatched == 1     # still there
