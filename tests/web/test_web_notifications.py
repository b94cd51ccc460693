"""Notifications, absence and redistribution in the browser and the API (issue 13 items 5, 6; H-R2.2):
the Beskeder page and the unread badge's count, turning a kind off, recording absence from the page, a
coordinator's `POST /api/cases/{number}/reassign`."""
from __future__ import annotations

from sqlalchemy import select

from store.models import AbsenceRow, CaseRow, NotificationRow, UserRow
from webclient import ANSWERS, complete, register, task_of


def _to_distribution(desk, app) -> str:
    register(desk, impact="3", urgency="3")   # medium: no personal handover before distribution
    with app.state.session_factory() as session:
        number = session.execute(select(CaseRow.number)).scalar_one()
    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations"):
        complete(desk, number, step, ANSWERS[step])
    return number


def test_issue_13_the_coordinator_sees_the_badge_count_and_the_message_and_can_turn_it_off(web, app):
    desk, coordinator = web("sd.tekniker"), web("app.koordinator")
    number = _to_distribution(desk, app)
    assert coordinator.api("GET", "/api/notifications/unread").json() == {"unread": 1}
    page = coordinator.get("/beskeder")
    assert 'id="unread-count"' in page.text and "Ny opgave til koordinator" in page.text and number in page.text
    assert coordinator.post("/beskeder/read").status_code == 303
    assert coordinator.api("GET", "/api/notifications/unread").json() == {"unread": 0}
    settings = coordinator.api("POST", "/api/notifications/settings", json={"enabled": {"coordinator_task": False}})
    assert settings.json()["coordinator_task"] is False and settings.json()["assigned"] is True
    assert coordinator.api("POST", "/api/notifications/settings", json={"enabled": {"x": True}}).status_code == 422


def test_h_r2_2_absence_from_the_page_and_redistribution_through_the_api(web, app):
    desk, coordinator, tech = web("sd.tekniker"), web("app.koordinator"), web("app.tekniker")
    number = _to_distribution(desk, app)
    complete(coordinator, number, "distribute_case", {"assignee": "app.tekniker"})
    response = coordinator.post("/absence", {"username": "app.tekniker", "starts": "2026-11-23T08:00",
                                             "ends": "2026-11-27T16:00", "note": "Ferie"})
    assert response.status_code == 303
    with app.state.session_factory() as session:
        assert session.get(UserRow, "app.tekniker").absent is True
        [absence] = session.execute(select(AbsenceRow)).scalars().all()
        assert absence.recorded_by == "app.koordinator"
    assert "Ferie" in coordinator.get("/beskeder").text
    refused = tech.api("POST", f"/api/cases/{number}/reassign", json={"to_user": "app.tekniker2"})
    assert refused.status_code == 403
    assert 'id="reassign-form"' in coordinator.get(f"/cases/{number}").text          # the coordinator's form
    assert 'id="reassign-form"' not in tech.get(f"/cases/{number}").text
    moved = coordinator.api("POST", f"/api/cases/{number}/reassign", json={"to_user": "app.tekniker2"})
    assert moved.status_code == 200 and moved.json()["assignee"] == "app.tekniker2"
    to_absent = coordinator.api("POST", f"/api/cases/{number}/reassign", json={"to_user": "app.tekniker"})
    assert to_absent.status_code == 409 and "fraværende" in to_absent.json()["message"]
    with app.state.session_factory() as session:
        kinds = {(n.username, n.kind) for n in session.execute(select(NotificationRow)).scalars()}
    assert ("app.tekniker2", "assigned") in kinds


def test_h_r2_2_the_distribution_picker_says_who_is_absent_and_refuses_them(web, app):
    desk, coordinator = web("sd.tekniker"), web("app.koordinator")
    number = _to_distribution(desk, app)
    coordinator.post("/absence", {"username": "app.tekniker", "starts": "2026-11-23T08:00",
                                  "ends": "2026-11-27T16:00"})
    task = task_of(coordinator, number, "distribute_case")
    page = coordinator.get(f"/tasks/{task['id']}").text
    assert "Anders Applikation (fraværende til 27-11-2026)" in page
    refused = coordinator.post(f"/tasks/{task['id']}", {"assignee": "app.tekniker"})
    assert refused.status_code == 422 and "er fraværende til 27-11-2026" in refused.text
