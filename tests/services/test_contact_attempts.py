"""H-R1.3: the customer is contacted by mail and phone before closure; further attempts are persisted
timers the watchdog fires; closing needs a confirmation or the guard."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from config.handbook import handbook
from domain.errors import InvalidState
from services.messages import deliver_customer_reply
from services.watchdog import sweep
from store.contacts import attempts_of
from store.db import session_factory
from store.directory import DbDirectory
from store.models import CaseRow, OutboxRow, WaitingTimerRow
from tasks.contact import require_contact_guard
from tasks.context import OperationContext

from casewalk import CaseWalk

NO_ANSWER = {"call_outcome": "no_answer", "customer_confirmed": False, "customer_reports_unsolved": False}


def resolved_walk(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    return walk


def due_timer(session):
    session.expire_all()
    return session.query(WaitingTimerRow).one()


def test_h_r1_3_attempts_until_the_guard_holds_then_closure(session, runtime, db_engine):
    walk = resolved_walk(session, runtime)          # Monday 23 Nov 2026
    assert walk.open_ids() == ["call_customer"]
    walk.do("call_customer", "net.tekniker", NO_ANSWER)
    first_due = due_timer(session).due_at
    assert first_due.date() == datetime(2026, 11, 25).date()        # + 2 working days
    factory = session_factory(db_engine)
    assert sweep(factory, runtime, now=first_due - timedelta(minutes=1)).timers_fired == 0
    assert sweep(factory, runtime, now=first_due).timers_fired == 1
    assert walk.open_ids() == ["call_customer"]
    walk.do("call_customer", "net.tekniker", {**NO_ANSWER, "call_outcome": "voicemail"})
    second_due = due_timer(session).due_at
    assert second_due.astimezone().isocalendar()[1] == 49                 # the next ISO week
    sweep(factory, runtime, now=second_due)
    walk.do("call_customer", "net.tekniker", {**NO_ANSWER, "call_outcome": "busy"})
    assert walk.open_ids() == ["closure_checklist"]
    case = session.query(CaseRow).one()
    assert len([a for a in attempts_of(session, case.id) if a.counts]) == 6
    mails = [r.payload["purpose"] for r in session.query(OutboxRow).order_by(OutboxRow.id) if r.kind == "mail"]
    assert mails == ["receipt", "resolution_notice_1", "contact_attempt_2", "contact_attempt_3"]
    walk.do("closure_checklist", "net.tekniker", {
        "work_is_clear": True, "test_handled": True, "customer_accepted_solution": False,
        "customer_knows_case_closed": True, "contact_attempts_made": True, "documentation_changed": False})
    assert walk.doc()["status"] == "closed"


def test_h_r1_3_customer_reports_unsolved_goes_back_to_work(session, runtime):
    walk = resolved_walk(session, runtime)
    walk.do("call_customer", "net.tekniker", {"call_outcome": "reached", "customer_confirmed": False,
                                              "customer_reports_unsolved": True})
    assert walk.open_ids() == ["work_on_case"]


def test_h_r1_3_confirmation_only_when_reached_and_wrong_numbers_do_not_count(session, runtime):
    walk = resolved_walk(session, runtime)
    # "confirmed" is only shown when the customer was reached (show_if): otherwise it is dropped
    walk.do("call_customer", "net.tekniker", {"call_outcome": "wrong_number", "customer_confirmed": True,
                                              "customer_reports_unsolved": False})
    case = session.query(CaseRow).one()
    assert [(a.channel, a.counts, a.confirmed) for a in attempts_of(session, case.id)] == [
        ("mail", True, False), ("phone", False, False)]


def test_h_r1_3_a_mail_reply_while_waiting_is_reviewed_and_can_confirm(session, runtime):
    walk = resolved_walk(session, runtime)
    walk.do("call_customer", "net.tekniker", NO_ANSWER)
    deliver_customer_reply(session, runtime, case_number=walk.number, text="Ja tak, det virker nu", now=walk.now())
    session.commit()
    assert walk.open_ids() == ["review_customer_reply"]
    assert session.query(WaitingTimerRow).count() == 0           # the timer branch was withdrawn
    walk.do("review_customer_reply", "net.tekniker", {"customer_confirmed": True, "customer_reports_unsolved": False})
    assert walk.open_ids() == ["closure_checklist"]


def test_h_r1_3_closing_before_the_guard_is_refused_naming_what_is_missing(session, runtime):
    walk = resolved_walk(session, runtime)
    case = session.query(CaseRow).one()
    ctx = OperationContext(session=session, case=case, actor="net.tekniker", now=datetime.now(timezone.utc),
                           handbook=handbook(), directory=DbDirectory(session))
    with pytest.raises(InvalidState) as err:
        require_contact_guard(ctx)
    message = str(err.value)
    assert message.startswith("Sagen kan ikke lukkes endnu: ")
    assert "2 kontaktforsøg mere" in message and "via telefon" in message
