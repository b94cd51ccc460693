"""Re-prioritising a case (issue 12; H-V1.2, H-S, H-D4): the service desk or the case's coordinator
changes impact/urgency with a reason; the DMN decides, Work Info records it, the deadlines follow and
a case raised to critical starts the on-call procedure. Anyone else is refused; nothing changes."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from store.db import session_factory
from webclient import ANSWERS, T0, TRIAGE, complete, register

NUMBER = "SF-INC-000001"


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def _triaged(web):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3", sla_level="gold")
    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations"):
        complete(desk, NUMBER, step, TRIAGE if step == "first_triage" else {**ANSWERS[step]})
    return desk


def test_h_v1_2_raising_a_case_to_critical_starts_on_call_and_tightens_the_deadline(web, clock):
    desk = _triaged(web)
    before = desk.api("GET", f"/api/cases/{NUMBER}").json()
    assert before["priority"] == "medium" and before["sla"]["reaction_due"] is None
    clock.advance(minutes=20)
    response = desk.post(f"/cases/{NUMBER}/priority", {"impact": "1", "urgency": "1",
                                                       "reason": "Hele afdelingen er ramt"})
    assert response.status_code == 303
    after = desk.api("GET", f"/api/cases/{NUMBER}").json()
    assert (after["priority"], after["impact"], after["urgency"]) == ("critical", 1, 1)
    assert datetime.fromisoformat(after["sla"]["reaction_due"]) == T0 + timedelta(minutes=10)   # from receipt
    events = [w["event"] for w in after["work_info"]]
    assert "reprioritised" in events and "on_call_started" in events
    entry = next(w for w in after["work_info"] if w["event"] == "reprioritised")
    assert entry["summary"] == "Prioritet ændret fra Medium til Kritisk"
    assert "Begrundelse: Hele afdelingen er ramt" in entry["notes"] and "Påvirkning 3 → 1" in entry["notes"]
    # the process follows: the critical case now asks for the personal handover before distribution
    tasks = [t["bpmn_id"] for t in desk.api("GET", f"/api/tasks?case={NUMBER}").json()]
    assert "confirm_personal_handover" in tasks or "distribute_case" in tasks
    page = desk.get(f"/cases/{NUMBER}")
    assert "Prioriteten er nu Kritisk – driftsvagten er underrettet" in page.text


def test_h_v1_2_only_service_desk_or_coordinator_and_a_reason_is_required(web):
    desk = _triaged(web)
    technician = web("app.tekniker")
    refused = technician.api("POST", f"/api/cases/{NUMBER}/priority", {"impact": 1, "urgency": 1, "reason": "Vigtig"})
    assert refused.status_code == 403
    no_reason = desk.post(f"/cases/{NUMBER}/priority", {"impact": "1", "urgency": "1", "reason": ""})
    assert no_reason.status_code == 303
    assert desk.api("GET", f"/api/cases/{NUMBER}").json()["priority"] == "medium"     # nothing changed
    assert "Skriv en begrundelse på 3-2000 tegn." in desk.get(f"/cases/{NUMBER}").text
    coordinator = web("app.koordinator")
    ok = coordinator.api("POST", f"/api/cases/{NUMBER}/priority",
                         {"impact": 2, "urgency": 2, "reason": "Flere brugere ramt", "coverage": "24x7"})
    assert ok.status_code == 200 and ok.json()["priority"] == "high" and ok.json()["on_call_started"] is True
    assert desk.api("GET", f"/api/cases/{NUMBER}").json()["coverage"] == "24x7"
