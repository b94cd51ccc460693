"""The clocks on real cases (issue 12; H-S1): reaction from receipt on a provisional priority, the
start of work is the technician's Påbegynd (not distribution), the time resolved before a reopen is
not resolution time, warnings state the deadline and reach the coordinator and assignee too, and the
receipt mail states the receipt time."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from domain.calendar import local_text
from services.watchdog import sweep
from store.db import session_factory
from store.models import HumanTaskRow, OutboxRow

from casewalk import T0, TRIAGE, CaseWalk


def at(text):
    return datetime.fromisoformat(text) if text else None


def test_h_s1_a_new_case_has_a_reaction_deadline_from_receipt_before_triage(session, runtime):
    walk = CaseWalk(session, runtime, impact=2, urgency=2)      # 2 x 2 -> high: reaction 30 min (gold, 24 x 7)
    doc = walk.doc()
    assert doc["priority"] == "high" and at(doc["sla"]["reaction_due"]) == T0 + timedelta(minutes=30)
    task = session.scalars(select(HumanTaskRow).where(HumanTaskRow.bpmn_id == "classify_case")).one()
    assert task.sla_due_at == T0 + timedelta(minutes=30)       # so it sorts first in the worklist
    receipt = session.scalars(select(OutboxRow).where(OutboxRow.idempotency_key.like("%:receipt"))).one()
    assert receipt.payload["context"]["received"] == "23. november 2026 kl. 10.00"   # receipt, not sending time
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    walk.do("first_triage", "sd.tekniker", {**TRIAGE, "impact": "1", "urgency": "1"})   # triage refines it
    assert walk.doc()["priority"] == "critical"
    assert at(walk.doc()["sla"]["reaction_due"]) == T0 + timedelta(minutes=10)


def test_h_s1_time_resolved_before_a_reopen_is_not_resolution_time(session, runtime):
    walk = CaseWalk(session, runtime)                           # medium, gold: 2 working days = 48 h
    walk.to_work()
    started = at(walk.doc()["started_at"])
    walk.resolve()                                              # resolved at +5 min after the start
    resolved = at(walk.doc()["resolved_at"])
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne Hansen", "test_outcome": "failed",
                                              "tested_with_customer": True})   # back to work: reopened
    doc = walk.doc()
    reopened = at(doc["work_info"][-1]["time"])
    assert doc["resolved_at"] is None
    assert doc["sla"]["pauses"] == [{"start": resolved.isoformat(), "end": reopened.isoformat(), "reason": "resolved"}]
    assert at(doc["sla"]["resolution_due"]) == started + timedelta(hours=48) + (reopened - resolved)


def test_h_s_warning_states_the_deadline_and_reaches_coordinator_and_assignee(session, runtime, db_engine):
    walk = CaseWalk(session, runtime, impact=1, urgency=1)      # critical: resolution 4 h, warning at 3 h
    walk.to_distribution()
    walk.do("confirm_personal_handover", "net.koordinator", {"received_by": "net.tekniker",
                                                             "received_channel": "phone", "receipt_confirmed": True})
    walk.do("distribute_case", "net.koordinator", {"assignee": "net.tekniker"})
    walk.start_work("net.tekniker")
    started = at(walk.doc()["started_at"])
    sweep(session_factory(db_engine), runtime, now=started + timedelta(hours=3, minutes=1))
    session.expire_all()
    [note] = [row for row in session.scalars(select(OutboxRow).where(OutboxRow.kind == "notification"))
              if row.payload.get("purpose") == "sla_warning" and "contacts" in row.payload]
    assert f"udløber {local_text(started + timedelta(hours=4))}" in note.payload["summary"]   # not the warning time
    mails = {c["email"] for c in note.payload["contacts"] if c.get("email")}
    assert {"net.koordinator@example.org", "net.tekniker@example.org"} <= mails
