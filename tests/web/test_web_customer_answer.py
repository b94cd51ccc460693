"""A customer calling back while the case waits (issue 12; H-R1.3, H-R1.4): the case is in the
Venter view, and from the case page the desk registers the call at any time — the waiting process
gets the answer, Work Info says how it came, and a person reviews it."""
from __future__ import annotations

import pytest

from store.db import session_factory
from webclient import ANSWERS, T0, complete, register, task_of, to_distribution

NUMBER = "SF-INC-000001"


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def test_h_r1_3_a_call_back_while_waiting_for_the_next_attempt_is_registered_from_the_case(web):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3")
    to_distribution(desk, NUMBER)
    coordinator, technician = web("app.koordinator"), web("app.tekniker")
    complete(coordinator, NUMBER, "distribute_case", ANSWERS["distribute_case"])
    complete(technician, NUMBER, "work_on_case", ANSWERS["work_on_case"])
    complete(technician, NUMBER, "test_solution", ANSWERS["test_solution"])
    complete(technician, NUMBER, "call_customer", {"call_outcome": "no_answer"})
    assert desk.api("GET", f"/api/tasks?case={NUMBER}").json() == []          # waits for the next attempt
    waiting = desk.api("GET", "/api/cases?view=waiting").json()["items"]
    assert [c["number"] for c in waiting] == [NUMBER]
    page = desk.get(f"/cases/{NUMBER}").text
    assert 'id="customer-answer-form"' in page
    response = desk.post(f"/cases/{NUMBER}/customer-answer", {"channel": "phone", "text": "Det virker nu, tak"})
    assert response.status_code == 303
    info = desk.api("GET", f"/api/cases/{NUMBER}/work-info").json()
    assert any(w["summary"] == "Kunden har svaret i telefonen" and "Det virker nu" in w["notes"] for w in info)
    assert task_of(desk, NUMBER, "review_customer_reply")                     # a person reviews the answer
