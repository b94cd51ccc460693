"""People pickers and case-insensitive usernames (issue 12; H-R1.5, H-R4.1): a field naming a person
is a choice of the team's active members by display name; a typed "App.Tekniker" is accepted."""
from __future__ import annotations

import re

import pytest

from store.db import session_factory
from webclient import ANSWERS, T0, complete, register, task_of, to_distribution

NUMBER = "SF-INC-000001"


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def test_h_r1_5_the_coordinator_picks_the_technician_by_name_and_usernames_ignore_case(web):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3")
    to_distribution(desk, NUMBER)
    coordinator = web("app.koordinator")
    page = coordinator.get(f"/tasks/{task_of(coordinator, NUMBER, 'distribute_case')['id']}").text
    picker = re.search(r'<select id="f-assignee" name="assignee" class="people-picker".*?</select>', page, re.S).group(0)
    assert '<option value="app.tekniker" >Anders Applikation</option>' in picker
    assert '<option value="app.tekniker2" >Amalie Applikation</option>' in picker
    assert "net.tekniker" not in picker                                   # only the case's team
    complete(coordinator, NUMBER, "distribute_case", {"assignee": "App.Tekniker"})
    assert desk.api("GET", f"/api/cases/{NUMBER}").json()["assignee"] == "app.tekniker"


def test_h_r4_1_the_handover_receiver_is_a_choice_grouped_by_team(web):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3")
    to_distribution(desk, NUMBER)
    complete(web("app.koordinator"), NUMBER, "distribute_case", ANSWERS["distribute_case"])
    technician = web("app.tekniker")
    page = technician.get(f"/tasks/{task_of(technician, NUMBER, 'work_on_case')['id']}").text
    assert 'data-team-from="handover_team"' in page
    assert '<optgroup label="Netværk" data-team="network">' in page and ">Nanna Netværk</option>" in page
