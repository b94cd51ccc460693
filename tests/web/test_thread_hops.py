"""Issue 15: the busiest requests take one trip through the threadpool (web.auth.in_one_hop; the session
ends in that thread, so closing it needs no second one) — FastAPI would run the guard, the clock, the
endpoint, the response model's validation and the session's close each in a thread of its own. The guard still decides: no sign-in, a wrong role, a missing CSRF
token and a stranger's case are refused exactly as before."""
from __future__ import annotations

import anyio.to_thread
import pytest

from webclient import ANSWERS

CASE = {"case_type": "incident", "summary": "VPN virker ikke", "impact": 3, "urgency": 3, "sla_level": "silver",
        "customer_name": "Test Kunde", "customer_email": "kunde@example.org"}


@pytest.fixture
def hops(monkeypatch):
    counted = {"n": 0}
    library = anyio.to_thread.run_sync

    async def counting(*args, **kwargs):
        counted["n"] += 1
        return await library(*args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return counted


def test_claim_complete_and_the_case_page_take_one_hop(web, hops):
    desk = web("sd.tekniker")
    desk.api("POST", "/api/cases", json=CASE)
    task = desk.get("/api/tasks?view=unassigned").json()[0]
    for method, url, body in (("POST", f"/api/tasks/{task['id']}/claim", None),
                              ("POST", f"/api/tasks/{task['id']}/complete", {"data": ANSWERS["classify_case"]})):
        hops["n"] = 0
        answer = desk.api(method, url, json=body)
        assert answer.status_code == 200, answer.text
        assert hops["n"] == 1, (url, hops["n"])   # the work, guard first (the committed session closes without I/O)
    hops["n"] = 0
    page = desk.get("/cases/SF-INC-000001")
    assert page.status_code == 200 and "VPN virker ikke" in page.text
    assert hops["n"] == 1   # a read: its transaction ended in the same thread


def test_the_guard_of_a_one_hop_route_still_refuses(web):
    desk = web("sd.tekniker")
    desk.api("POST", "/api/cases", json=CASE)
    task = desk.get("/api/tasks?view=unassigned").json()[0]
    anonymous = web()
    assert anonymous.api("POST", f"/api/tasks/{task['id']}/claim").status_code == 401
    assert anonymous.get("/cases/SF-INC-000001", follow_redirects=False).status_code in (303, 401)
    no_csrf = desk.api("POST", f"/api/tasks/{task['id']}/claim", csrf=False)
    assert no_csrf.status_code == 403
    owner = web("procesejer")   # a process owner: no work role
    assert owner.api("POST", f"/api/tasks/{task['id']}/complete", json={"data": ANSWERS["classify_case"]}).status_code == 403
    # nothing happened: the task is still open and unclaimed
    assert desk.get("/api/tasks?view=unassigned").json()[0]["id"] == task["id"]
