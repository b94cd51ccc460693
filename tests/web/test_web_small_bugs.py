"""The smaller bugs of issue 12, each with a test: a finished case on time shows ✓ (not "ingen
frist"); "Taget af" names only whoever claimed the task; the DA/EN switch works from a page a POST
rendered (no 405)."""
from __future__ import annotations

import re

import pytest

from store.db import session_factory
from webclient import ANSWERS, T0, TRIAGE, complete, register, task_of

from test_web_conditional_forms import NUMBER, _to_work


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def test_a_case_resolved_on_time_shows_a_tick_not_no_deadline(web):
    desk, coordinator, technician = _to_work(web)
    complete(technician, NUMBER, "work_on_case", ANSWERS["work_on_case"])
    page = desk.get(f"/cases/{NUMBER}").text
    head = page.split('<header class="case-head">', 1)[1].split("</header>", 1)[0]
    assert 'data-sla="met"' in head and "Løsning: overholdt ✓" in head and "ingen frist" not in head
    found = desk.get(f"/sager?q={NUMBER}").text
    assert "overholdt ✓" in found


def test_taget_af_names_only_whoever_claimed_the_task(web):
    desk, coordinator, technician = _to_work(web)
    complete(technician, NUMBER, "work_on_case", {"outcome": "escalate", "escalation_reason": "Kræver leverandør"})
    page = coordinator.get("/worklist?view=unassigned").text
    row = re.search(r'<tr data-task="[^"]+" data-case="%s">(.*?)</tr>' % NUMBER, page, re.S).group(1)
    assert "Håndtér eskalering" in row and "Anders Applikation" not in row and "app.tekniker" not in row


def test_the_language_switch_works_from_a_page_a_post_rendered(web):
    user = web("sd.tekniker")
    refused = user.post("/cases/new", {"summary": "x"})
    assert refused.status_code == 422
    link = re.search(r'<a href="([^"]+)" lang="en"', refused.text).group(1)
    assert link == "/sprog/en"
    switched = user.get(link, headers={"referer": "http://testserver/cases/new"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/cases/new"
    assert "Register the case" in user.get("/cases/new").text
    assert user.get("/sprog/da?next=//evil.example", follow_redirects=False).headers["location"] == "/"
