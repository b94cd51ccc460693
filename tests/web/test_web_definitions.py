"""Process owners (issue 5): diagram versions, validation with problems per element, deployment of
an edited or uploaded diagram as a new version while running cases keep theirs, and the summary of
what changed between two versions."""
from __future__ import annotations

import shutil

import pytest

from config.settings import ROOT, Settings
from services.definitions import diff_sources
from services.runtime import Runtime, read_sources
from webclient import register

BPMN_DIR = ROOT / "workflows" / "bpmn"


@pytest.fixture
def runtime(shared_engine, db_url, tmp_path):
    """A copy of the diagram directory, to prove that deploying writes no file (issue 10)."""
    directory = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, directory)
    return Runtime(Settings(database_url=db_url, bpmn_dir=directory), engine=shared_engine)


@pytest.fixture
def owner(web):
    register(web("sd.tekniker"))          # a case on version 1 (deployed by the release)
    return web("procesejer")


def edited_main(old: str = 'name="Fordel sagen"', new: str = 'name="Fordel sagen til en tekniker"') -> str:
    text = (BPMN_DIR / "incident_handling.bpmn").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def test_versions_are_listed_and_one_can_be_viewed(owner):
    page = owner.get("/definitions").text
    assert 'data-version="1"' in page and "incident_handling.bpmn" in page and "1 / 1" in page
    view = owner.get("/definitions/1?file=resolve_case.bpmn").text
    assert 'data-src="/api/diagrams/1/files/resolve_case.bpmn"' in view
    xml = owner.get("/api/diagrams/1/files/resolve_case.bpmn")
    assert xml.headers["content-type"].startswith("application/xml") and "work_on_case" in xml.text
    assert owner.get("/definitions/1?file=../../etc/passwd").status_code == 200   # falls back to a stored file
    assert owner.get("/api/diagrams/1/files/nope.bpmn").status_code == 404


def test_validation_reports_problems_with_the_element_id(owner):
    broken = edited_main('camunda:topic="route_to_unit"', 'camunda:topic="no_such_operation"')
    response = owner.api("POST", "/definitions/1/validate", json={"file": "incident_handling.bpmn", "xml": broken})
    problems = response.json()["problems"]
    assert problems and all(p["file"] == "incident_handling.bpmn" for p in problems)
    assert any("ukendt topic 'no_such_operation'" in p["message"] and p["element"] for p in problems)
    ok = owner.api("POST", "/definitions/1/validate", json={"file": "incident_handling.bpmn", "xml": edited_main()})
    assert ok.json() == {"problems": []}
    bad_name = owner.api("POST", "/definitions/1/validate", json={"file": "../x.bpmn", "xml": "<x/>"})
    assert bad_name.status_code == 409 and "plain file name" in bad_name.json()["message"]


def test_an_invalid_diagram_is_not_deployed_and_the_problems_are_shown(owner):
    broken = edited_main('camunda:topic="route_to_unit"', 'camunda:topic="no_such_operation"')
    response = owner.post("/definitions/1/deploy", {"file": "incident_handling.bpmn", "xml": broken})
    assert response.status_code == 422 and "ukendt topic" in response.text and 'data-element="' in response.text
    assert len(owner.get("/api/diagrams").json()) == 1


def test_deploy_makes_a_new_version_running_cases_keep_theirs_and_the_diff_says_what_changed(owner, web, runtime):
    desk = web("sd.tekniker")
    before = (runtime.settings.bpmn_dir / "incident_handling.bpmn").read_bytes()
    response = owner.post("/definitions/1/deploy", {"file": "incident_handling.bpmn", "comment": "Tydeligere navn",
                                                    "xml": edited_main().replace("\n", "\r\n")})
    assert response.status_code == 303 and response.headers["location"] == "/definitions/diff?old=1&new=2"
    diff = owner.get(response.headers["location"]).text
    assert "Diagrammerne er udrullet som version 2" in diff
    assert "distribute_case: «Fordel sagen» → «Fordel sagen til en tekniker»" in diff
    assert desk.get("/api/cases/SF-INC-000001").json()["process"]["definition_id"] == 1
    register(desk)
    assert desk.get("/api/cases/SF-INC-000002").json()["process"]["definition_id"] == 2
    assert (runtime.settings.bpmn_dir / "incident_handling.bpmn").read_bytes() == before   # no file written
    versions = owner.get("/api/diagrams").json()
    assert [(v["id"], v["current"]) for v in versions] == [(2, True), (1, False)]   # exactly one new version
    again = owner.post("/definitions/2/deploy", {"file": "incident_handling.bpmn", "xml": edited_main()})
    assert again.status_code == 409 and "allerede den aktuelle version" in again.text


def test_rolling_back_in_the_browser_makes_an_earlier_version_current_again(owner, web):
    owner.post("/definitions/1/deploy", {"file": "incident_handling.bpmn", "xml": edited_main(), "comment": "Ny"})
    page = owner.get("/definitions").text
    assert '<tr data-version="2" class="current"' in page and "Tydeligere" not in page and "udgivelsen" in page
    response = owner.post("/definitions/1/activate", {"comment": "Tilbage til udgivelsen"})
    assert response.status_code == 303
    page = owner.get("/definitions").text
    assert '<tr data-version="1" class="current"' in page and "Tilbage til udgivelsen" in page
    desk = web("sd.tekniker")
    register(desk)
    assert desk.get("/api/cases/SF-INC-000002").json()["process"]["definition_id"] == 1
    assert len(owner.get("/api/diagrams").json()) == 2
    assert owner.post("/definitions/1/activate", {}).status_code == 409        # already current


def test_upload_of_a_file_deploys_it(owner):
    upload = edited_main('label="Tildel til tekniker (brugernavn)"', 'label="Tekniker"').encode()
    response = owner.client.post("/definitions/1/deploy", data={"file": "ignored.bpmn", "csrf_token": owner.csrf},
                                 files={"upload": ("incident_handling.bpmn", upload, "application/xml")},
                                 follow_redirects=False)
    assert response.status_code == 303
    diff = owner.get("/definitions/diff?old=1&new=2").text
    assert "felt assignee: string «Tildel til tekniker (brugernavn)»" in diff and "«Tekniker»" in diff


def test_diff_summary_lists_added_removed_renamed_forms_and_conditions():
    old = read_sources(BPMN_DIR)
    new = dict(old)
    text = new["incident_handling.bpmn"]
    condition = text.split("<bpmn:conditionExpression", 1)[1].split(">", 1)[1].split("<", 1)[0]
    new["incident_handling.bpmn"] = (text.replace('name="Fordel sagen"', 'name="Fordel"')
                                     .replace(condition, condition + " and True", 1))
    new["extra.dmn"] = old["priority_matrix.dmn"].replace('id="', 'id="x_')
    summary = diff_sources(old, new, old=1, new=2)
    assert summary.files_added == ["extra.dmn"]
    assert summary.renamed == ["userTask distribute_case: «Fordel sagen» → «Fordel»"]
    assert len(summary.conditions) == 1 and "and True" in summary.conditions[0]
    assert any(line.startswith("decision x_") for line in summary.added)
    assert diff_sources(old, old).empty


def test_simulate_before_deploy_replays_the_latest_cases_and_deploys_nothing(owner):
    response = owner.post("/definitions/1/simulate", {"file": "incident_handling.bpmn", "xml": edited_main()})
    assert response.status_code == 200
    assert "1 sager: 1 uændrede, 0 ændret forløb, 0 ville fejle, 0 mangler svar." in response.text
    assert "Eksemplerne i docs/examples</strong>: Samme forløb" in response.text
    assert 'formaction="/definitions/1/simulate"' in response.text and 'Fordel sagen til en tekniker' in response.text
    broken = edited_main('camunda:topic="route_to_unit"', 'camunda:topic="no_such_operation"')
    refused = owner.post("/definitions/1/simulate", {"file": "incident_handling.bpmn", "xml": broken})
    assert refused.status_code == 422 and "ukendt topic" in refused.text
    assert len(owner.get("/api/diagrams").json()) == 1


def test_problems_are_in_danish_in_the_browser_with_the_element_and_its_name(owner):
    typo = edited_main('priority in ("critical", "high")', 'priorty == "critical"')
    problems = owner.api("POST", "/definitions/1/validate", json={"file": "incident_handling.bpmn", "xml": typo}
                         ).json()["problems"]
    first = problems[0]
    assert (first["file"], first["element"], first["name"]) == ("incident_handling.bpmn", "flow_critical", "Kritisk/høj")
    assert first["line"] and first["message"] == (
        '"priorty" får aldrig en værdi; mente du "priority" (sættes af priority_matrix.dmn)?')
    page = owner.post("/definitions/1/deploy", {"file": "incident_handling.bpmn", "xml": typo}).text
    assert "<code>flow_critical</code> «Kritisk/høj»: &#34;priorty&#34; får aldrig en værdi" in page


def test_a_redos_pattern_refused_at_validation_is_explained_in_danish(owner):
    text = (BPMN_DIR / "second_triage.bpmn").read_text(encoding="utf-8")
    old = 'config="^[0-9]{1,3}-[0-9]{1,4}[A-Za-z]?$"'
    assert old in text
    problems = owner.api("POST", "/definitions/1/validate", json={
        "file": "second_triage.bpmn", "xml": text.replace(old, 'config="^(\\d+)-\\1$"')}).json()["problems"]
    assert len(problems) == 1 and problems[0]["element"] == "questionnaire_network"
    assert "tilbagereferencer kan ikke køres i lineær tid" in problems[0]["message"]
