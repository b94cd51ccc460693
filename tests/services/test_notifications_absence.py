"""Notifications per event and absence with redistribution (issue 13 items 5 and 6; H-R1.5, H-R2.1, H-R2.2,
H-R3.2, H-R4, H-R5, H-S): who is told, the internal mail in the outbox, opting out, absent people get no
new work (the form says why), a coordinator redistributes a case of the team."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import Forbidden, FormInvalid, InvalidState
from services.absence import end_absence, mark_absent, reassign_case
from store.notifications import change_settings, mark_read, unread_count
from services.watchdog import sweep
from services.reassignment import absent_colleagues
from store.db import session_factory
from store.models import NotificationRow, OutboxRow, UserRow
from casewalk import T0, CaseWalk

APP = {"team": "application_operations", "assignee": "app.tekniker", "coordinator": "app.koordinator"}


def told(session, kind=None):
    session.expire_all()
    return sorted((n.username, n.kind) for n in session.query(NotificationRow) if kind in (None, n.kind))


def internal_mails(session):
    session.expire_all()
    return [r.payload for r in session.query(OutboxRow) if r.payload.get("purpose", "").startswith("notify_")]


def test_issue_13_distribution_tells_the_coordinator_then_the_assignee_by_badge_and_internal_mail(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_distribution()
    assert told(session) == [("net.koordinator", "coordinator_task")]          # Distribuér sagen
    walk.do("distribute_case", "net.koordinator", {"assignee": "net.tekniker"})
    assert ("net.tekniker", "assigned") in told(session)
    mail = next(p for p in internal_mails(session) if p["to"] == "net.tekniker@example.org")
    assert walk.number in mail["summary"] and mail["purpose"] == "notify_assigned"
    assert unread_count(session, username="net.tekniker") == 1
    mark_read(session, username="net.tekniker", now=T0)
    assert unread_count(session, username="net.tekniker") == 0


def test_issue_13_escalation_rejection_proposal_and_waiver_request_reach_the_coordinator(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "escalate", "escalation_reason": "Kender ikke switchen"})
    walk.do("handle_escalation", "net.koordinator", {"escalation_decision": "guidance",
                                                       "escalation_guidance": "Se wiki"})
    walk.do("work_on_case", "net.tekniker", {"outcome": "propose_rejection", "rejection_reason": "Privat udstyr"})
    coordinator = [n for n in session.query(NotificationRow) if n.username == "net.koordinator"]
    summaries = " | ".join(n.summary for n in coordinator)
    assert "Håndtér eskalering" in summaries and len(coordinator) == 3      # distribution, escalation, rejection


def test_issue_13_a_handovers_named_receiver_is_told(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {
        "outcome": "handover", "handover_team": "application_operations", "handover_receiver": "app.koordinator",
        "handover_channel": "phone", "handover_reason": "Fejlen ligger i applikationen"})
    assert ("app.koordinator", "handover") in told(session)


def test_issue_13_sla_warning_and_breach_reach_the_coordinator_and_assignee_and_a_kind_can_be_turned_off(
        session, runtime, db_engine):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    change_settings(session, username="net.koordinator", choices={"sla": False})
    session.commit()
    sweep(session_factory(db_engine), runtime, now=T0 + timedelta(days=40))
    assert told(session, "sla") == [("net.tekniker", "sla")]                   # the coordinator opted out
    assert any(p["purpose"] == "notify_sla" and p["to"] == "net.tekniker@example.org" for p in internal_mails(session))
    sweep(session_factory(db_engine), runtime, now=T0 + timedelta(days=41))
    assert told(session, "sla") == [("net.tekniker", "sla")]                   # once per event
    assert walk.number


def test_h_r2_2_an_absent_person_gets_no_distribution_and_the_form_says_why(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_distribution(team="application_operations")
    mark_absent(session, username="app.tekniker", by_user="app.koordinator", starts_at=T0,
                ends_at=T0 + timedelta(days=3), note="Ferie", now=T0 + timedelta(minutes=1))
    session.commit()
    assert session.get(UserRow, "app.tekniker").absent is True
    assert [u.username for u in absent_colleagues(session, username="app.koordinator")] == ["app.tekniker"]
    with pytest.raises(FormInvalid) as refused:
        walk.do("distribute_case", "app.koordinator", {"assignee": "app.tekniker"})
    assert "fraværende til 26-11-2026" in refused.value.errors["assignee"]
    walk.do("distribute_case", "app.koordinator", {"assignee": "app.tekniker2"})


def test_h_r2_2_only_the_person_or_their_coordinator_records_absence_and_a_sweep_ends_it(session, runtime,
                                                                                         db_engine):
    with pytest.raises(Forbidden):
        mark_absent(session, username="app.tekniker", by_user="net.koordinator", starts_at=T0,
                    ends_at=T0 + timedelta(hours=2), now=T0)
    with pytest.raises(FormInvalid):
        mark_absent(session, username="app.tekniker", by_user="app.tekniker", starts_at=T0, ends_at=T0, now=T0)
    row = mark_absent(session, username="app.tekniker", by_user="app.tekniker", starts_at=T0 + timedelta(hours=1),
                      ends_at=T0 + timedelta(hours=3), now=T0)
    session.commit()
    assert session.get(UserRow, "app.tekniker").absent is False             # not yet
    sweep(session_factory(db_engine), runtime, now=T0 + timedelta(hours=2))
    session.expire_all()
    assert session.get(UserRow, "app.tekniker").absent is True
    end_absence(session, absence_id=row.id, by_user="app.koordinator", now=T0 + timedelta(hours=2, minutes=30))
    session.commit()
    assert session.get(UserRow, "app.tekniker").absent is False


def test_h_r2_2_a_coordinator_redistributes_a_case_of_the_team_with_work_info_and_a_notification(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work(**APP)
    with pytest.raises(Forbidden):
        reassign_case(session, runtime, case_number=walk.number, to_user="app.tekniker2", by_user="app.tekniker",
                      now=T0 + timedelta(hours=1))
    with pytest.raises(InvalidState):
        reassign_case(session, runtime, case_number=walk.number, to_user="net.tekniker", by_user="app.koordinator",
                      now=T0 + timedelta(hours=1))
    reassign_case(session, runtime, case_number=walk.number, to_user="app.tekniker2", by_user="app.koordinator",
                  now=T0 + timedelta(hours=1))
    session.commit()
    doc = walk.doc()
    assert doc["assignee"] == "app.tekniker2"
    assert any(w["event"] == "reassigned" and "app.tekniker2" in w["summary"] for w in doc["work_info"])
    assert ("app.tekniker2", "assigned") in told(session)
    walk.resolve(technician="app.tekniker2")                                  # the new assignee can work it
    assert "test_solution" in walk.open_ids()


def test_issue_13_a_waiver_request_and_an_incoming_handover_reach_the_coordinator(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve(request_test_waiver=True)
    assert f"Ny opgave til koordinator: Beslut om test kan fravælges ({walk.number})" in [
        n.summary for n in session.query(NotificationRow) if n.username == "net.koordinator"]
    other = CaseWalk(session, runtime)
    other.to_work()
    other.do("work_on_case", "net.tekniker", {
        "outcome": "handover", "handover_team": "application_operations", "handover_receiver": "app.tekniker",
        "handover_channel": "phone", "handover_reason": "Fejlen ligger i applikationen"})
    other.do("questionnaire_application_operations", "sd.tekniker",
             {"service_desk_tried": "Genstart", "symptom_reproduction": "Log på"})
    incoming = [n.summary for n in session.query(NotificationRow) if n.username == "app.koordinator"]
    assert any(other.number in s for s in incoming)                  # the receiving team's distribution
    assert ("app.tekniker", "handover") in told(session)
