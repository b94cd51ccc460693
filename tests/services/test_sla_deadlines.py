"""SLA deadlines stored on the case (H-S, H-S1, H-R1.4): recomputed after every step, paused while the
case waits for the customer, visible in the case document."""
from __future__ import annotations

from datetime import datetime, timedelta

from services.sla import refresh_deadlines, sla_config
from services.cases import get_case

from casewalk import T0, TRIAGE, CaseWalk


def at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def test_h_s1_reaction_deadline_from_receipt_is_stored_after_triage(session, runtime):
    walk = CaseWalk(session, runtime, impact=1, urgency=1)
    before = walk.doc()                                         # provisional: the registration's 1 x 1
    assert before["priority"] == "critical" and at(before["sla"]["reaction_due"]) == T0 + timedelta(minutes=10)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    walk.do("first_triage", "sd.tekniker", TRIAGE)
    sla = walk.doc()["sla"]
    assert walk.doc()["priority"] == "critical"                 # gold = 24 x 7: 10 min, warning at 75 %
    assert at(sla["reaction_due"]) == T0 + timedelta(minutes=10)
    assert at(sla["reaction_warn_at"]) == T0 + timedelta(minutes=7, seconds=30)
    assert sla["resolution_due"] is None and sla["paused"] is False
    assert at(sla["next_check_at"]) == T0 + timedelta(minutes=7, seconds=30)
    assert sla["events"] == [] and sla["pauses"] == []


def test_h_s1_start_of_work_stops_the_reaction_clock_and_starts_resolution(session, runtime):
    walk = CaseWalk(session, runtime, impact=1, urgency=1)
    walk.to_distribution()
    walk.do("confirm_personal_handover", "net.koordinator", {"received_by": "net.tekniker",
                                                             "received_channel": "phone", "receipt_confirmed": True})
    walk.do("distribute_case", "net.koordinator", {"assignee": "net.tekniker"})
    distributed = walk.doc()                                    # distribution is not the start of work
    assert distributed["started_at"] is None and distributed["sla"]["resolution_due"] is None
    walk.start_work("net.tekniker")                             # the technician's Påbegynd
    doc = walk.doc()
    started = at(doc["started_at"])
    assert started == T0 + timedelta(minutes=35)
    assert any(w["summary"] == "Arbejdet er påbegyndt af Nanna Netværk" for w in doc["work_info"])
    assert at(doc["sla"]["resolution_due"]) == started + timedelta(hours=4)
    assert doc["sla"]["reaction_met"] is False                  # started after the 10 minutes
    assert at(doc["sla"]["next_check_at"]) == started + timedelta(hours=3)   # reaction no longer swept


def test_h_s_priority_change_mid_case_keeps_the_start_and_changes_the_goal(session, runtime):
    walk = CaseWalk(session, runtime)                           # impact 3 / urgency 3 -> medium
    walk.to_work()
    started = at(walk.doc()["started_at"])
    assert walk.doc()["priority"] == "medium"
    assert at(walk.doc()["sla"]["resolution_due"]) == started + timedelta(days=2)   # 2 working days on 24 x 7
    case = get_case(session, walk.number)
    case.priority = "high"
    refresh_deadlines(session, case=case, config=sla_config(runtime.settings.config_dir))
    session.commit()
    sla = walk.doc()["sla"]
    assert at(sla["resolution_due"]) == started + timedelta(hours=8)
    assert at(sla["resolution_warn_at"]) == started + timedelta(hours=6)
    assert sla["reaction_due"] == (T0 + timedelta(minutes=30)).isoformat()   # from receipt, unchanged


def test_h_r1_4_waiting_for_the_customer_pauses_and_moves_resolution_due(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    due_before = at(walk.doc()["sla"]["resolution_due"])
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    doc = walk.doc()
    assert doc["status"] == "waiting_for_customer"
    assert doc["sla"]["paused"] is True and doc["sla"]["resolution_due"] is None
    assert doc["sla"]["next_check_at"] is None                  # nothing to sweep while paused
    [pause] = doc["sla"]["pauses"]
    assert pause["end"] is None
    walk.minute += 120                                          # the customer answers 2 h 5 min later
    walk.do("record_customer_answer", "net.tekniker", {"customer_answer": "60-143B", "answer_channel": "phone"})
    doc = walk.doc()
    [pause] = doc["sla"]["pauses"]
    paused_for = at(pause["end"]) - at(pause["start"])
    assert paused_for == timedelta(minutes=125)
    assert doc["sla"]["paused"] is False
    assert at(doc["sla"]["resolution_due"]) == due_before + paused_for
