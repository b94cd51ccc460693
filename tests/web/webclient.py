"""Test helpers for the web app: a signed-in client that keeps its CSRF token, and a fixed clock."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

API_TOKEN = "test-api-token-0123456789abcdef"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)   # a Monday, 10:00 in Copenhagen
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


class WebUser:
    def __init__(self, client):
        self.client = client
        self.csrf = None

    def sign_in(self, username: str, password: str | None = None):
        page = self.client.get("/login")
        response = self.client.post("/login", data={"username": username, "password": password or username,
                                                    "csrf_token": csrf_of(page.text), "next": "/"},
                                    follow_redirects=False)
        assert response.status_code == 303, response.text
        self.csrf = csrf_of(self.client.get("/login").text)
        return response

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kw):
        payload = dict(data or {})
        if csrf:
            payload["csrf_token"] = self.csrf
        kw.setdefault("follow_redirects", False)
        return self.client.post(url, data=payload, **kw)

    def api(self, method: str, url: str, json=None, *, csrf: bool = True):
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        return self.client.request(method, url, json=json, headers=headers, follow_redirects=False)


TRIAGE = {"what_not_working": "Kan ikke logge på journalsystemet", "what_works": "Mail virker",
          "customer_tried": "Genstart", "affected_count": "2", "consequence": "Kan ikke arbejde",
          "technician_tried": "Nulstillet adgangskode", "how_arose": "suddenly", "equipment": "desktop",
          "system_name": "Journal", "end_user_location": "Afsnit 3", "reporting_sites": "RH", "occurred_at": "i morges"}
# One valid answer per task of the standard path (team Applikationsdrift), as a browser posts them.
ANSWERS = {
    "classify_case": {"classification": "incident"},
    "first_triage": TRIAGE,
    "choose_team": {"team": "application_operations"},
    "questionnaire_application_operations": {"service_desk_tried": "Genstart", "symptom_reproduction": "Log på -> fejl 500"},
    "confirm_personal_handover": {"received_by": "app.koordinator", "received_channel": "phone",
                                  "receipt_confirmed": True},
    "distribute_case": {"assignee": "app.tekniker"},
    "work_on_case": {"outcome": "resolved", "solution": "Genstartet applikationsserveren"},
    "test_solution": {"test_persons": "Bruger A", "test_outcome": "passed", "tested_with_customer": True},
    "call_customer": {"call_outcome": "reached", "customer_confirmed": True, "call_note": "Kunden bekræfter"},
    "customer_acceptance": {"customer_accepted": True, "customer_informed_solved": True},
    "closure_checklist": {"work_is_clear": True, "test_handled": True, "customer_accepted_solution": True,
                          "customer_knows_case_closed": True, "contact_attempts_made": True,
                          "documentation_changed": False},
}


def as_form(answers: dict) -> dict:
    """What a browser sends: ticked checkboxes as "true", unticked ones not at all."""
    return {k: ("true" if v is True else str(v)) for k, v in answers.items() if v is not False}


def actor_for(task: dict) -> str:
    if task["team"] == "service_desk":
        return "sd.tekniker"
    return "app.koordinator" if task["role"] == "coordinator" else "app.tekniker"


NEW_CASE = {"case_type": "incident", "summary": "Journalsystemet svarer ikke", "impact": "2", "urgency": "2",
            "sla_level": "gold", "customer_name": "Test Kunde", "customer_email": "kunde@example.org",
            "customer_phone": "12345678"}


def register(user, **changes):
    response = user.post("/cases/new", {**NEW_CASE, **changes})
    assert response.status_code == 303, response.text
    return response


def open_tasks(user, number):
    return user.get(f"/api/tasks?case={number}").json()


def task_of(user, number, bpmn_id):
    return next(t for t in open_tasks(user, number) if t["bpmn_id"] == bpmn_id)


def complete(user, number, bpmn_id, answers):
    task = task_of(user, number, bpmn_id)
    response = user.post(f"/tasks/{task['id']}", as_form(answers))
    assert response.status_code == 303, (bpmn_id, response.text[-1500:])
    return response


def to_distribution(desk, number):
    """The service desk's steps of the standard path through the pages: the case then waits for
    Applikationsdrift's coordinator to distribute it."""
    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations"):
        complete(desk, number, step, TRIAGE if step == "first_triage" else ANSWERS[step])
