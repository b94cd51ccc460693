"""The worklist's rows as the API and the pages show them (H-R2.2, H-S; issue 15): the API's view answer
keeps exactly its fields (it is encoded without FastAPI's response model now), and the SLA badge and the
table rows, HTML made in Python instead of Jinja, are what the pages always showed — Danish words,
Copenhagen time, every value escaped as Jinja escapes it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.sla_clock import SlaClock
from web.i18n import Translator
import anyio.to_thread
from markupsafe import Markup, escape

from web.sla_badge import badge_words, html_text, sla_badge
from webclient import API_TOKEN, ANSWERS, TRIAGE, complete, register

FIRST, SECOND = "SF-INC-000001", "SF-INC-000002"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def test_issue_15_the_api_view_answers_exactly_its_fields_nearest_deadline_first(web, clock):
    desk = web("sd.tekniker")
    register(desk, impact="3", urgency="3", summary="Langsom printer")         # medium: no reaction target
    register(desk, impact="1", urgency="1", summary="Hele afsnittet er nede")  # critical
    for number in (FIRST, SECOND):
        complete(desk, number, "classify_case", ANSWERS["classify_case"])
        complete(desk, number, "first_triage", TRIAGE)
    answer = desk.get("/api/tasks?view=team")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    due = desk.get(f"/api/cases/{SECOND}").json()["sla"]["reaction_due"]
    first, second = answer.json()
    assert first == {"id": first["id"], "case": SECOND, "name": "Vælg team", "bpmn_id": "choose_team",
                     "team": "service_desk", "role": "member", "assignee": None, "summary": "Hele afsnittet er nede",
                     "priority": "critical", "status": "in_triage",
                     "sla": {"target": "reaction", "state": "ok", "due_at": due}}
    assert due.endswith("+00:00") and datetime.fromisoformat(due) > clock.now   # aware UTC, as before
    assert second["case"] == FIRST and second["sla"] == {"target": "reaction", "state": "none", "due_at": None}
    clock.now = datetime.fromisoformat(due) + timedelta(seconds=1)
    assert desk.get("/api/tasks?view=team").json()[0]["sla"]["state"] == "breach"
    claimed = desk.api("POST", f"/api/tasks/{first['id']}/claim")
    assert claimed.status_code == 200
    (mine,) = desk.get("/api/tasks?view=mine").json()
    assert (mine["id"], mine["assignee"]) == (first["id"], "sd.tekniker")


def test_issue_15_the_api_view_by_bearer_token_shows_only_the_callers_teams(web, app):
    desk = web("sd.tekniker")
    register(desk, summary="Printer")
    bearer = web()   # app.tekniker (Applikationsdrift) by API token: the service desk's task is not theirs
    answer = bearer.client.get("/api/tasks?view=team", headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert answer.status_code == 200 and answer.json() == []
    assert [t["case"] for t in desk.get("/api/tasks?view=team").json()] == [FIRST]


def _clock(state, target="resolution", warn=True, seconds=7620):
    due = NOW + timedelta(hours=2, minutes=7)
    return SlaClock(target, None if state == "none" else due, NOW + timedelta(hours=1) if warn else None, state,
                    seconds if state in ("ok", "warning", "breach") else None)


# the macro's HTML before issue 15 moved it to Python, byte for byte (Danish; 10:07 UTC is 12:07 in Copenhagen)
EXPECTED = {
    "ok": '<span class="badge sla-ok" data-sla="ok" data-due="2026-11-23T11:07:00+00:00"\n'
          '          data-words=\'{"breach": "overskredet", "ok": "i tide", "warning": "snart"}\'\n'
          '          data-warn="2026-11-23T10:00:00+00:00"\n'
          '          title="Løsning: 23-11-2026 12:07">\n'
          '      Løsning: <span class="countdown">2 t 07 m</span>\n'
          '      <span class="sla-word">i tide</span>\n'
          '    </span>',
    "met": '<span class="badge sla-met" data-sla="met" title="Løsning: 23-11-2026 12:07">Løsning: overholdt ✓</span>',
    "missed": '<span class="badge sla-missed" data-sla="missed" title="Løsning: 23-11-2026 12:07">'
              'Løsning: overskredet</span>',
    "none": '<span class="badge sla-none" data-sla="none">ingen frist</span>',
    "paused": '<span class="badge sla-paused" data-sla="paused">Løsning: pause</span>',
}


def test_h_s_the_sla_badge_is_the_pages_badge_in_danish_and_copenhagen_time():
    t = Translator("da")
    for state, html in EXPECTED.items():
        assert str(sla_badge(_clock(state), t)) == html, state
        assert str(sla_badge(_clock(state), t, badge_words(t))) == html, state   # words computed once per list
    breach = str(sla_badge(_clock("breach", target="reaction", warn=False, seconds=-266400), t))
    assert 'data-sla="breach"' in breach and "data-warn" not in breach and "Reaktion: <span" in breach
    assert '<span class="countdown">-3 d 2 t</span>' in breach and "overskredet</span>" in breach


def test_h_s_the_pages_show_the_same_badge_through_the_macro(web):
    desk = web("sd.tekniker")
    register(desk, impact="1", urgency="1", summary="Hele afsnittet er nede")
    complete(desk, FIRST, "classify_case", ANSWERS["classify_case"])
    complete(desk, FIRST, "first_triage", TRIAGE)
    worklist, case = desk.get("/worklist?view=team").text, desk.get(f"/cases/{FIRST}").text
    badge = worklist.split("<td>", 1)[1].split("</td>", 1)[0]
    assert badge.startswith('<span class="badge sla-ok" data-sla="ok"') and badge in case   # one badge, two pages


def test_issue_15_html_text_escapes_exactly_as_jinja_does():
    for value in ['<script>alert("x")</script>', "a & b's", "&amp;", "Løsning – æøå", "", None, 7, -2.5,
                  Markup("<b>trusted</b>")]:
        assert html_text(value) == str(escape(value)), value


def test_issue_15_worklist_rows_escape_what_people_typed(web):
    desk = web("sd.tekniker")
    summary = """<img src=x onerror="alert('x')"> & mere"""
    register(desk, summary=summary)
    page = desk.get("/worklist?view=team").text
    assert f"<small>{escape(summary)}</small>" in page and "<img src=x" not in page
    assert page.count('<tr data-task="') == 1 and 'action="/tasks/' in page and "/claim" in page


def test_issue_15_the_api_view_and_the_worklist_page_take_one_thread_hop(web, monkeypatch):
    desk = web("sd.tekniker")
    register(desk, summary="Printer")
    hops, library = [], anyio.to_thread.run_sync

    async def counting(*args, **kwargs):
        hops.append(args[0])
        return await library(*args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    assert [t["case"] for t in desk.get("/api/tasks?view=team").json()] == [FIRST]
    assert len(hops) == 1, hops   # the guard and the work in one; the read ends there, the close needs none
    hops.clear()
    assert 'data-case="SF-INC-000001"' in desk.get("/worklist?view=team").text and len(hops) == 1, hops
    assert web().get("/api/tasks?view=team").status_code == 401   # the guard still decides
    assert web().get("/worklist", follow_redirects=False).status_code == 303
    assert web("procesejer").get("/api/tasks?view=team").status_code == 403
