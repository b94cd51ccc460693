"""Every path of the shipped diagrams, driven through the service layer with a commit and a full
reload from the database between steps."""
from __future__ import annotations

import pytest

from domain.errors import Forbidden, FormInvalid
from services.messages import deliver_customer_reply
from store.models import OutboxRow, ProcessInstanceRow

from casewalk import TRIAGE, CaseWalk


def events(walk):
    return [w["event"] for w in walk.doc()["work_info"]]


def outbox(session, purpose=None):
    session.expire_all()
    rows = session.query(OutboxRow).order_by(OutboxRow.id).all()
    return [r for r in rows if purpose is None or r.payload.get("purpose") == purpose]


def test_h_r3_1_resolved_with_named_test_persons_then_closed_with_cmdb_mail(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    assert walk.doc()["status"] == "in_progress"
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne Hansen\nPer Persen", "test_outcome": "passed",
                                              "tested_with_customer": True})
    walk.accept_and_close(documentation_changed=True)
    doc = walk.doc()
    assert doc["status"] == "closed" and doc["closed_at"] and doc["open_tasks"] == []
    assert doc["priority"] == "medium" and doc["team"] == "network" and doc["assignee"] == "net.tekniker"
    assert events(walk) == ["case_registered", "task.classify_case", "task.first_triage", "task.choose_team",
                            "task.questionnaire_network", "task.distribute_case", "work_started", "task.work_on_case",
                            "solution",
                            "task.test_solution", "contact_attempt", "task.call_customer", "contact_attempt",
                            "contact_guard", "task.closure_checklist", "cmdb_update", "case_closed"]
    test_info = next(w for w in doc["work_info"] if w["event"] == "task.test_solution")
    assert "Hanne Hansen" in test_info["notes"] and test_info["type"] == "Resolution Communications"
    assert [r.payload["purpose"] for r in outbox(session) if r.kind == "mail"] == ["receipt", "resolution_notice_1", "cmdb_update",
                                                               "closure"]   # the closing mail (issue 13)
    assert outbox(session, "cmdb_update")[0].payload["to"] == "cmdb@example.org"
    assert "60-143B" in outbox(session, "cmdb_update")[0].payload["context"]["changes"][0]
    assert session.query(ProcessInstanceRow).one().status == "completed"


def test_h_r3_2_test_waived_by_coordinator_is_recorded_with_name(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve(request_test_waiver=True)
    walk.do("decide_test_waiver", "net.koordinator", {"waive_test": "waive", "waiver_reason": "Ren konfigurationsændring"})
    assert walk.open_ids() == ["call_customer"]
    waiver = next(w for w in walk.doc()["work_info"] if w["event"] == "test_waiver")
    assert "net.koordinator" in waiver["summary"] and waiver["author"] == "net.koordinator"
    walk.accept_and_close()
    assert walk.doc()["status"] == "closed"


def test_h_r3_2_waiver_by_a_technician_is_refused_and_changes_nothing(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve(request_test_waiver=True)
    before = walk.doc()
    with pytest.raises(Forbidden, match="only the coordinator"):
        walk.do("decide_test_waiver", "net.tekniker", {"waive_test": "waive", "waiver_reason": "Ikke nødvendigt"})
    assert walk.doc() == before


def test_h_r3_2_coordinator_can_require_the_test(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve(request_test_waiver=True)
    walk.do("decide_test_waiver", "net.koordinator", {"waive_test": "require", "waiver_reason": "Patientkritisk"})
    assert walk.open_ids() == ["test_solution"]
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "failed",
                                              "tested_with_customer": False})
    assert walk.open_ids() == ["work_on_case"]   # failed test goes back to the technician


def test_h_r2_1_escalation_to_coordinator_with_guidance_and_reassignment(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "escalate", "escalation_reason": "Kender ikke switchen"})
    assert walk.open_ids() == ["handle_escalation"]
    with pytest.raises(Forbidden):
        walk.do("handle_escalation", "net.tekniker", {"escalation_decision": "guidance", "escalation_guidance": "x"})
    walk.do("handle_escalation", "net.koordinator", {"escalation_decision": "reassign", "assignee": "net.koordinator"})
    assert walk.open_ids() == ["work_on_case"] and walk.doc()["assignee"] == "net.koordinator"
    walk.do("work_on_case", "net.koordinator", {"outcome": "escalate", "escalation_reason": "Stadig uklart"})
    walk.do("handle_escalation", "net.koordinator", {"escalation_decision": "guidance",
                                                     "escalation_guidance": "Tjek VLAN 12"})
    assert walk.doc()["assignee"] == "net.koordinator"   # guidance keeps the assignee
    assert events(walk).count("task.handle_escalation") == 2


def test_h_r4_handover_names_receiver_and_channel_and_passes_the_new_teams_triage(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {
        "outcome": "handover", "handover_team": "application_operations", "handover_receiver": "app.koordinator",
        "handover_channel": "phone", "handover_reason": "Fejlen ligger i applikationen, ikke netværket"})
    doc = walk.doc()
    handover = next(w for w in doc["work_info"] if w["event"] == "handover")
    assert "app.koordinator" in handover["summary"] and "telefonisk" in handover["summary"]
    assert "applikationen" in handover["notes"] and handover["type"] == "Incident Task / Action"
    assert doc["team"] == "application_operations" and doc["assignee"] is None
    assert walk.open_ids() == ["questionnaire_application_operations"]   # H-V2 before the team gets it
    walk.do("questionnaire_application_operations", "sd.tekniker",
            {"service_desk_tried": "Genstart", "symptom_reproduction": "Log på"})
    with pytest.raises(Forbidden):
        walk.do("distribute_case", "net.koordinator", {"assignee": "app.tekniker"})
    walk.do("distribute_case", "app.koordinator", {"assignee": "app.tekniker"})
    assert walk.open_ids() == ["work_on_case"]


def test_h_r4_1_handover_receiver_must_belong_to_the_receiving_team(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    with pytest.raises(FormInvalid) as err:
        walk.do("work_on_case", "net.tekniker", {
            "outcome": "handover", "handover_team": "application_operations", "handover_receiver": "db.tekniker",
            "handover_channel": "in_person", "handover_reason": "x"})
    assert set(err.value.errors) == {"handover_receiver"}
    with pytest.raises(FormInvalid) as err:
        walk.do("work_on_case", "net.tekniker", {"outcome": "handover"})
    assert {"handover_team", "handover_receiver", "handover_channel", "handover_reason"} <= set(err.value.errors)


def test_h_r5_rejection_approved_by_coordinator_records_reason_and_mails_customer(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "propose_rejection", "rejection_reason": "Privat udstyr"})
    with pytest.raises(Forbidden):
        walk.do("review_rejection", "net.tekniker", {"rejection_decision": "approve",
                                                     "rejection_decision_reason": "Enig"})
    walk.do("review_rejection", "net.koordinator", {"rejection_decision": "approve",
                                                    "rejection_decision_reason": "Udstyret er ikke regionens"})
    doc = walk.doc()
    assert doc["status"] == "rejected" and doc["open_tasks"] == []
    rejection = next(w for w in doc["work_info"] if w["event"] == "rejection")
    assert "net.koordinator" in rejection["summary"] and "Privat udstyr" in rejection["notes"]
    assert rejection["view_access"] == "public"
    assert outbox(session, "rejection")[0].payload["context"]["reason"] == "Privat udstyr"


def test_h_r5_rejection_refused_returns_to_the_technician(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "propose_rejection", "rejection_reason": "Privat udstyr"})
    walk.do("review_rejection", "net.koordinator", {"rejection_decision": "refuse",
                                                    "rejection_decision_reason": "Vi hjælper alligevel"})
    assert walk.open_ids() == ["work_on_case"]
    review = next(w for w in walk.doc()["work_info"] if w["event"] == "task.review_rejection")
    assert "Vi hjælper alligevel" in review["notes"]
    assert outbox(session, "rejection") == []


def test_h_r1_4_information_request_waits_for_the_answer(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information",
                                             "information_needed": "Stiknummer\nSkærmbillede af fejlen"})
    doc = walk.doc()
    assert doc["status"] == "waiting_for_customer" and walk.open_ids() == ["record_customer_answer"]
    assert outbox(session, "information_request")[0].payload["context"]["items"] == ["Stiknummer",
                                                                                    "Skærmbillede af fejlen"]
    walk.do("record_customer_answer", "net.tekniker", {"customer_answer": "60-143B", "answer_channel": "phone"})
    assert walk.doc()["status"] == "in_progress" and walk.open_ids() == ["work_on_case"]


def test_h_r1_4_a_mail_reply_is_delivered_into_the_waiting_instance(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    deliver_customer_reply(session, runtime, case_number=walk.number, text="Det er 60-143B", now=walk.now())
    session.commit()
    assert walk.open_ids() == ["work_on_case"]
    reply = next(w for w in walk.doc()["work_info"] if w["event"] == "customer_reply")
    assert reply["notes"] == "Det er 60-143B" and reply["type"] == "Customer Communication"


@pytest.mark.parametrize("classification, unit_email, end_event_summary", [
    ("complaint", "kundeafdelingen@example.org", "Kundeafdelingen"),
    ("proposal", "servicedesign@example.org", "Service Design"),
    ("information_advice", "kunderelationer@example.org", "Kunderelationer")])
def test_h_t4_complaints_proposals_and_advice_leave_the_flow_with_work_info(session, runtime, classification,
                                                                          unit_email, end_event_summary):
    walk = CaseWalk(session, runtime)
    walk.do("classify_case", "sd.tekniker", {"classification": classification})
    doc = walk.doc()
    assert doc["status"] == "routed" and doc["open_tasks"] == [] and doc["process"]["status"] == "completed"
    routed = next(w for w in doc["work_info"] if w["event"] == "routed")
    assert end_event_summary in routed["summary"]
    forward, told = outbox(session)[-2:]
    assert forward.payload["to"] == unit_email
    assert told.payload["template"] == "routed" and told.payload["to"] == "kunde@example.org"   # issue 13
    assert told.payload["context"]["unit"] == end_event_summary


def test_h_d4_critical_case_is_handed_over_personally_at_every_team_and_starts_on_call(session, runtime):
    walk = CaseWalk(session, runtime, impact=1, urgency=1)
    walk.to_distribution()
    doc = walk.doc()
    assert doc["priority"] == "critical"
    assert "on_call_started" in events(walk) and outbox(session, "on_call")   # H-V1.2
    assert walk.open_ids() == ["confirm_personal_handover"]
    with pytest.raises(FormInvalid) as err:
        walk.do("confirm_personal_handover", "net.koordinator", {"received_by": "net.tekniker",
                                                                 "received_channel": "phone", "receipt_confirmed": False})
    assert set(err.value.errors) == {"receipt_confirmed"}
    walk.do("confirm_personal_handover", "net.koordinator", {"received_by": "net.tekniker",
                                                             "received_channel": "in_person", "receipt_confirmed": True})
    walk.do("distribute_case", "net.koordinator", {"assignee": "net.tekniker"})
    walk.do("work_on_case", "net.tekniker", {
        "outcome": "handover", "handover_team": "application_operations", "handover_receiver": "app.tekniker",
        "handover_channel": "in_person", "handover_reason": "Applikationsfejl"})
    walk.do("questionnaire_application_operations", "sd.tekniker",
            {"service_desk_tried": "Genstart", "symptom_reproduction": "Log på"})
    assert walk.open_ids() == ["confirm_personal_handover"]   # again at the new team
    walk.do("confirm_personal_handover", "app.tekniker", {"received_by": "app.tekniker",
                                                          "received_channel": "in_person", "receipt_confirmed": True})
    assert events(walk).count("task.confirm_personal_handover") == 2


def test_h_v1_1_more_than_three_affected_needs_three_names_and_changes_nothing(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    before = walk.doc()
    with pytest.raises(FormInvalid) as err:
        walk.do("first_triage", "sd.tekniker", {**TRIAGE, "affected_count": 5, "affected_users": "Anne\nBo"})
    assert err.value.errors == {"affected_users": "Angiv mindst 3 navne, når flere end 3 brugere er berørt (H-V1.1)."}
    assert walk.doc() == before
    walk.do("first_triage", "sd.tekniker", {**TRIAGE, "affected_count": 5, "affected_users": "Anne\nBo\nCarl"})
    assert walk.open_ids() == ["choose_team"]


def test_h_v1_priority_comes_from_the_dmn_matrix(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    walk.do("first_triage", "sd.tekniker", {**TRIAGE, "impact": "4", "urgency": "1"})
    assert walk.doc()["priority"] == "high"
    assert (walk.doc()["impact"], walk.doc()["urgency"]) == (4, 1)
