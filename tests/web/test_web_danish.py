"""Danish on screen (issue 12): framework validation messages, refusals and 404/405 pages in Danish
(JSON stays JSON under /api, English behind the switch); Work Info types and people by their Danish
labels; no requirement codes in what a person reads."""
from __future__ import annotations

import pytest

from store.db import session_factory
from web.error_text import danish_refusal
from webclient import NEW_CASE, T0, register


@pytest.fixture(autouse=True)
def deployed(db_engine, runtime):
    with session_factory(db_engine)() as session:
        runtime.deploy_current(session, actor="system", now=T0)
        session.commit()


def test_registration_errors_are_danish_and_say_the_expected_format(web):
    user = web("sd.tekniker")
    response = user.post("/cases/new", {**NEW_CASE, "summary": "x", "customer_email": "ikke-en-mail",
                                        "customer_phone": "abc"})
    assert response.status_code == 422
    assert "Skal være mindst 3 tegn." in response.text
    assert "Skal være en e-mailadresse, fx navn@regionh.dk." in response.text
    assert "fx 12 34 56 78" in response.text
    assert "String should" not in response.text and "should match pattern" not in response.text


def test_404_and_405_are_danish_pages_and_json_under_api(web):
    user = web("sd.tekniker")
    page = user.get("/findes-ikke")
    assert page.status_code == 404 and "Siden eller sagen findes ikke." in page.text and '"detail"' not in page.text
    assert user.get("/api/findes-ikke").json() == {"error": "not_found", "message": "Not Found"}
    refused = user.post("/sager", {})
    assert refused.status_code == 405 and "Adressen kan ikke bruges sådan" in refused.text
    assert user.api("POST", "/api/me").status_code == 405
    unknown = user.get("/cases/SF-INC-999999")
    assert unknown.status_code == 404 and "Sagen SF-INC-999999 findes ikke." in unknown.text
    assert "unknown case" not in unknown.text
    assert "unknown case SF-INC-999999" in user.get("/cases/SF-INC-999999?lang=en").text   # English behind the switch


def test_refusals_are_said_in_danish():
    assert danish_refusal("app.tekniker is not coordinator of team application_operations; only the coordinator "
                          "may do 'Fordel sagen'", 403) == "Kun koordinatoren for Applikationsdrift må gøre dette."
    assert danish_refusal("the task is claimed by app.tekniker2", 403) == "Opgaven er taget af app.tekniker2."
    assert danish_refusal("task 5f0c was just completed or cancelled by someone else", 409) == (
        "En anden har netop udført opgaven, eller den er annulleret. Genindlæs siden.")
    assert danish_refusal("du har ikke adgang til denne sag", 403) == "Du har ikke adgang til denne sag."
    assert danish_refusal("some internal detail nobody translated", 409) == "Handlingen passer ikke til sagens tilstand."


def test_work_info_types_and_people_by_their_danish_labels(web):
    user = web("sd.tekniker")
    register(user)
    page = user.get("/cases/SF-INC-000001").text
    timeline = page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert '<span class="wi-type">Generel information</span> · Sara Servicedesk' in timeline
    assert "General Information" not in timeline


def test_deliveries_on_the_admin_page_by_their_danish_labels(web):
    register(web("sd.tekniker"))
    page = web("admin").get("/admin/outbox").text
    row = page.split('<table id="outbox">', 1)[1]
    assert "Mail <small>kvittering for modtagelse</small>" in row and ">venter<" in row
    assert "receipt" not in row.split("<td class=\"recipient\">")[0].split("<tbody>")[-1]
