"""Issue 11 in a real browser (Debian's chromium, Playwright): the process owner's modeler loads with
the properties panel (Camunda 7 provider, Sagsflow's group, Danish) and bpmnlint; a form field label
and the case status a task sets are changed in the panel and deployed; a cell of the priority table
is changed in the DMN editor and deployed. The server validates every deploy."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from store.db import make_engine, session_factory
from store.models import ProcessDefinitionRow

from test_browser_e2e import browser, server, shot, sign_in   # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def db_from_server(tmp_path):
    return f"sqlite:///{tmp_path / 'e2e.db'}"   # the database the `server` fixture serves


def _versions(db_url: str) -> list[ProcessDefinitionRow]:
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        rows = list(session.execute(select(ProcessDefinitionRow).order_by(ProcessDefinitionRow.id)).scalars())
        for row in rows:
            session.expunge(row)
    engine.dispose()
    return rows


def _select(page, element_id: str) -> None:
    page.evaluate("""(id) => { const m = document.getElementById("modeler").bpmnModeler;
        m.get("selection").select(m.get("elementRegistry").get(id)); }""", element_id)


def test_modeler_with_panel_edits_a_form_and_a_status_and_deploys(server, browser, db_from_server):
    page = sign_in(browser, server, "procesejer")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/definitions/1/edit?file=incident_handling.bpmn")
    page.wait_for_selector("#modeler[data-ready=true]", timeout=30000)
    assert page.locator(".bjsl-button").count() == 1          # bpmnlint runs while editing
    _select(page, "classify_case")
    panel = page.locator("#properties-panel")
    panel.locator(".bio-properties-panel-header-label", has_text="Klassificér henvendelsen").wait_for()
    assert panel.locator("[data-group-id=group-general] .bio-properties-panel-group-header-title").inner_text() == "Generelt"
    assert panel.locator("[data-group-id=group-sagsflow]").count() == 1
    status = panel.locator("select#bio-properties-panel-sagsflowCaseStatus")
    assert status.input_value() == "in_triage"
    assert "Afventer fordeling" in status.inner_text()          # the statuses by their Danish names

    panel.locator("[data-group-id=group-CamundaPlatform__FormData] .bio-properties-panel-group-header").click()
    label = panel.locator("#bio-properties-panel-classify_case-formField-1-formFieldLabel")
    if not label.is_visible():   # the field's own section is folded
        panel.locator("[data-entry-id=classify_case-formField-1] > .bio-properties-panel-collapsible-entry-header").click()
    label.fill("Bemærkning til klassificeringen (valgfri)")
    label.press("Tab")
    status.select_option("registered")
    page.wait_for_timeout(500)                                  # the panel's input debounce

    _select(page, "start_on_call_procedure")
    topic = panel.locator("select#bio-properties-panel-sagsflowTopic")
    assert topic.input_value() == "start_on_call_procedure"
    assert topic.locator("option[value=request_cmdb_update]").count() == 1   # the known operations
    shot(page, "11-modeler-properties-panel")

    page.fill("#deploy-form input[name=comment]", "Ny etiket og status fra panelet")
    page.click("#deploy-button")
    page.wait_for_url("**/definitions/diff**")
    assert not errors
    newest = _versions(db_from_server)[-1]
    text = newest.sources["incident_handling.bpmn"]
    assert newest.id == 2 and 'label="Bemærkning til klassificeringen (valgfri)"' in text
    assert '<camunda:property name="case_status" value="registered" />' in text


def test_dmn_editor_changes_a_cell_and_deploys(server, browser, db_from_server):
    page = sign_in(browser, server, "procesejer")
    page.goto("/definitions/1/edit?file=priority_matrix.dmn")
    page.wait_for_selector("#dmn-editor[data-ready=true]", timeout=30000)
    assert page.locator("textarea#xml").is_hidden()
    assert "Hit-politik" in page.locator("#dmn-editor").inner_text()   # the table editor speaks Danish
    cell = page.locator("td[data-element-id=rule_impact1_urgency3_priority]")
    assert cell.inner_text().strip() == '"high"'
    cell.locator("[contenteditable]").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"critical"')
    page.locator("#dmn-editor .tjs-table").click(position={"x": 5, "y": 5})
    page.wait_for_timeout(300)
    assert _cell(page.locator("textarea#xml").input_value()) == '"critical"'   # written back to the form
    shot(page, "12-dmn-editor")
    page.click("#deploy-button")
    page.wait_for_url("**/definitions/diff**")
    first, newest = _versions(db_from_server)[0], _versions(db_from_server)[-1]
    assert newest.id == 2 and _cell(first.sources["priority_matrix.dmn"]) == '"high"'
    assert _cell(newest.sources["priority_matrix.dmn"]) == '"critical"'


def _cell(xml: str) -> str:
    return re.search(r'id="rule_impact1_urgency3_priority">\s*<text>([^<]*)</text>', xml).group(1)
