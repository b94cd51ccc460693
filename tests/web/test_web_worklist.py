"""The worklist (H-R2.2): views, nearest SLA deadline first with warning/breach badges (H-S),
filters and search, claim/release with exactly one winner, the coordinator's decisions through
the same task forms (H-R1.5 distribution, H-R5.1 rejection, H-R3.2 test waiver) and reassignment
of an absent colleague's task with Work Info."""
from __future__ import annotations

import threading
from datetime import datetime

from store.models import UserRow
from webclient import ANSWERS, TRIAGE, complete, open_tasks, register, task_of

FIRST = "SF-INC-000001"
SECOND = "SF-INC-000002"


def to_work(web, number=FIRST, **registration):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3", **registration)
    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations"):
        complete(desk, number, step, ANSWERS[step])
    complete(web("app.koordinator"), number, "distribute_case", ANSWERS["distribute_case"])
    return desk


def rows(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-case="')[1:]]


def test_h_r2_2_views_mine_team_unassigned(web):
    desk = web("sd.tekniker")
    register(desk)
    task = task_of(desk, FIRST, "classify_case")
    assert rows(desk.get("/worklist?view=unassigned").text) == [FIRST]
    assert rows(desk.get("/worklist?view=mine").text) == []
    desk.post(f"/tasks/{task['id']}/claim")
    assert rows(desk.get("/worklist?view=mine").text) == [FIRST]
    assert rows(desk.get("/worklist?view=unassigned").text) == []
    assert rows(desk.get("/worklist?view=team").text) == [FIRST]
    assert rows(web("app.tekniker").get("/worklist?view=team").text) == []   # not their team
    other = web("sd.koordinator").get("/worklist?view=team").text
    assert "Sara Servicedesk" in other and rows(other) == [FIRST]   # "Taget af" by display name


def test_h_s_worklist_is_sorted_by_nearest_deadline_with_warning_and_breach_badges(web, clock):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3", summary="Langsom printer")        # medium: no reaction target
    register(desk, impact="1", urgency="1", summary="Hele afsnittet er nede")  # critical
    for number in (FIRST, SECOND):
        complete(desk, number, "classify_case", ANSWERS["classify_case"])
        complete(desk, number, "first_triage", TRIAGE)
    page = desk.get("/worklist?view=team").text
    assert rows(page) == [SECOND, FIRST]
    sla = desk.get(f"/api/cases/{SECOND}").json()["sla"]
    due, warn = datetime.fromisoformat(sla["reaction_due"]), datetime.fromisoformat(sla["reaction_warn_at"])
    assert 'data-sla="ok"' in page and 'data-sla="none"' in page
    clock.now = warn
    assert 'class="badge sla-warning" data-sla="warning"' in desk.get("/worklist?view=team").text
    clock.now = due
    breached = desk.get("/worklist?view=team").text
    assert 'class="badge sla-breach" data-sla="breach"' in breached and 'countdown">0 t 00 m' in breached
    assert 'data-sla="breach"' in desk.get(f"/cases/{SECOND}").text


def test_h_r2_2_filters_and_search(web):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3", summary="Langsom printer")
    register(desk, impact="1", urgency="1", summary="Hele afsnittet er nede")
    for number in (FIRST, SECOND):
        complete(desk, number, "classify_case", ANSWERS["classify_case"])
        complete(desk, number, "first_triage", TRIAGE)
    assert rows(desk.get("/worklist?view=team&priority=critical").text) == [SECOND]
    assert rows(desk.get("/worklist?view=team&q=printer").text) == [FIRST]
    assert rows(desk.get("/worklist?view=team&q=sf-inc-000002").text) == [SECOND]
    assert rows(desk.get("/worklist?view=team&q=%25").text) == []          # LIKE wildcards are literal
    assert rows(desk.get("/worklist?view=team&status=closed").text) == []
    assert rows(desk.get("/worklist?view=team&team=network").text) == []


def test_claim_and_release(web):
    desk = web("sd.tekniker")
    register(desk)
    task = task_of(desk, FIRST, "classify_case")
    assert desk.post(f"/tasks/{task['id']}/claim").status_code == 303
    assert task_of(desk, FIRST, "classify_case")["assignee"] == "sd.tekniker"
    colleague = web("sd.koordinator")
    refused = colleague.post(f"/tasks/{task['id']}", {"classification": "incident"})
    assert refused.status_code == 403 and "Opgaven er taget af sd.tekniker." in refused.text
    assert desk.post(f"/tasks/{task['id']}/unclaim").status_code == 303
    assert task_of(desk, FIRST, "classify_case")["assignee"] is None


def test_two_people_claiming_at_once_exactly_one_wins(web):
    desk = web("sd.tekniker")
    register(desk)
    task = task_of(desk, FIRST, "classify_case")
    people = [web("sd.tekniker"), web("sd.koordinator")]
    barrier, results = threading.Barrier(2), {}

    def claim(user):
        barrier.wait()
        results[user] = user.api("POST", f"/api/tasks/{task['id']}/claim")

    threads = [threading.Thread(target=claim, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.status_code for r in results.values())
    # the loser either lost the atomic update (409) or already saw the winner's claim (403)
    assert codes[0] == 200 and codes[1] in (403, 409), codes
    loser = next(r for r in results.values() if r.status_code != 200).json()
    winner = next(r for r in results.values() if r.status_code == 200).json()["by"]
    assert loser["message"].endswith(f"claimed by {winner}")
    assert task_of(desk, FIRST, "classify_case")["assignee"] == winner


def test_h_r5_1_coordinator_approves_a_rejection_through_the_form(web):
    desk = to_work(web)
    technician, coordinator = web("app.tekniker"), web("app.koordinator")
    complete(technician, FIRST, "work_on_case", {"outcome": "propose_rejection", "rejection_reason": "Privat udstyr"})
    review = task_of(desk, FIRST, "review_rejection")
    refused = technician.post(f"/tasks/{review['id']}", {"rejection_decision": "approve",
                                                          "rejection_decision_reason": "Enig"})
    assert refused.status_code == 403
    assert review["id"] in coordinator.get("/worklist?view=team").text
    complete(coordinator, FIRST, "review_rejection", {"rejection_decision": "approve",
                                                      "rejection_decision_reason": "Udstyret er ikke regionens"})
    document = desk.get(f"/api/cases/{FIRST}").json()
    assert document["status"] == "rejected"
    rejection = next(w for w in document["work_info"] if w["event"] == "rejection")
    assert "app.koordinator" in rejection["summary"]


def test_h_r3_2_coordinator_waives_the_test_through_the_form(web):
    desk = to_work(web)
    technician, coordinator = web("app.tekniker"), web("app.koordinator")
    complete(technician, FIRST, "work_on_case", {**ANSWERS["work_on_case"], "request_test_waiver": True})
    complete(coordinator, FIRST, "decide_test_waiver", {"waive_test": "waive", "waiver_reason": "Ren konfiguration"})
    waiver = next(w for w in desk.get(f"/api/cases/{FIRST}").json()["work_info"] if w["event"] == "test_waiver")
    assert "app.koordinator" in waiver["summary"] and "test_solution" not in [t["bpmn_id"] for t in open_tasks(desk, FIRST)]


def test_h_r2_2_coordinator_reassigns_an_absent_colleagues_task_with_work_info(web, app):
    desk = to_work(web)
    technician, coordinator = web("app.tekniker"), web("app.koordinator")
    work = task_of(desk, FIRST, "work_on_case")
    technician.post(f"/tasks/{work['id']}/claim")
    assert rows(coordinator.get("/worklist?view=absent").text) == []
    refused = coordinator.post(f"/tasks/{work['id']}/reassign", {"to_user": "app.tekniker2"})
    assert refused.status_code == 409 and "Kun opgaver hos en fraværende kollega kan flyttes" in refused.text
    with app.state.session_factory() as session:
        session.get(UserRow, "app.tekniker").absent = True
        session.commit()
    page = coordinator.get("/worklist?view=absent").text
    assert rows(page) == [FIRST] and '<option>app.tekniker2</option>' in page
    assert technician.post(f"/tasks/{work['id']}/reassign", {"to_user": "app.tekniker2"}).status_code == 403
    wrong_team = coordinator.post(f"/tasks/{work['id']}/reassign", {"to_user": "net.tekniker"})
    assert wrong_team.status_code == 409
    assert coordinator.post(f"/tasks/{work['id']}/reassign", {"to_user": "app.tekniker2"}).status_code == 303
    assert rows(web("app.tekniker2").get("/worklist?view=mine").text) == [FIRST]
    document = desk.get(f"/api/cases/{FIRST}").json()
    moved = next(w for w in document["work_info"] if w["event"] == "reassigned")
    assert "app.tekniker" in moved["summary"] and "app.tekniker2" in moved["summary"]
    assert moved["author"] == "app.koordinator" and document["assignee"] == "app.tekniker2"
    complete(web("app.tekniker2"), FIRST, "work_on_case", ANSWERS["work_on_case"])
    assert desk.get(f"/api/cases/{FIRST}").json()["assignee"] == "app.tekniker2"   # the process data moved too
