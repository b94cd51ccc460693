"""The REST API (issue 5): cases (H-V1), tasks with claim and complete (H-R2.2), Work Info (H-R1.1),
diagrams, and the OpenAPI description; errors as JSON with per-field messages."""
from __future__ import annotations

from webclient import ANSWERS

CASE = {"case_type": "incident", "summary": "VPN virker ikke", "impact": 3, "urgency": 3, "sla_level": "silver",
        "customer_name": "Test Kunde", "customer_email": "kunde@example.org"}


def test_h_v1_open_and_show_a_case(web):
    desk = web("sd.tekniker")
    created = desk.api("POST", "/api/cases", json=CASE)
    assert created.status_code == 201
    body = created.json()
    assert body["number"] == "SF-INC-000001" and [t["bpmn_id"] for t in body["open_tasks"]] == ["classify_case"]
    shown = desk.get("/api/cases/SF-INC-000001").json()
    assert shown["summary"] == "VPN virker ikke" and shown["work_info"][0]["event"] == "case_registered"
    invalid = desk.api("POST", "/api/cases", json={**CASE, "impact": 7})
    assert invalid.status_code == 422 and "impact" in invalid.json()["message"]
    assert desk.get("/api/cases/INC999").json() == {"error": "not_found", "message": "unknown case INC999"}


def test_h_r2_2_list_claim_and_complete_with_field_errors(web):
    desk = web("sd.tekniker")
    desk.api("POST", "/api/cases", json=CASE)
    task = desk.get("/api/tasks?view=unassigned").json()[0]
    assert task["case"] == "SF-INC-000001" and task["sla"]["state"] == "none"
    assert desk.api("POST", f"/api/tasks/{task['id']}/claim").json() == {"claimed": task["id"], "by": "sd.tekniker"}
    assert desk.get("/api/tasks?view=mine").json()[0]["assignee"] == "sd.tekniker"
    wrong = desk.api("POST", f"/api/tasks/{task['id']}/complete", json={"data": {"classification": "nonsense"}})
    assert wrong.status_code == 422 and set(wrong.json()["fields"]) == {"classification"}
    done = desk.api("POST", f"/api/tasks/{task['id']}/complete", json={"data": ANSWERS["classify_case"]})
    assert done.status_code == 200 and done.json()["status"] == "in_triage"
    again = desk.api("POST", f"/api/tasks/{task['id']}/complete", json={"data": ANSWERS["classify_case"]})
    assert again.status_code == 409 and again.json()["error"] == "invalid_state"
    assert desk.get("/api/tasks?view=everything").status_code == 409


def test_h_r1_1_work_info_and_diagram(web):
    desk = web("sd.tekniker")
    desk.api("POST", "/api/cases", json=CASE)
    assert desk.api("POST", "/api/cases/SF-INC-000001/work-info",
                    json={"summary": "Kunden ringede igen", "notes": "<b>utålmodig</b>"}).status_code == 201
    entries = desk.get("/api/cases/SF-INC-000001/work-info").json()
    assert entries[-1]["summary"] == "Kunden ringede igen" and entries[-1]["notes"] == "<b>utålmodig</b>"
    position = desk.get("/api/cases/SF-INC-000001/diagram").json()
    assert position["current"] == ["classify_case"] and position["definition_id"] == 1
    assert [v["id"] for v in desk.get("/api/diagrams").json()] == [1]


def test_openapi_describes_only_the_api_and_the_docs_page_needs_no_outside_assets(web):
    user = web("admin")
    schema = user.get("/api/openapi.json").json()
    assert "/api/tasks/{task_id}/complete" in schema["paths"] and all(p.startswith("/api") for p in schema["paths"])
    docs = user.get("/api/docs").text
    assert "/api/cases/{number}/work-info" in docs and "cdn" not in docs.lower()
