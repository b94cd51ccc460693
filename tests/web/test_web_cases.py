"""Registration (H-V1), task forms rendered from the diagrams with per-field errors (H-V1.1, H-V2),
the case page with Work Info (H-R1.1) and the diagram position, and a case worked from registration
to closed through the pages by the service desk, a coordinator and a technician (H-R1.5)."""
from __future__ import annotations

import re

from webclient import ANSWERS, NEW_CASE, TRIAGE, actor_for, complete, open_tasks, register, task_of

def test_h_v1_registration_lands_on_the_first_task_of_the_new_case(web):
    user = web("sd.tekniker")
    response = register(user)
    page = user.get(response.headers["location"])
    assert 'data-bpmn-id="classify_case"' in page.text and "SF-INC-000001" in page.text
    assert "Sagen er registreret. SF-INC-000001" in page.text


def test_h_v1_registration_errors_are_shown_per_field_and_nothing_is_saved(web):
    user = web("sd.tekniker")
    response = user.post("/cases/new", {**NEW_CASE, "summary": "x", "customer_email": "ikke-en-mail", "impact": "9"})
    assert response.status_code == 422
    for field in ("summary", "customer_email", "impact"):
        assert f'id="err-{field}"' in response.text, field
    assert 'value="ikke-en-mail"' in response.text   # the person's input is kept
    assert user.get("/api/tasks").json() == []


def test_h_v1_1_task_form_is_rendered_from_the_diagram_form(web):
    user = web("sd.tekniker")
    register(user)
    complete(user, "SF-INC-000001", "classify_case", ANSWERS["classify_case"])
    page = user.get(f"/tasks/{task_of(user, 'SF-INC-000001', 'first_triage')['id']}").text
    assert re.search(r'<label for="f-what_not_working">[^<]*<abbr class="req"', page)      # required marker
    assert '<input id="f-affected_count" name="affected_count" value=""\n      type="number"' in page  # long
    assert 'type="radio" name="how_arose"' in page or '<select id="f-how_arose"' in page          # enum
    complete(user, "SF-INC-000001", "first_triage", TRIAGE)
    complete(user, "SF-INC-000001", "choose_team", ANSWERS["choose_team"])
    complete(user, "SF-INC-000001", "questionnaire_application_operations",
             ANSWERS["questionnaire_application_operations"])
    coordinator = web("app.koordinator")
    complete(coordinator, "SF-INC-000001", "confirm_personal_handover", ANSWERS["confirm_personal_handover"])
    distribute = coordinator.get(f"/tasks/{task_of(user, 'SF-INC-000001', 'distribute_case')['id']}").text
    assert 'name="assignee"' in distribute
    complete(coordinator, "SF-INC-000001", "distribute_case", ANSWERS["distribute_case"])
    technician = web("app.tekniker")
    work = technician.get(f"/tasks/{task_of(user, 'SF-INC-000001', 'work_on_case')['id']}").text
    assert '<textarea id="f-solution" name="solution"' in work                                   # multiline
    assert 'type="checkbox" name="request_test_waiver" value="true"' in work                     # boolean


def test_h_v1_1_invalid_answers_get_per_field_errors_and_keep_the_input(web):
    user = web("sd.tekniker")
    register(user)
    complete(user, "SF-INC-000001", "classify_case", ANSWERS["classify_case"])
    task = task_of(user, "SF-INC-000001", "first_triage")
    response = user.post(f"/tasks/{task['id']}", {**TRIAGE, "what_not_working": "", "affected_count": "mange"})
    assert response.status_code == 422
    assert 'id="err-what_not_working"' in response.text and "Feltet skal udfyldes." in response.text
    assert 'id="err-affected_count"' in response.text and "Skal være et helt tal." in response.text
    assert 'value="mange"' in response.text
    assert task_of(user, "SF-INC-000001", "first_triage")["id"] == task["id"]   # nothing moved


def test_prefill_shows_the_case_data_in_the_form(web):
    user = web("sd.tekniker")
    register(user)
    page = user.get(f"/tasks/{task_of(user, 'SF-INC-000001', 'classify_case')['id']}").text
    assert '<option value="incident" selected>' in page


def test_xss_in_work_info_and_form_answers_is_shown_escaped(web):
    user = web("sd.tekniker")
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    register(user, summary=f"Printer {attack}")
    complete(user, "SF-INC-000001", "classify_case", {"classification": "incident", "classification_note": attack})
    user.post("/cases/SF-INC-000001/notes", {"summary": f"Note {attack}", "notes": attack})
    for page in (user.get("/cases/SF-INC-000001").text, user.get("/worklist?view=team").text):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    task = task_of(user, "SF-INC-000001", "first_triage")
    response = user.post(f"/tasks/{task['id']}", {**TRIAGE, "what_works": attack, "affected_count": attack})
    assert response.status_code == 422 and "<img src=x" not in response.text and "&lt;img src=x" in response.text


def test_h_r1_1_work_info_note_from_the_case_page(web):
    user = web("sd.tekniker")
    register(user)
    response = user.post("/cases/SF-INC-000001/notes", {"summary": "Ringede til kunden", "notes": "Ingen svar"})
    assert response.headers["location"] == "/cases/SF-INC-000001#work-info"
    work_info = user.get("/api/cases/SF-INC-000001/work-info").json()
    assert work_info[-1]["summary"] == "Ringede til kunden" and work_info[-1]["author"] == "sd.tekniker"
    short = user.post("/cases/SF-INC-000001/notes", {"summary": "x"})
    assert short.status_code == 422


def test_case_page_diagram_position_has_path_taken_and_current_task(web):
    user = web("sd.tekniker")
    register(user)
    complete(user, "SF-INC-000001", "classify_case", ANSWERS["classify_case"])
    position = user.get("/cases/SF-INC-000001/diagram.json").json()
    assert position["current"] == ["first_triage"] and "classify_case" in position["completed"]
    assert "incident_handling.bpmn" in position["files"]
    page = user.get("/cases/SF-INC-000001").text
    assert '<strong class="current">Første visitation' in page          # the plain fallback without JS
    assert "bpmn-navigated-viewer.production.min.js" in page
    assert user.get("/assets/bpmn-js/bpmn-navigated-viewer.production.min.js").status_code == 200


def test_h_r1_5_a_case_goes_from_registration_to_closed_through_the_pages(web):
    users = {name: web(name) for name in ("sd.tekniker", "app.koordinator", "app.tekniker")}
    register(users["sd.tekniker"], impact="3", urgency="3")
    done = []
    for _ in range(20):
        tasks = open_tasks(users["sd.tekniker"], "SF-INC-000001")
        if not tasks:
            break
        task = tasks[0]
        assert task["bpmn_id"] in ANSWERS, f"no answer for {task['bpmn_id']}"
        user = users[actor_for(task)]
        assert user.get(f"/tasks/{task['id']}").status_code == 200
        complete(user, "SF-INC-000001", task["bpmn_id"], ANSWERS[task["bpmn_id"]])
        done.append(task["bpmn_id"])
    document = users["sd.tekniker"].get("/api/cases/SF-INC-000001").json()
    assert document["status"] == "closed" and document["closed_at"], done
    assert done[:5] == ["classify_case", "first_triage", "choose_team", "questionnaire_application_operations",
                        "distribute_case"]
    authors = {w["event"]: w["author"] for w in document["work_info"]}
    assert authors["task.distribute_case"] == "app.koordinator" and authors["task.work_on_case"] == "app.tekniker"
    assert "Lukket" in users["app.tekniker"].get("/cases/SF-INC-000001").text


def test_a_technician_cannot_complete_a_coordinator_task_through_the_form(web):
    user = web("sd.tekniker")
    register(user, impact="3", urgency="3")
    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations"):
        complete(user, "SF-INC-000001", step, ANSWERS[step])
    technician = web("app.tekniker")
    task = task_of(user, "SF-INC-000001", "distribute_case")
    page = technician.get(f"/tasks/{task['id']}").text
    assert 'type="submit">Udfør' not in page          # the form is shown read-only
    refused = technician.post(f"/tasks/{task['id']}", {"assignee": "app.tekniker"})
    assert refused.status_code == 403 and "Kun koordinatoren for Applikationsdrift må gøre dette." in refused.text
