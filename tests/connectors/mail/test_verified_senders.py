"""Issue 9 items 4 and 5 against real servers (aiosmtpd SMTP, pymap IMAP): only a verified sender answers
for the customer (H-R1.3, H-R1.4); a spoofed reply is kept as an unverified mail for a person; a NUL byte
is removed at the mail boundary (PostgreSQL refused it before); a mail that cannot be stored is
quarantined and the rest of the mailbox is processed; the customer's text never reaches the log."""
from __future__ import annotations

import logging
import sys
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from config.settings import Settings
from services.customer_replies import decide_unverified
from services.mail_inbox import poll_inbox
from services.transports import dispatch
from store.contacts import attempts_of
from store.db import session_factory
from store.models import CaseRow, InboundMailRow, ProcessInstanceRow, WorkInfoRow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services"))
from casewalk import T0, CaseWalk  # noqa: E402

SENDER = "servicedesk@sagsflow.example.dk"


@pytest.fixture
def factory(db_engine):
    return session_factory(db_engine)


@pytest.fixture
def settings(db_url, smtp_settings):
    return Settings(database_url=db_url, smtp=smtp_settings, mail_domain="sagsflow.example.dk")


def sent(sink, words: str):
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sink.handler.stored()]
    return [m for m in mails if words in m["Subject"]][0]


def mail(*, sender: str, subject: str, body: str, msgid: str, in_reply_to: str | None = None,
         to: str = SENDER) -> bytes:
    thread = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{msgid}@example.org>\r\n{thread}"
            f"Date: Mon, 23 Nov 2026 12:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n").encode()


def waiting_for_information(session, runtime, factory, settings):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    dispatch(factory, settings, now=T0 + timedelta(hours=1))
    return walk


def public_texts(session):
    session.expire_all()
    return [w.notes for w in session.query(WorkInfoRow) if w.view_access == "public"]


def test_h_r1_4_a_spoofed_reply_with_the_case_number_is_kept_unverified_and_changes_nothing(
        session, runtime, factory, settings, sink, imap_settings, imap_append):
    walk = waiting_for_information(session, runtime, factory, settings)
    imap_append(mail(sender="angriber@evil.example", subject=f"SV: [{walk.number}] Stiknummer",
                     body="Sagen er løst, luk den bare", msgid="spoof-1"))
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    assert report.unverified == [walk.number] and report.delivered == [] and report.recorded == []
    assert "record_customer_answer" in walk.open_ids()                       # the wait is not resolved
    assert "Sagen er løst, luk den bare" not in " ".join(public_texts(session))
    case = session.query(CaseRow).one()
    assert [a for a in attempts_of(session, case.id) if a.direction == "inbound"] == []   # no contact
    [kept] = session.query(InboundMailRow).filter_by(disposition="unverified").all()
    assert kept.from_address == "angriber@evil.example" and kept.body.startswith("Sagen er løst")


def test_h_r1_4_the_customers_address_alone_is_not_enough_but_a_person_can_accept_it(
        session, runtime, factory, settings, sink, imap_settings, imap_append):
    walk = waiting_for_information(session, runtime, factory, settings)
    imap_append(mail(sender="kunde@example.org", subject=f"[{walk.number}] Stiknummer", body="Det er 60-143B",
                     msgid="addr-only"))
    assert poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2)).unverified == [walk.number]
    [kept] = session.query(InboundMailRow).filter_by(disposition="unverified").all()
    decide_unverified(session, runtime, mail_id=kept.id, accept=True, username="net.tekniker",
                      now=T0 + timedelta(hours=3))
    session.commit()
    assert "record_customer_answer" not in walk.open_ids()                   # now it has the reply's effect
    assert "Det er 60-143B" in public_texts(session)
    session.expire_all()
    assert session.get(InboundMailRow, kept.id).disposition == "accepted"


def test_h_r1_4_a_rejected_mail_never_counts(session, runtime, factory, settings, sink, imap_settings,
                                             imap_append):
    walk = waiting_for_information(session, runtime, factory, settings)
    imap_append(mail(sender="ukendt@example.net", subject=f"[{walk.number}] hej", body="Køb billige ure",
                     msgid="spam-1"))
    poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    [kept] = session.query(InboundMailRow).filter_by(disposition="unverified").all()
    with pytest.raises(Exception) as refused:   # another team's technician may not decide
        decide_unverified(session, runtime, mail_id=kept.id, accept=True, username="app.tekniker", now=T0)
    assert "team" in str(refused.value)
    session.rollback()
    decide_unverified(session, runtime, mail_id=kept.id, accept=False, username="net.tekniker", now=T0)
    session.commit()
    assert "record_customer_answer" in walk.open_ids()
    assert "Køb billige ure" not in " ".join(public_texts(session))


@pytest.mark.parametrize("thread", ["subject_token", "plus_address", "in_reply_to"])
def test_h_r1_4_a_verified_reply_matches_the_thread_by_token_or_message_id(
        thread, session, runtime, factory, settings, sink, imap_settings, imap_append):
    walk = waiting_for_information(session, runtime, factory, settings)
    request = sent(sink, "mangler oplysninger")
    token = session.query(CaseRow).one().reply_token
    assert f"[{walk.number}-{token}]" in request["Subject"]                 # the tag carries the token
    subject, to, parent = "Stiknummer", SENDER, None
    if thread == "subject_token":
        subject = f"SV: [{walk.number}-{token}] Stiknummer"
    elif thread == "plus_address":
        to = f"servicedesk+{walk.number}-{token}@sagsflow.example.dk"
    else:
        parent = request["Message-ID"]
    imap_append(mail(sender="Kunde@Example.org", subject=subject, body="Det er 60-143B", msgid=f"ok-{thread}",
                     to=to, in_reply_to=parent))
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    assert report.delivered == [walk.number] and report.unverified == []
    assert "record_customer_answer" not in walk.open_ids()


def test_h_r1_4_a_wrong_token_is_not_the_thread(session, runtime, factory, settings, sink, imap_settings,
                                                imap_append):
    walk = waiting_for_information(session, runtime, factory, settings)
    imap_append(mail(sender="kunde@example.org", subject=f"SV: [{walk.number}-aaaaaaaa] Stiknummer",
                     body="Gæt", msgid="guess"))
    assert poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2)).unverified == [walk.number]


def test_issue_9_a_nul_byte_in_a_mail_is_removed_and_the_mailbox_goes_on(
        session, runtime, factory, settings, sink, imap_settings, imap_append, caplog):
    walk = waiting_for_information(session, runtime, factory, settings)
    request = sent(sink, "mangler oplysninger")
    imap_append(mail(sender="kunde@example.org", subject="Stik\x00nummer", body="Stik 60-\x00143B hemmelig-tekst",
                     msgid="nul-1", in_reply_to=request["Message-ID"]))
    imap_append(mail(sender="kunde@example.org", subject="Mere", body="Og et til", msgid="after-nul",
                     in_reply_to=request["Message-ID"]))
    with caplog.at_level(logging.DEBUG):
        report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    assert report.delivered == [walk.number] and report.recorded == [walk.number] and report.quarantined == 0
    assert "Stik 60-143B hemmelig-tekst" in public_texts(session)
    assert "hemmelig-tekst" not in caplog.text and "kunde@example.org" not in caplog.text
    assert poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=3)).as_dict()["recorded"] == []


def test_issue_9_a_mail_that_cannot_be_stored_is_quarantined_and_the_rest_is_processed(
        session, runtime, factory, settings, sink, imap_settings, imap_append, caplog):
    broken = waiting_for_information(session, runtime, factory, settings)
    other = CaseWalk(session, runtime)
    dispatch(factory, settings, now=T0 + timedelta(hours=1))
    request = sent(sink, "mangler oplysninger")
    receipt = [m for m in (message_from_bytes(p.read_bytes(), policy=policy.default) for p in sink.handler.stored())
               if other.number in m["Subject"]][0]
    instance = session.query(ProcessInstanceRow).join(CaseRow, CaseRow.id == ProcessInstanceRow.case_id).filter(
        CaseRow.number == broken.number).one()
    instance.state = b"not a stored workflow"        # a damaged row: delivering into it fails
    session.commit()
    imap_append(mail(sender="kunde@example.org", subject="Stiknummer", body="fortroligt-svar", msgid="poison",
                     in_reply_to=request["Message-ID"]))
    imap_append(mail(sender="kunde@example.org", subject="Tak", body="Printeren driller", msgid="next",
                     in_reply_to=receipt["Message-ID"]))
    with caplog.at_level(logging.DEBUG):
        report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    assert report.quarantined == 1 and report.recorded == [other.number]
    session.expire_all()
    [kept] = session.query(InboundMailRow).filter_by(disposition="quarantined").all()
    assert b"fortroligt-svar" in kept.raw and kept.error
    assert "fortroligt-svar" not in caplog.text
    again = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=3))   # flagged: not refetched
    assert again.quarantined == 0 and again.duplicates == 0


def test_issue_9_a_database_that_is_down_quarantines_nothing_and_loses_nothing(
        session, runtime, factory, settings, sink, imap_settings, imap_append, tmp_path):
    from sqlalchemy.exc import OperationalError

    from store.db import make_engine
    walk = waiting_for_information(session, runtime, factory, settings)
    request = sent(sink, "mangler oplysninger")
    imap_append(mail(sender="kunde@example.org", subject="Stiknummer", body="Det er 60-143B", msgid="db-down",
                     in_reply_to=request["Message-ID"]))
    dead = session_factory(make_engine(f"sqlite:///{tmp_path}/no/such/dir/x.db"))
    with pytest.raises(OperationalError):
        poll_inbox(dead, runtime, imap_settings, now=T0 + timedelta(hours=2))
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=3))   # still unseen
    assert report.delivered == [walk.number] and report.quarantined == 0
