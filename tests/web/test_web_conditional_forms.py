"""Forms that follow the answers, through the pages (issue 12; H-R1.2, H-R1.3, H-C): "Behandl sagen"
writes only the chosen outcome's answers to Work Info, the call task refuses "confirmed" together
with "not solved", and the closure checklist does not ask for contact attempts when the customer
confirmed."""
from __future__ import annotations

import pytest

from store.db import session_factory
from webclient import ANSWERS, T0, TRIAGE, complete, register, task_of

NUMBER = "SF-INC-000001"


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def _to_work(web):
    desk = web("sd.tekniker")
    register(desk)
    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations"):
        complete(desk, NUMBER, step, TRIAGE if step == "first_triage" else ANSWERS[step])
    coordinator = web("app.koordinator")
    complete(coordinator, NUMBER, "confirm_personal_handover", ANSWERS["confirm_personal_handover"])
    complete(coordinator, NUMBER, "distribute_case", ANSWERS["distribute_case"])
    return desk, coordinator, web("app.tekniker")


def test_h_r1_2_only_the_chosen_outcomes_answers_reach_work_info(web):
    desk, coordinator, technician = _to_work(web)
    page = technician.get(f"/tasks/{task_of(technician, NUMBER, 'work_on_case')['id']}").text
    assert 'data-field="solution" data-show-if=\'{"args": [{"field": "outcome", "type": "enum"}, {"value": "resolved"}]' in page
    complete(technician, NUMBER, "work_on_case", {"outcome": "escalate", "escalation_reason": "Kræver leverandør",
                                                  "solution": "skal ikke med", "request_test_waiver": True,
                                                  "handover_team": "network"})
    entry = next(w for w in desk.api("GET", f"/api/cases/{NUMBER}/work-info").json()
                 if w["event"] == "task.work_on_case")
    assert "Hvorfor eskaleres sagen?: Kræver leverandør" in entry["notes"]
    for hidden in ("fravælge test", "skal ikke med", "Overdrag til team"):
        assert hidden not in entry["notes"], hidden


def _to_call(web):
    desk, coordinator, technician = _to_work(web)
    complete(technician, NUMBER, "work_on_case", ANSWERS["work_on_case"])
    complete(technician, NUMBER, "test_solution", ANSWERS["test_solution"])
    return desk, technician


def test_h_r1_3_confirmed_and_not_solved_at_once_is_refused(web):
    desk, technician = _to_call(web)
    task = task_of(technician, NUMBER, "call_customer")
    response = technician.post(f"/tasks/{task['id']}", {"call_outcome": "reached", "customer_confirmed": "true",
                                                        "customer_reports_unsolved": "true"})
    assert response.status_code == 422
    assert "Kan ikke vælges sammen med »Kunden bekræfter, at sagen er løst«" in response.text
    assert task_of(technician, NUMBER, "call_customer")["id"] == task["id"]   # nothing moved


def test_h_c_the_closure_checklist_does_not_ask_for_contact_attempts_after_a_confirmation(web):
    desk, technician = _to_call(web)
    complete(technician, NUMBER, "call_customer", ANSWERS["call_customer"])
    answers = {k: v for k, v in ANSWERS["closure_checklist"].items() if k != "contact_attempts_made"}
    task = task_of(technician, NUMBER, "closure_checklist")
    response = technician.post(f"/tasks/{task['id']}", {k: "true" for k, v in answers.items() if v})
    assert response.status_code == 303, response.text[-800:]
    assert desk.api("GET", f"/api/cases/{NUMBER}").json()["status"] == "closed"
