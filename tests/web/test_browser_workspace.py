"""The service desk's workspace in a real browser (issue 12): find a case on /sager, see the case
beside the form, and fields that follow the answers (show_if) — shown and hidden as the person
answers, all shown without JavaScript, and hidden answers never sent. Chromium via Playwright."""
from __future__ import annotations

import pytest

from webclient import ANSWERS, actor_for

from test_browser_e2e import browser, fill_form, server, shot, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _do(pages, number, bpmn_id):
    task = next((t for t in pages["sd.tekniker"].request.get(f"/api/tasks?case={number}").json()
                 if t["bpmn_id"] == bpmn_id), None)
    if task is None:   # e.g. the personal handover is only asked for critical and high cases
        return None
    page = pages[actor_for(task)]
    page.goto(f"/tasks/{task['id']}")
    fill_form(page, ANSWERS[bpmn_id])
    with page.expect_navigation():
        page.click("#task-form button[type=submit]")
    assert page.locator(".field-error").count() == 0, bpmn_id
    return task


def test_find_a_case_see_it_beside_the_form_and_get_only_the_fields_that_fit(server, browser):  # noqa: F811
    pages = {name: sign_in(browser, server, name) for name in ("sd.tekniker", "app.koordinator", "app.tekniker")}
    desk = pages["sd.tekniker"]
    desk.goto("/cases/new")
    desk.fill("input[name=summary]", "Scanneren i ambulatoriet sender ikke")
    desk.fill("input[name=customer_name]", "Hanne Hansen")
    desk.fill("input[name=customer_phone]", "11223344")
    desk.click("#new-case-form button[type=submit]")
    desk.wait_for_selector("h1[data-bpmn-id=classify_case]")
    number = desk.locator(".crumbs a").first.inner_text()

    desk.goto("/sager")
    desk.fill("#case-search input[name=q]", "hanne")
    with desk.expect_navigation():
        desk.click("#case-search button[type=submit]")
    row = desk.locator(f"tr[data-case='{number}']")
    assert row.count() == 1 and "Hanne Hansen" in row.inner_text()
    shot(desk, "11-case-search")
    with desk.expect_navigation():
        row.locator("a.case-link").click()
    assert number in desk.locator(".case-head").inner_text()

    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations",
                 "confirm_personal_handover", "distribute_case"):
        _do(pages, number, step)

    work = next(t for t in desk.request.get(f"/api/tasks?case={number}").json() if t["bpmn_id"] == "work_on_case")
    # without JavaScript every field is shown (the server still decides)
    context = browser.new_context(base_url=server, java_script_enabled=False)
    plain = context.new_page()
    plain.goto("/login")
    plain.fill("input[name=username]", "app.tekniker")
    plain.fill("input[name=password]", "app.tekniker")
    plain.click("#login-form button[type=submit]")
    plain.goto(f"/tasks/{work['id']}")
    assert plain.locator("[data-field=solution]").is_visible()
    assert plain.locator("[data-field=escalation_reason]").is_visible()
    context.close()

    technician = pages["app.tekniker"]
    technician.goto(f"/tasks/{work['id']}")
    assert "Hanne Hansen" in technician.locator("#customer-card").inner_text()
    assert "Kan ikke logge på journalsystemet" in technician.locator("#triage-facts").inner_text()
    assert technician.locator("[data-field=solution]").is_hidden()            # nothing chosen yet
    technician.select_option("#task-form select[name=outcome]", "escalate")
    assert technician.locator("[data-field=escalation_reason]").is_visible()
    assert technician.locator("[data-field=solution]").is_hidden()
    technician.fill("#task-form [name=escalation_reason]", "skal ikke sendes")
    shot(technician, "12-task-with-case-and-conditional-fields")
    technician.select_option("#task-form select[name=outcome]", "resolved")
    assert technician.locator("[data-field=escalation_reason]").is_hidden()
    assert technician.locator("[data-field=solution]").is_visible()
    technician.fill("#task-form [name=solution]", "Genstartet scannerservicen")
    with technician.expect_navigation():
        technician.click("#task-form button[type=submit]")
    notes = next(w for w in desk.request.get(f"/api/cases/{number}/work-info").json()
                 if w["event"] == "task.work_on_case")["notes"]
    assert "Genstartet scannerservicen" in notes and "skal ikke sendes" not in notes



def test_badges_say_what_they_show_narrow_screens_fit_and_errors_get_the_focus(server, browser):  # noqa: F811
    desk = sign_in(browser, server, "sd.tekniker")
    desk.goto("/cases/new")
    desk.fill("input[name=summary]", "Netværket på afsnit 3 er nede")
    desk.fill("input[name=customer_name]", "Ole Olsen")
    desk.select_option("select[name=impact]", "2")
    desk.select_option("select[name=urgency]", "2")
    desk.click("#new-case-form button[type=submit]")
    desk.wait_for_selector("h1[data-bpmn-id=classify_case]")
    with desk.expect_navigation():
        desk.click("#task-form button[type=submit]")            # classification is prefilled
    desk.wait_for_selector("h1[data-bpmn-id=first_triage]")
    with desk.expect_navigation():
        desk.click("#task-form button[type=submit]")            # empty: a server-side error
    assert desk.evaluate("document.activeElement.id") == "f-what_not_working"

    # a badge that passes its deadline turns red AND says so (the reaction clock runs from receipt)
    desk.goto("/worklist?view=team")
    badge = desk.locator(".badge[data-due]").first
    assert badge.get_attribute("data-sla") == "ok"
    desk.evaluate("""() => { const b = document.querySelector('.badge[data-due]');
                             b.dataset.due = new Date(Date.now() - 3600e3).toISOString(); window.sagsflowTick(); }""")
    assert badge.get_attribute("data-sla") == "breach" and badge.locator(".sla-word").inner_text() == "overskredet"

    # the diagram opens with zoom buttons and tabs named by process, not by file
    desk.goto(f"/cases/{desk.locator('tr[data-case]').first.get_attribute('data-case')}")
    desk.wait_for_selector("#diagram[data-ready=true]", timeout=20000)
    assert desk.locator(".zoom-buttons button").count() == 3
    tabs = desk.locator("#diagram-files button").all_inner_texts()
    assert "Sagsbehandling efter håndbogen" in tabs and not any(t.endswith(".bpmn") for t in tabs)
    desk.click(".zoom-buttons button[title='Zoom ind']")

    narrow = browser.new_context(base_url=server, viewport={"width": 390, "height": 800})
    phone = narrow.new_page()
    phone.goto("/login")
    phone.fill("input[name=username]", "sd.tekniker")
    phone.fill("input[name=password]", "sd.tekniker")
    phone.click("#login-form button[type=submit]")
    phone.goto("/worklist?view=team")
    phone.wait_for_selector("table.worklist")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    shot(phone, "13-worklist-390px")
    phone.goto("/sager")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    narrow.close()


def test_raising_a_case_to_critical_in_the_browser_starts_on_call(server, browser):  # noqa: F811
    pages = {name: sign_in(browser, server, name) for name in ("sd.tekniker", "app.koordinator", "app.tekniker")}
    desk = pages["sd.tekniker"]
    desk.goto("/cases/new")
    desk.fill("input[name=summary]", "Medicinmodulet er langsomt")
    desk.fill("input[name=customer_name]", "Mette Madsen")
    desk.fill("input[name=customer_phone]", "22334455")
    desk.click("#new-case-form button[type=submit]")
    desk.wait_for_selector("h1[data-bpmn-id=classify_case]")
    number = desk.locator(".crumbs a").first.inner_text()
    for step in ("classify_case", "first_triage", "choose_team", "questionnaire_application_operations"):
        _do(pages, number, step)
    desk.goto(f"/cases/{number}")
    assert "Medium" in desk.locator(".case-head").inner_text()
    desk.select_option("#priority-form select[name=impact]", "1")
    desk.select_option("#priority-form select[name=urgency]", "1")
    desk.fill("#priority-form textarea[name=reason]", "Hele hospitalet kan ikke give medicin")
    with desk.expect_navigation():
        desk.click("#priority-form button[type=submit]")
    assert "Prioriteten er nu Kritisk – driftsvagten er underrettet" in desk.locator(".flash.ok").inner_text()
    assert "Kritisk" in desk.locator(".case-head").inner_text()
    assert desk.locator(".wi-summary", has_text="Driftsvagtproceduren er startet (prioritet Kritisk)").count() == 1
    assert desk.locator(".wi-summary", has_text="Prioritet ændret fra Medium til Kritisk").count() == 1
    shot(desk, "14-reprioritised-to-critical")
