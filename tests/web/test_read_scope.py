"""Issue 9 item 7: read and write scope, deny by default (SECURITY.md "Read and write scope").
Every cell of the matrix, through the pages, the REST API and the CLI: the service desk reads and
works every case and alone registers; a team reads the cases it has or had and works the ones it
has; administrators read every case but do not work cases; process owners read no cases."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from casewalk import CaseWalk  # noqa: E402

from cli.main import main  # noqa: E402
from webclient import NEW_CASE  # noqa: E402

PEOPLE = ("sd.tekniker", "app.koordinator", "app.tekniker", "net.tekniker", "admin", "procesejer")
READS = {"sd.tekniker", "app.koordinator", "app.tekniker", "admin"}
WORKS = {"sd.tekniker", "app.koordinator", "app.tekniker"}
REGISTERS = {"sd.tekniker"}


@pytest.fixture
def case(app, runtime):
    """A case Applikationsdrift has (at distribution); the network team never had it."""
    with app.state.session_factory() as session:
        walk = CaseWalk(session, runtime)
        walk.to_distribution(team="application_operations")
        task_id = walk.task("distribute_case")["id"]
        return walk.number, task_id


def _ok(response) -> bool:
    return response.status_code in (200, 201, 303)


@pytest.mark.parametrize("username", PEOPLE)
def test_reading_a_case_follows_the_matrix(web, case, username):
    number, task_id = case
    user = web(username)
    reads = {
        "case page": user.get(f"/cases/{number}"),
        "diagram": user.get(f"/cases/{number}/diagram.json"),
        "api case": user.api("GET", f"/api/cases/{number}"),
        "api work info": user.api("GET", f"/api/cases/{number}/work-info"),
        "api diagram": user.api("GET", f"/api/cases/{number}/diagram"),
    }
    for what, response in reads.items():
        assert _ok(response) == (username in READS), (username, what, response.status_code)
        if username not in READS:
            assert response.status_code == 403, (username, what)
    task_page = user.get(f"/tasks/{task_id}")
    assert _ok(task_page) == (username in READS - {"admin"}), (username, task_page.status_code)
    by_case = user.api("GET", f"/api/tasks?case={number}")
    assert _ok(by_case) == (username in READS - {"admin"}), (username, by_case.status_code)


@pytest.mark.parametrize("username", PEOPLE)
def test_writing_work_info_follows_the_matrix(web, case, username):
    number, _ = case
    user = web(username)
    response = user.api("POST", f"/api/cases/{number}/work-info", json={"summary": f"Notat fra {username}"})
    assert _ok(response) == (username in WORKS), (username, response.status_code)
    page = user.post(f"/cases/{number}/notes", {"summary": f"Sidenotat fra {username}", "notes": ""})
    assert _ok(page) == (username in WORKS), (username, page.status_code)


@pytest.mark.parametrize("username", PEOPLE)
def test_only_the_service_desk_registers_cases(web, username):
    user = web(username)
    api = user.api("POST", "/api/cases", json={**NEW_CASE, "impact": 3, "urgency": 3})
    page = user.post("/cases/new", NEW_CASE)
    assert _ok(api) == (username in REGISTERS), (username, api.status_code)
    assert _ok(page) == (username in REGISTERS), (username, page.status_code)


@pytest.mark.parametrize("username,team,allowed", [
    ("sd.tekniker", "application_operations", True), ("app.tekniker", "application_operations", True),
    ("net.tekniker", "application_operations", False), ("net.tekniker", "network", True)])
def test_a_team_lists_only_its_own_tasks(web, case, username, team, allowed):
    response = web(username).api("GET", f"/api/tasks?team={team}")
    assert _ok(response) == allowed, (username, team, response.status_code)


def test_an_unfiltered_task_list_holds_only_readable_teams(web, case):
    tasks = web("net.tekniker").api("GET", "/api/tasks").json()
    assert all(t["team"] == "network" for t in tasks)
    assert any(t["team"] == "application_operations" for t in web("sd.tekniker").api("GET", "/api/tasks").json())


def test_the_cli_applies_the_same_scope(cli_env, case, capsys):
    number, _ = case
    assert main(["case", "show", number, "--as", "net.tekniker"]) == 3
    assert main(["case", "show", number, "--as", "app.tekniker", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == number
    assert main(["case", "open", "--type", "incident", "--summary", "Fra netværk", "--impact", "3", "--urgency", "3",
                 "--sla-level", "bronze", "--customer", "Kunde", "--as", "net.tekniker"]) == 3
