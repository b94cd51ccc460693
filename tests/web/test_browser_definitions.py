"""Issue 10 in the browser (Playwright on Debian's chromium): with the bpmn-js modeler active,
*Simulér* replays the latest cases on the edited diagram and deploys nothing; *Udrul* then makes
exactly one new version current."""
from __future__ import annotations

import pytest

from test_browser_e2e import browser, server, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

RENAME = """() => {
    const modeler = document.getElementById("modeler").bpmnModeler;
    const task = modeler.get("elementRegistry").get("distribute_case");
    modeler.get("modeling").updateProperties(task, { name: "Fordel sagen til en tekniker" });
}"""


def test_process_owner_simulates_then_deploys_from_the_modeler(server, browser):  # noqa: F811
    page = sign_in(browser, server, "procesejer")
    page.goto("/definitions/1/edit?file=incident_handling.bpmn")
    page.wait_for_selector("#modeler[data-ready=true]", timeout=20000)
    page.evaluate(RENAME)
    page.click("#simulate-button")
    page.wait_for_selector("#simulation-summary")
    assert page.locator("#simulation-summary").inner_text().startswith("0 sager: 0 uændrede")
    assert "Eksemplerne i docs/examples" in page.locator("#replays").inner_text()
    assert page.request.get(f"{server}/api/diagrams").json()[0]["id"] == 1      # nothing deployed
    page.wait_for_selector("#modeler[data-ready=true]", timeout=20000)
    page.fill("input[name=comment]", "Tydeligere navn")
    page.click("#deploy-button")
    page.wait_for_url(lambda url: "/definitions/diff" in url)
    versions = page.request.get(f"{server}/api/diagrams").json()
    assert [(v["id"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert "distribute_case: «Fordel sagen» → «Fordel sagen til en tekniker»" in page.content()
