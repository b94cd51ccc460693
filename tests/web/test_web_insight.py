"""/indsigt and GET /api/insight (issue 16): a team lead sees the four preconditions per team and
week as server-rendered SVG charts (Danish, no external scripts), the bad flows with their cases and
the worst cases first; the API returns the same report; bad input is a clear Danish error; only
coordinators and administrators get in."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from insight_cases import NOW, build_all  # noqa: E402

PERIOD = "from=2026-11-23&to=2026-12-03"


def test_a_team_lead_sees_charts_patterns_and_worst_cases(session, web, clock):
    cases = build_all(session)
    session.commit()
    clock.now = NOW
    lead = web("net.koordinator")
    page = lead.get(f"/indsigt?{PERIOD}")                  # starts on the lead's own team
    assert page.status_code == 200, page.text
    html = page.text
    assert "Netværk" in html and 'data-team="network"' in html and 'data-team="application_operations"' not in html
    assert "<svg" in html and "<polyline" not in html        # one week: dots, no line
    assert "Kommunikation uge 48: 0 % af 1 sag(er)" in html
    assert f'<a href="/cases/{cases["silent"].case.number}">' in html and "Tavs over for kunden" in html
    assert "http://" not in html.split("</header>", 1)[1].replace("http://testserver", "")   # no CDN, no external link
    everyone = lead.get(f"/indsigt?team=&{PERIOD}").text
    rows = everyone.split('id="worst-cases"', 1)[1]
    assert rows.index(cases["ping_pong"].case.number) < rows.index(cases["silent"].case.number)   # worst first
    assert f'data-case="{cases["good"].case.number}"' not in rows


def test_api_insight_returns_the_report_as_json(session, web, clock):
    cases = build_all(session)
    session.commit()
    clock.now = NOW
    admin = web("admin")
    response = admin.api("GET", f"/api/insight?{PERIOD}&team=databases")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["team_names"] == {"databases": "Databaser"}
    assert body["patterns"]["breached_waiting_coordinator"] == [cases["breached_waiting"].case.number]
    assert [c["number"] for c in body["cases"]] == [cases["breached_waiting"].case.number]


def test_bad_input_is_a_clear_danish_error_and_technicians_are_refused(session, web, clock):
    clock.now = NOW
    admin = web("admin")
    page = admin.get("/indsigt?from=3.12.2026")
    assert page.status_code == 422 and "skriv en dato som ÅÅÅÅ-MM-DD" in page.text
    assert admin.api("GET", "/api/insight?team=nobody").json()["fields"] == {"team": "Ukendt team."}
    assert web("net.tekniker").get("/indsigt").status_code == 403
