"""The case beside the form (issue 12; H-V1, H-R1.1, H-R5): every task page shows the case header,
the customer card, the triage facts and the latest Work Info; a task deciding on a proposal shows
it (the rejection reason); a task the person may not do says why and offers no half-enabled form."""
from __future__ import annotations

import re

import pytest

from store.db import session_factory
from webclient import ANSWERS, T0, TRIAGE, complete, register, task_of


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="card [^"]*" id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no #{section_id} on the page"
    return match.group(1)


def _to_work(web, number):
    desk = web("sd.tekniker")
    complete(desk, number, "classify_case", ANSWERS["classify_case"])
    complete(desk, number, "first_triage", {**TRIAGE, "end_user_name": "Bo Bruger", "end_user_phone": "87654321",
                                            "vit_technician": "Vera VIT, kælderen, 1234"})
    complete(desk, number, "choose_team", ANSWERS["choose_team"])
    complete(desk, number, "questionnaire_application_operations", ANSWERS["questionnaire_application_operations"])
    coordinator = web("app.koordinator")
    complete(coordinator, number, "confirm_personal_handover", ANSWERS["confirm_personal_handover"])
    complete(coordinator, number, "distribute_case", ANSWERS["distribute_case"])
    return desk, coordinator


def test_h_v1_every_task_page_shows_the_case_customer_triage_and_latest_work_info(web):
    desk = web("sd.tekniker")
    register(desk, customer_name="Hanne Hansen", customer_phone="11223344")
    number = "SF-INC-000001"
    complete(desk, number, "classify_case", ANSWERS["classify_case"])
    complete(desk, number, "first_triage", {**TRIAGE, "end_user_location": "Afsnit 7, stue 3"})
    page = desk.get(f"/tasks/{task_of(desk, number, 'choose_team')['id']}").text
    customer = _section(page, "customer-card")
    assert "Hanne Hansen" in customer and 'href="tel:11223344"' in customer and "Afsnit 7, stue 3" in customer
    triage = _section(page, "triage-facts")
    assert "Kan ikke logge på journalsystemet" in triage and "Hvordan opstod problemet?" in triage
    assert "Pludseligt" in triage and "suddenly" not in triage         # option names, not ids
    latest = _section(page, "latest-work-info")
    assert "Første visitation" in latest and "Sara Servicedesk" in latest   # people by display name
    header = page.split('id="case-context"', 1)[1]
    assert number in header and "Journalsystemet svarer ikke" in header


def test_h_r5_the_rejection_review_shows_the_technicians_reason(web):
    register(web("sd.tekniker"))
    number = "SF-INC-000001"
    desk, coordinator = _to_work(web, number)
    technician = web("app.tekniker")
    complete(technician, number, "work_on_case", {"outcome": "propose_rejection",
                                                  "rejection_reason": "Hører under leverandøren, ikke os"})
    page = coordinator.get(f"/tasks/{task_of(coordinator, number, 'review_rejection')['id']}").text
    proposal = _section(page, "case-proposal")
    assert "Begrundelse for afvisning" in proposal and "Hører under leverandøren, ikke os" in proposal
    customer = _section(page, "customer-card")
    assert "Bo Bruger" in customer and "Vera VIT, kælderen, 1234" in customer


def test_a_task_the_person_may_not_do_says_why_and_is_fully_disabled(web):
    register(web("sd.tekniker"))
    number = "SF-INC-000001"
    desk, coordinator = _to_work(web, number)
    technician = web("app.tekniker")
    complete(technician, number, "work_on_case", {"outcome": "escalate", "escalation_reason": "Kræver leverandør"})
    page = technician.get(f"/tasks/{task_of(technician, number, 'handle_escalation')['id']}").text
    assert "Kun koordinatoren for Applikationsdrift kan udføre denne opgave." in page
    assert '<fieldset class="plain" disabled>' in page and ">Udfør</button>" not in page
    assert "Kræver leverandør" in _section(page, "case-proposal")
