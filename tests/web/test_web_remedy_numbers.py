"""Remedy's number beside ours (issue 14; H-R1.1): a case linked to a Remedy incident shows the
incident number next to its own SF- number on the case page, in the case list and in the API, and
is found by either."""
from __future__ import annotations

import pytest

from store.db import session_factory
from store.models import CaseRow
from webclient import T0, register


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def test_h_r1_1_the_remedy_number_is_shown_beside_ours_and_searchable(web, db_engine):
    desk = web("sd.tekniker")
    register(desk, summary="Printeren på afsnit 3 virker ikke")
    [number] = [c["number"] for c in desk.api("GET", "/api/cases").json()["items"]]
    assert number.startswith("SF-INC-")
    with session_factory(db_engine)() as session:
        session.query(CaseRow).filter_by(number=number).one().remedy_incident_number = "INC000000004711"
        session.commit()
    page = desk.get(f"/cases/{number}").text
    assert number in page and "Remedy INC000000004711" in page
    assert desk.api("GET", f"/api/cases/{number}").json()["remedy_incident_number"] == "INC000000004711"
    found = desk.api("GET", "/api/cases?q=INC000000004711").json()["items"]
    assert [(c["number"], c["remedy_number"]) for c in found] == [(number, "INC000000004711")]
    assert "INC000000004711" in desk.get("/sager?q=INC000000004711").text
    assert "INC000000004711" in desk.get("/worklist?view=team").text
