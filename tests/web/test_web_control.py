"""Issue 11 in the browser: a failing step is recorded (the request rolled back) and shown on the
case page, the administrator's instance list and the coordinator's worklist; a preview before a
case moves to the corrected version; the failed step run again; a case cancelled with a reason."""
from __future__ import annotations

import re

from sqlalchemy import select

from store.models import CaseRow, ProcessInstanceRow
from tests.services.casewalk import APPLICATION, TRIAGE
from tests.services.test_instance_control import BROKEN, _broken, _variant
from webclient import as_form, complete, register, task_of

LABEL = "Fejl i processen ved Kritisk eller høj?"


def _number(response) -> str:
    return re.search(r"SF-INC-\d+", response.headers["location"] + response.text).group(0)


def _failed_case(web, session, runtime):
    fixed, broken = _broken(session, runtime)
    desk = web("sd.tekniker")
    register(desk)
    number = session.execute(select(CaseRow.number).order_by(CaseRow.id.desc())).scalars().first()
    complete(desk, number, "classify_case", {"classification": "incident"})
    response = desk.post(f"/tasks/{task_of(desk, number, 'first_triage')['id']}", as_form(TRIAGE))
    assert response.status_code == 409 and LABEL in response.text
    return desk, number, fixed, broken


def test_failed_step_shown_migrated_with_preview_retried_and_cancelled(web, session, runtime):
    desk, number, fixed, broken = _failed_case(web, session, runtime)
    session.expire_all()
    instance = session.execute(select(ProcessInstanceRow)).scalars().one()
    assert instance.failed_element == "is_critical_or_high" and instance.failed_by == "sd.tekniker"
    page = desk.get(f"/cases/{number}").text
    assert 'id="process-failure"' in page and LABEL in page and 'id="retry-form"' not in page   # seen; not retried by the desk

    admin = web("admin")
    listing = admin.get("/admin/instances").text
    assert number in listing and LABEL in listing
    owner = web("procesejer")
    versions = owner.get("/definitions").text
    assert f'href="/definitions/{broken}/cases"' in versions
    assert number in owner.get(f"/definitions/{broken}/cases").text

    preview = admin.get(f"/cases/{number}/migrate?to={fixed}").text
    assert 'data-possible="true"' in preview and 'data-bpmn-id="first_triage"' in preview
    assert "fortsætter som first_triage" in preview and 'id="migrate-form"' in preview
    session.expire_all()
    assert session.get(ProcessInstanceRow, instance.id).definition_id == broken   # a preview changes nothing
    assert admin.post(f"/cases/{number}/migrate", {"to": str(fixed)}).status_code == 303
    page = admin.get(f"/cases/{number}").text
    assert 'id="process-failure"' in page and 'id="retry-form"' in page   # still to be run again
    assert admin.post(f"/cases/{number}/retry").status_code == 303
    page = admin.get(f"/cases/{number}").text
    assert 'id="process-failure"' not in page and "Fejlet trin kørt igen" in page
    assert task_of(desk, number, "choose_team")

    response = admin.post(f"/cases/{number}/cancel", {"reason": " "})
    assert response.status_code == 303
    session.expire_all()
    assert session.execute(select(CaseRow.status).where(CaseRow.number == number)).scalar_one() != "cancelled"
    assert admin.post(f"/cases/{number}/cancel", {"reason": "Kunden har trukket sagen tilbage"}).status_code == 303
    page = admin.get(f"/cases/{number}").text
    assert "Sagen er annulleret" in page and "Kunden har trukket sagen tilbage" in page
    assert 'id="cancel-form"' not in page


def test_coordinator_worklist_shows_a_failed_case_of_the_team(web, session, runtime):
    _variant(session, runtime, replace=('work_result == "handover"', f'{BROKEN.replace(chr(34), "&quot;")} or work_result == "handover"'))
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3")
    number = session.execute(select(CaseRow.number).order_by(CaseRow.id.desc())).scalars().first()
    complete(desk, number, "classify_case", {"classification": "incident"})
    complete(desk, number, "first_triage", TRIAGE)
    complete(desk, number, "choose_team", {"team": "application_operations"})
    complete(desk, number, "questionnaire_application_operations", APPLICATION)
    coordinator = web("app.koordinator")
    complete(coordinator, number, "distribute_case", {"assignee": "app.tekniker"})
    technician = web("app.tekniker")
    response = technician.post(f"/tasks/{task_of(technician, number, 'work_on_case')['id']}",
                               as_form({"outcome": "resolved", "solution": "Genstartet serveren"}))
    assert response.status_code == 409
    worklist = coordinator.get("/worklist").text
    assert 'id="failed-cases"' in worklist and number in worklist and "Fejl i processen ved" in worklist
    assert 'id="failed-cases"' not in web("net.koordinator").get("/worklist").text   # another team's coordinator


def test_the_same_under_the_api(web, session, runtime):
    desk, number, fixed, broken = _failed_case(web, session, runtime)
    admin = web("admin")
    preview = admin.api("POST", f"/api/cases/{number}/migrate", {"to": fixed, "dry_run": True})
    assert preview.status_code == 200 and preview.json()["possible"] and not preview.json()["migrated"]
    assert admin.api("POST", f"/api/cases/{number}/retry").status_code == 409          # still broken
    assert admin.api("POST", f"/api/cases/{number}/migrate", {"to": fixed}).json()["migrated"]
    retried = admin.api("POST", f"/api/cases/{number}/retry")
    assert retried.status_code == 200 and "choose_team" in retried.json()["open_tasks"]
    refused = admin.api("POST", f"/api/cases/{number}/cancel", {"reason": ""})
    assert refused.status_code == 422 and "reason" in refused.json()["fields"]
    assert web("app.tekniker").api("POST", f"/api/cases/{number}/cancel", {"reason": "Dublet"}).status_code == 403
    done = admin.api("POST", f"/api/cases/{number}/cancel", {"reason": "Dublet af en anden sag"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
