"""The `sagsflow` command as a contract: JSON documents, exit codes, nothing changed on bad input."""
from __future__ import annotations

import json

import pytest

from cli.main import main
from services.tasks import list_tasks

CASE_ARGS = ["case", "open", "--type", "incident", "--summary", "Printer på afsnit 3 virker ikke", "--impact", "3",
             "--urgency", "2", "--sla-level", "bronze", "--customer", "Hanne Hansen",
             "--customer-email", "hanne@example.org", "--json"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def opened(cli_env, db_engine, capsys):
    code, out, _ = run(capsys, "--now", "2026-11-23T10:00:00+01:00", *CASE_ARGS)
    assert code == 0
    return json.loads(out)


def test_h_r1_1_case_open_and_show_give_stable_documents(opened, capsys):
    assert opened["number"] == "SF-INC-000001" and opened["status"] == "in_triage"
    assert [t["name"] for t in opened["open_tasks"]] == ["Klassificér henvendelsen"]
    code, out, _ = run(capsys, "case", "show", opened["number"], "--json")
    doc = json.loads(out)
    assert code == 0
    assert {"number", "type", "status", "priority", "sla_level", "team", "assignee", "open_tasks",
            "work_info"} <= set(doc)
    assert doc["received_at"] == "2026-11-23T09:00:00+00:00"
    assert doc["work_info"][0]["summary"].startswith("Sag registreret")


def test_task_list_shows_form_fields(opened, capsys):
    code, out, _ = run(capsys, "task", "list", "--case", opened["number"], "--json")
    (task,) = json.loads(out)
    field = task["fields"][0]
    assert code == 0 and task["team"] == "service_desk" and task["case"] == opened["number"]
    assert field["id"] == "classification" and field["required"] is True
    assert {"id": "complaint", "name": "Konkret klage – sendes til Kundeafdelingen"} in field["options"]


def test_invalid_form_data_exits_2_names_the_fields_and_changes_nothing(opened, capsys, session):
    task_id = opened["open_tasks"][0]["id"]
    code, out, err = run(capsys, "task", "complete", task_id, "--as", "sd.tekniker",
                         "--data", json.dumps({"classification": "nonsense", "colour": "blue"}), "--json")
    assert code == 2
    assert json.loads(out)["fields"] == {"colour": "Ukendt felt i denne formular.",
                                         "classification": "Ugyldigt valg; vælg en af: incident, service_request, "
                                                           "change, information_advice, complaint, proposal."}
    assert "classification" in err
    assert [t["id"] for t in list_tasks(session, case_number=opened["number"])] == [task_id]


@pytest.mark.parametrize("argv, code, message", [
    (["task", "complete", "00000000-0000-0000-0000-000000000000", "--as", "sd.tekniker", "--data", "{}"], 4,
     "unknown task"),
    (["task", "complete", "not-a-uuid", "--as", "sd.tekniker", "--data", "{}"], 4, "unknown task"),
    (["case", "show", "SF-INC-999999999999"], 4, "unknown case"),
    (["task", "complete", "x", "--as", "sd.tekniker", "--data", "{not json"], 2, "invalid JSON"),
    (["task", "complete", "x", "--as", "sd.tekniker", "--data", "@/nonexistent.json"], 2, "cannot read"),
])
def test_bad_input_gets_a_clear_error(opened, capsys, argv, code, message):
    got, _, err = run(capsys, *argv)
    assert got == code and message in err


def test_wrong_role_is_refused_with_exit_3(opened, capsys, session):
    task_id = opened["open_tasks"][0]["id"]
    code, _, err = run(capsys, "task", "complete", task_id, "--as", "net.tekniker",
                       "--data", '{"classification": "incident"}')
    assert code == 3 and "not a member of team service_desk" in err
    code, _, err = run(capsys, "task", "complete", task_id, "--as", "nobody", "--data", "{}")
    assert code == 3 and "unknown or inactive user" in err


def test_case_open_validates_input(cli_env, db_engine, capsys):
    code, _, err = run(capsys, "case", "open", "--type", "incident", "--summary", "x", "--impact", "3",
                       "--urgency", "2", "--sla-level", "bronze", "--customer", "A", "--customer-email", "not-mail")
    assert code == 2 and "summary" in err and "customer_email" in err


def test_completing_twice_is_refused(opened, capsys):
    task_id = opened["open_tasks"][0]["id"]
    assert run(capsys, "task", "complete", task_id, "--as", "sd.tekniker", "--data", '{"classification": "incident"}')[0] == 0
    code, _, err = run(capsys, "task", "complete", task_id, "--as", "sd.tekniker", "--data", '{"classification": "incident"}')
    assert code == 5 and "already completed" in err


def test_claim_race_exactly_one_wins(opened, capsys):
    task_id = opened["open_tasks"][0]["id"]
    assert run(capsys, "task", "claim", task_id, "--as", "sd.tekniker")[0] == 0
    code, _, err = run(capsys, "task", "claim", task_id, "--as", "sd.koordinator")
    assert code == 3 and "claimed by sd.tekniker" in err


def test_bpmn_validate_passes_on_shipped_diagrams(capsys):
    code, out, _ = run(capsys, "bpmn", "validate")
    assert code == 0 and out.startswith("ok: 6 file(s) valid")


def test_bpmn_validate_reports_rows(tmp_path, capsys):
    (tmp_path / "bad.bpmn").write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    code, out, _ = run(capsys, "bpmn", "validate", str(tmp_path / "bad.bpmn"))
    assert code == 1 and out.strip() == "bad.bpmn:0: file: DOCTYPE and entity declarations are not allowed in diagrams"


def test_demo_walks_a_critical_case_to_closed_with_the_documented_examples(cli_env, db_engine, capsys):
    code, out, _ = run(capsys, "--now", "2026-11-23T10:00:00+01:00", "demo")
    assert code == 0 and "status Lukket" in out and "prioritet Kritisk" in out
    assert "Driftsvagtproceduren er startet" in out and "Mail til CMDB-teamet" in out


def test_every_command_is_registered_by_the_module_named_for_it():
    # `sagsflow COMMAND …` builds only that module's parser (issue 15: a fast start); the map must be whole
    import argparse
    import importlib

    from cli.main import COMMANDS, build_parser, chosen_command

    for command, module in COMMANDS.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        importlib.import_module(f"cli.{module}").register(sub)
        assert command in sub.choices
        assert set(sub.choices) <= set(COMMANDS) and all(COMMANDS[c] == module for c in sub.choices)
    full = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert list(full.choices) == list(COMMANDS)
    assert chosen_command(["--now", "2026-11-23T10:00:00+01:00", "case", "show", "X"]) == "case"
    assert chosen_command(["--now=2026-11-23T10:00:00+01:00", "sla", "due"]) == "sla"
    assert chosen_command(["--help"]) is None and chosen_command(["nonsense"]) is None


def _imported(code: str, packages: set[str]) -> list[str]:
    """Which of `packages` a fresh interpreter has imported after running `code`."""
    import subprocess
    import sys
    from pathlib import Path

    probe = f"import sys; {code}; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(packages)!r})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[2], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return eval(done.stdout)   # noqa: S307 - our own probe's list of names


def test_building_the_parser_imports_no_database_services_engine_or_web():
    # issue 15: `sagsflow COMMAND` pays only for what COMMAND's handler imports
    assert _imported("from cli.main import build_parser; build_parser()",
                     {"services", "engine", "store", "tasks", "workflows", "web", "SpiffWorkflow", "prefect", "fastapi",
                      "sqlalchemy", "pydantic"}) == []


def test_showing_a_case_imports_no_workflow_engine_flows_or_web():
    assert _imported("import cli.case, services.cases, services.contacts, services.attachments",
                     {"SpiffWorkflow", "workflows", "prefect", "web", "fastapi"}) == []


# issue 15: libraries `case show` and `sla due` do not use, which they once imported at start
_UNUSED_BY_SHOW = {"SpiffWorkflow", "lxml", "jinja2", "prefect", "fastapi", "starlette", "alembic", "httpx",
                   "email_validator"}
# … and what only `case show` does without: its settings, labels and case are read without pydantic, the mail,
# phone and Remedy connectors (their settings) and the SLA tables (config/environment.py, config.handbook.labels);
# with --json not even the labels (PyYAML): the document names no label
_UNUSED_BY_SHOW_ONLY = {"pydantic", "pydantic_core", "pydantic_settings", "dotenv", "connectors", "config.settings",
                        "config.sla_config", "domain.forms", "yaml"}


def _command(argv: list[str], database_url: str, *, probe: bool,
             unused: frozenset[str] = frozenset()) -> tuple[int, str, list[str]]:
    """`sagsflow ARGV` in a fresh interpreter: (exit code, its stdout, the heavy packages it imported).
    `probe`: call main(ARGV) and list sys.modules; else run it as the process does (`python -m cli.main`).
    `unused`: more packages or modules to look for."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    watched = sorted(_UNUSED_BY_SHOW | {"holidays"} | unused)
    code = (f"import sys; from cli.main import main; code = main({argv!r}); "
            f"print(sorted(({{m.split('.')[0] for m in sys.modules}} | set(sys.modules)) & set({watched!r}))); "
            "sys.exit(code)")
    done = subprocess.run([sys.executable, *(["-c", code] if probe else ["-m", "cli.main", *argv])],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SAGSFLOW_DATABASE_URL": database_url})
    assert probe is False or done.returncode == 0, done.stderr[-2000:]
    out, _, modules = done.stdout.rstrip("\n").rpartition("\n") if probe else (done.stdout, "", "[]")
    return done.returncode, out, eval(modules)   # noqa: S307 - our own probe's list of names


def test_showing_a_case_and_sla_deadlines_import_no_library_they_do_not_use(opened, cli_env):
    # on SQLite not even SQLAlchemy's PostgreSQL dialect (store/models.py names no PostgreSQL option)
    on_sqlite = {"sqlalchemy.dialects.postgresql"} if cli_env.startswith("sqlite") else set()
    code, out, imported = _command(["case", "show", opened["number"], "--json"], cli_env, probe=True,
                                   unused=frozenset(_UNUSED_BY_SHOW_ONLY | on_sqlite))
    assert code == 0 and json.loads(out)["number"] == opened["number"]
    assert imported == []   # the SLA document reads the stored deadlines: no holiday tables, even for bronze
    # a 24 x 7 level computes no business time, so the holiday tables (~0.15 s, domain/calendar.py) stay unloaded
    code, out, imported = _command(["sla", "due", "--priority", "critical", "--sla-level", "gold", "--received",
                                    "2024-03-30T23:00", "--json"], cli_env, probe=True)
    assert code == 0 and json.loads(out)["reaction_due"] == "2024-03-30T23:10:00+01:00"
    assert imported == []


def test_the_command_as_a_process_prints_the_same_document_and_ends_cleanly(opened, cli_env, capsys):
    # `python -m cli.main` (as the `sagsflow` script) closes the database connections and skips the last
    # garbage collection before it ends (cli/main.py: _before_exit); the output and exit code are the contract's
    code, out, _ = _command(["case", "show", opened["number"], "--json"], cli_env, probe=False)
    assert code == 0
    assert json.loads(out) == json.loads(run(capsys, "case", "show", opened["number"], "--json")[1])
    code, out, _ = _command(["case", "show", "SF-INC-999999"], cli_env, probe=False)
    assert code == 4 and out == ""


def test_the_command_as_a_process_shows_a_case_only_to_who_may_read_it(opened, cli_env, session):
    # SECURITY.md read scope, as in-process (tests/web/test_read_scope.py): the brief process reads the case
    # through services.cases.case_document like every reader, and ends with its exit code and message
    from sqlalchemy import update

    from store.models import HumanTaskRow

    session.execute(update(HumanTaskRow).values(team="application_operations"))   # a task the team had
    session.commit()
    for reader, allowed in [("net.tekniker", False), ("app.tekniker", True), ("sd.tekniker", True),
                            ("ingen.bruger", False)]:
        done = _process(["case", "show", opened["number"], "--as", reader], cli_env)
        if allowed:
            assert done.returncode == 0 and done.stdout.startswith(opened["number"]) and done.stderr == "", reader
        else:
            assert (done.returncode, done.stdout) == (3, ""), reader
            assert done.stderr == "forbidden: du har ikke adgang til denne sag\n", reader


def _process(argv: list[str], database_url: str):
    import os
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run([sys.executable, "-m", "cli.main", *argv], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SAGSFLOW_DATABASE_URL": database_url})
