"""Issue 9: poison never blocks the outbox. An item whose delivery raises anything unexpected is a
dead letter with the error and Work Info while the rest of the queue is delivered; an item left
'sending' by crashed workers is dead-lettered once it used every attempt; attempts never exceed the
maximum. A U+2028 in a case summary never reaches a mail header (the real SMTP transport)."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import update

from config.settings import Settings
from connectors.mail.devserver import start_sink
from connectors.mail.settings import SmtpSettings
from services.cases import NewCase, open_case
from services.dispatcher import dispatch_due
from services.transports import dispatch
from store.db import session_factory
from store.models import CaseRow, OutboxRow, WorkInfoRow

from casewalk import T0, CaseWalk


@pytest.fixture
def factory(db_engine):
    return session_factory(db_engine)


def _rows(session):
    session.expire_all()
    return session.query(OutboxRow).order_by(OutboxRow.id).all()


def test_an_item_whose_transport_raises_unexpectedly_is_dead_lettered_and_the_queue_goes_on(session, runtime, factory):
    CaseWalk(session, runtime)
    CaseWalk(session, runtime)
    first_key = _rows(session)[0].idempotency_key
    delivered = []

    def transport(item):
        if item.idempotency_key == first_key:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        delivered.append(item.idempotency_key)
        return {}

    report = dispatch_due(factory, {"mail": transport}, now=T0)
    first, second = _rows(session)[:2]
    assert report.dead == [first.id] and report.sent == [second.id]
    assert first.status == "dead" and "ValueError" in first.last_error and first.attempts == 1
    assert delivered == [second.idempotency_key]
    failed = session.query(WorkInfoRow).filter_by(case_id=first.case_id, event="delivery_failed").one()
    assert "ValueError" in failed.notes
    # the next run finds nothing to do: the poison item is not picked up again
    assert dispatch_due(factory, {"mail": transport}, now=T0 + timedelta(hours=1)).dead == []


def test_an_item_abandoned_in_sending_is_dead_lettered_after_the_last_attempt(session, runtime, factory):
    CaseWalk(session, runtime)
    item = _rows(session)[0]
    # five workers claimed it and died mid-delivery: attempts used, lease run out
    session.execute(update(OutboxRow).where(OutboxRow.id == item.id)
                    .values(status="sending", attempts=5, next_attempt_at=T0 - timedelta(minutes=1)))
    session.commit()
    report = dispatch_due(factory, {"mail": lambda i: {}}, now=T0, max_attempts=5)
    row = _rows(session)[0]
    assert report.dead == [item.id] and report.sent == []
    assert row.status == "dead" and row.attempts == 5
    assert session.query(WorkInfoRow).filter_by(case_id=item.case_id, event="delivery_failed").count() == 1


def test_attempts_never_exceed_the_maximum(session, runtime, factory):
    CaseWalk(session, runtime)

    def crash(item):
        raise ConnectionResetError("peer vanished")   # not a delivery error class at all

    now = T0
    for _ in range(8):
        dispatch_due(factory, {"mail": crash}, now=now, max_attempts=3)
        now += timedelta(hours=1)
    row = _rows(session)[0]
    assert row.status == "dead" and row.attempts <= 3


def test_a_line_separator_in_the_summary_never_reaches_a_mail_header(session, runtime, factory, tmp_path):
    sink = start_sink(tmp_path / "mail")
    try:
        open_case(session, runtime, new=NewCase(
            case_type="incident", summary="Printer\u2028virker ikke\x85igen", impact=3, urgency=3,
            sla_level="gold", customer_name="Test Kunde", customer_email="kunde@example.org"),
            actor="sd.tekniker", now=T0)
        session.commit()
        settings = Settings(database_url=str(runtime.settings.database_url),
                            smtp=SmtpSettings(host="127.0.0.1", port=sink.port, security="none",
                                              from_address="servicedesk@sagsflow.example.dk", timeout=3))
        dispatch(factory, settings, now=T0 + timedelta(minutes=1))
        assert [r.status for r in _rows(session)] == ["sent"]
        mail = message_from_bytes(sink.handler.stored()[0].read_bytes(), policy=policy.default)
        assert "\u2028" not in str(mail["Subject"]) and "\x85" not in str(mail["Subject"])
        assert session.query(CaseRow).one().summary == "Printer virker ikke igen"
    finally:
        sink.stop()
