"""Issue 10 on the command line: `bpmn deploy` validates, stores and makes current in the database
(no file written), `db upgrade` deploys a release only when its content was never deployed and
reports a broken file without deploying it, `bpmn validate FILE` checks that file and what it
references — not its neighbours."""
from __future__ import annotations

import json
import shutil

from cli.main import main
from config.settings import ROOT, get_settings

BPMN_DIR = ROOT / "workflows" / "bpmn"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _copy(tmp_path, change: tuple[str, str] | None = None):
    directory = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, directory)
    if change:
        path = directory / "incident_handling.bpmn"
        text = path.read_text(encoding="utf-8")
        assert change[0] in text
        path.write_text(text.replace(*change), encoding="utf-8")
    return directory


def test_bpmn_deploy_stores_and_makes_current_without_writing_files(cli_env, db_engine, tmp_path, capsys):
    directory = _copy(tmp_path, ('name="Vælg team"', 'name="Vælg løsningsteam"'))
    before = sorted((p.name, p.stat().st_mtime_ns) for p in directory.iterdir())
    code, out, _ = run(capsys, "--now", "2026-11-23T10:00:00+01:00", "bpmn", "deploy", str(directory),
                       "--comment", "Nyt navn på teamvalget", "--as", "procesejer", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert (doc["version"], doc["new_version"], doc["deployed_by"], doc["comment"]) == (
        2, True, "procesejer", "Nyt navn på teamvalget")
    assert doc["deployed_at"] == "2026-11-23T09:00:00+00:00"
    assert sorted((p.name, p.stat().st_mtime_ns) for p in directory.iterdir()) == before
    code, out, err = run(capsys, "bpmn", "deploy", str(directory), "--as", "procesejer")
    assert code == 5 and "already the current version (2)" in err
    code, out, _ = run(capsys, "bpmn", "deploy", str(BPMN_DIR), "--as", "procesejer")   # roll back
    assert code == 0 and "deployed version 1 again" in out
    code, out, _ = run(capsys, "case", "open", "--type", "incident", "--summary", "Printer", "--impact", "3",
                       "--urgency", "3", "--sla-level", "gold", "--customer", "Test", "--json")
    number = json.loads(out)["number"]
    assert json.loads(run(capsys, "case", "show", number, "--json")[1])["process"]["definition_id"] == 1


def test_only_process_owners_deploy(cli_env, db_engine, tmp_path, capsys):
    directory = _copy(tmp_path, ('name="Vælg team"', 'name="Vælg løsningsteam"'))
    code, _, err = run(capsys, "bpmn", "deploy", str(directory), "--as", "sd.tekniker")
    assert code == 3 and "not an active process owner" in err


def test_an_invalid_directory_is_not_deployed_and_each_problem_is_located(cli_env, db_engine, tmp_path, capsys):
    directory = _copy(tmp_path, ('camunda:topic="close_case"', 'camunda:topic="rm_rf"'))
    code, out, _ = run(capsys, "bpmn", "deploy", str(directory), "--as", "procesejer")
    assert code == 1 and "incident_handling.bpmn:" in out and "close_case (Luk sagen): unknown topic 'rm_rf'" in out
    assert json.loads(run(capsys, "case", "open", "--type", "incident", "--summary", "Printer", "--impact", "3",
                          "--urgency", "3", "--sla-level", "gold", "--customer", "T", "--json")[1])["status"]


def test_db_upgrade_deploys_a_release_once_and_reports_a_broken_file(cli_env, db_engine, tmp_path, capsys,
                                                                     monkeypatch):
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and out.strip() == "database at newest schema; diagrams: version 1 current"
    broken = _copy(tmp_path)
    (broken / "resolve_case.bpmn").write_bytes((broken / "resolve_case.bpmn").read_bytes()
                                               .replace("Løs sagen".encode(), "Løs sagen".encode("cp1252")))
    monkeypatch.setenv("SAGSFLOW_BPMN_DIR", str(broken))
    get_settings.cache_clear()
    code, out, err = run(capsys, "db", "upgrade")
    assert code == 1 and "Traceback" not in out + err
    assert "resolve_case.bpmn:" in out and "not valid UTF-8 text" in out and "keep starting on version 1" in out
    release = _copy(tmp_path / "next", ('name="Vælg team"', 'name="Vælg løsningsteam"'))
    monkeypatch.setenv("SAGSFLOW_BPMN_DIR", str(release))
    get_settings.cache_clear()
    assert run(capsys, "db", "upgrade")[1].strip().endswith("version 2 deployed as the new release")
    assert run(capsys, "db", "upgrade")[1].strip().endswith("version 2 current")


def test_validate_checks_the_given_file_and_what_it_references_only(tmp_path, capsys):
    directory = _copy(tmp_path)
    (directory / "unrelated.bpmn").write_text("<broken", encoding="utf-8")
    code, out, _ = run(capsys, "bpmn", "validate", str(directory / "verify_solution.bpmn"))
    assert (code, out.strip()) == (0, "ok: 2 file(s) valid")        # + contact_customer.bpmn it calls
    code, out, _ = run(capsys, "bpmn", "validate", str(directory / "unrelated.bpmn"))
    assert code == 1 and out.startswith("unrelated.bpmn:1: file: not well-formed XML")


def test_validating_a_called_diagram_alone_still_follows_the_data_from_the_main_process(tmp_path, capsys):
    directory = _copy(tmp_path)
    path = directory / "resolve_case.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace("""name="required_if" config='outcome == "resolved"'""",
                                                             """name="required_if" config='outcme == "resolved"'"""),
                    encoding="utf-8")
    code, out, _ = run(capsys, "bpmn", "validate", str(path))
    assert code == 1 and out.startswith("resolve_case.bpmn:")
    assert 'work_on_case (Behandl sagen): form rule of field solution: "outcme" is never set; did you mean "outcome"' in out
