"""Every verified reply lands (issue 13 item 2; H-R1.3, H-R1.4) — real SMTP (aiosmtpd) and IMAP (pymap):
a reply while the *Ring til kunden* task is open goes to *Vurdér kundens svar*; a confirmation there
satisfies the closure guard, "not solved" sends the case back to work; a reply with an image keeps the
image on the case; a routed complaint's customer is told where it went."""
from __future__ import annotations

import sys
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from config.attachments import AttachmentSettings
from config.settings import Settings
from services.mail_inbox import poll_inbox
from services.transports import dispatch
from services.task_form import task_form
from store.db import session_factory
from store.models import AttachmentRow, CaseRow, OutboxRow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services"))
from casewalk import T0, CaseWalk  # noqa: E402

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def factory(db_engine):
    return session_factory(db_engine)


@pytest.fixture
def settings(db_url, smtp_settings, tmp_path, runtime):
    runtime.settings.attachments = AttachmentSettings(directory=tmp_path / "files")
    return Settings(database_url=db_url, smtp=smtp_settings, mail_domain="sagsflow.example.dk")


def mails(sink):
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sink.handler.stored()]


def reply(original, body: str, msgid: str, *, image: bytes | None = None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "kunde@example.org", original["From"]
    message["Subject"], message["Message-ID"] = f"SV: {original['Subject']}", f"<{msgid}@example.org>"
    message["In-Reply-To"] = original["Message-ID"]
    message.set_content(f"{body}\n\n> {original['Subject']}\n")
    if image is not None:
        message.add_attachment(image, maintype="image", subtype="png", filename="fejl.png")
    return message.as_bytes()


def at_the_call(session, runtime, factory, settings):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    assert walk.open_ids() == ["call_customer"]
    dispatch(factory, settings, now=T0 + timedelta(hours=1))
    return walk


def test_issue_13_a_confirming_reply_during_the_call_task_satisfies_the_closure_guard(
        session, runtime, factory, settings, sink, imap_settings, imap_append):
    walk = at_the_call(session, runtime, factory, settings)
    notice = [m for m in mails(sink) if "løst" in m["Subject"]][0]
    imap_append(reply(notice, "Ja, sagen er løst. Tak!", "yes-1"))
    report = poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    assert report.delivered == [walk.number]
    assert walk.open_ids() == ["review_customer_reply"]            # the call task gave way to the review
    review = task_form(session, runtime, task_id=walk.task("review_customer_reply")["id"])
    assert (review.values["customer_confirmed"], review.values["customer_reports_unsolved"]) == (True, False)
    walk.do("review_customer_reply", "net.tekniker", {"customer_confirmed": True, "customer_reports_unsolved": False})
    walk.do("closure_checklist", "net.tekniker", {
        "work_is_clear": True, "test_handled": True, "customer_accepted_solution": True,
        "customer_knows_case_closed": True, "contact_attempts_made": True, "documentation_changed": False})
    assert walk.doc()["status"] == "closed"                      # the guard held: the reply confirmed
    session.expire_all()
    closing = [r for r in session.query(OutboxRow) if r.payload.get("template") == "closure"]
    assert len(closing) == 1 and closing[0].payload["to"] == "kunde@example.org"


def test_issue_13_a_not_solved_reply_during_the_call_task_sends_the_case_back_to_work(
        session, runtime, factory, settings, sink, imap_settings, imap_append):
    walk = at_the_call(session, runtime, factory, settings)
    notice = [m for m in mails(sink) if "løst" in m["Subject"]][0]
    imap_append(reply(notice, "Nej, det virker stadig ikke", "no-1"))
    poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    review = task_form(session, runtime, task_id=walk.task("review_customer_reply")["id"])
    assert (review.values["customer_confirmed"], review.values["customer_reports_unsolved"]) == (False, True)
    walk.do("review_customer_reply", "net.tekniker", {"customer_confirmed": False, "customer_reports_unsolved": True})
    assert walk.open_ids() == ["work_on_case"]


def test_issue_13_an_image_in_a_customers_reply_is_kept_on_the_case(
        session, runtime, factory, settings, sink, imap_settings, imap_append, tmp_path):
    walk = at_the_call(session, runtime, factory, settings)
    notice = [m for m in mails(sink) if "løst" in m["Subject"]][0]
    imap_append(reply(notice, "Her er et billede af fejlen", "img-1", image=PNG))
    poll_inbox(factory, runtime, imap_settings, now=T0 + timedelta(hours=2))
    session.expire_all()
    [kept] = session.query(AttachmentRow).all()
    assert (kept.filename, kept.content_type, kept.visible) == ("fejl.png", "image/png", True)
    assert (tmp_path / "files" / kept.sha256[:2] / kept.sha256[2:4] / kept.sha256).read_bytes() == PNG
    assert walk.doc()["number"] == walk.number


def test_issue_13_a_routed_complaint_tells_the_customer_where_it_went(session, runtime, factory, settings, sink):
    walk = CaseWalk(session, runtime)
    walk.do("classify_case", "sd.tekniker", {"classification": "complaint"})
    dispatch(factory, settings, now=T0 + timedelta(hours=1))
    told = [m for m in mails(sink) if m["To"] == "kunde@example.org" and "videre" in m["Subject"]]
    assert len(told) == 1 and "Kundeafdelingen" in told[0]["Subject"]
    token = session.query(CaseRow).one().reply_token
    assert f"[{walk.number}-{token}]" in told[0]["Subject"]
    assert "kundeafdelingen@example.org" in told[0].get_body(("plain",)).get_content()


def test_issue_13_a_notification_reaches_the_technician_as_an_internal_mail(session, runtime, factory, settings,
                                                                            sink):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    dispatch(factory, settings, now=T0 + timedelta(hours=1))
    internal = [m for m in mails(sink) if m["To"] == "net.tekniker@example.org"]
    assert len(internal) == 1 and walk.number in internal[0]["Subject"]
    text = internal[0].get_body(("plain",)).get_content()
    assert "Ny opgave til dig: Behandl sagen" in text and "kunde@example.org" not in text
    assert f"Åbn sagen: {settings.web_url}/cases/{walk.number}" in text
