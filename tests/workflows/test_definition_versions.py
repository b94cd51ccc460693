"""Issue 10: definitions are versioned by content hash and stored once; deployments live in the
database (who, when, comment); opening a case never deploys; a broken file on disk never stops new
cases; CRLF or another encoding is the same version; rolling back is deploying an earlier version."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from config.settings import Settings

from domain.errors import InvalidState
from engine import state_codec
from services.cases import NewCase, open_case
from services.deployments import deploy, deploy_release, deploy_version, history, read_directory
from services.runtime import Runtime
from store.models import DeploymentRow, ProcessDefinitionRow, ProcessInstanceRow
from engine.adapter import DiagramInvalid, content_hash

from test_diagram_validation import BPMN_DIR

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def _walk_module():
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
    from casewalk import CaseWalk
    return CaseWalk


def _copy(tmp_path) -> Path:
    directory = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, directory)
    return directory


def _rename_choose_team(directory: Path) -> None:
    path = directory / "incident_handling.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace('name="Vælg team"', 'name="Vælg løsningsteam"'),
                    encoding="utf-8")


def _snapshot(directory: Path) -> list:
    return sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in directory.iterdir())


def _open(session, runtime):
    case = open_case(session, runtime, actor="sd.tekniker", now=T0, new=NewCase(
        case_type="incident", summary="Printeren virker ikke", impact=3, urgency=3, sla_level="gold",
        customer_name="Test Kunde"))
    session.flush()
    return session.query(ProcessInstanceRow).filter_by(case_id=case.id).one().definition_id


def test_definition_stored_once_and_not_inside_instances(session, runtime):
    CaseWalk = _walk_module()
    first, second = CaseWalk(session, runtime), CaseWalk(session, runtime)
    assert session.query(ProcessDefinitionRow).count() == 1
    instances = session.query(ProcessInstanceRow).all()
    assert {i.definition_id for i in instances} == {1} and first.number != second.number
    for instance in instances:
        state = state_codec.decode(instance.state)
        # no spec (a subworkflow names its spec, e.g. the listening event subprocess), no form labels
        assert b'"task_specs"' not in state and b"Klassific" not in state
        assert len(instance.state) < 10_000


def test_the_release_is_a_deployment_in_the_database(session, runtime):
    [release] = history(session, runtime)
    assert (release.definition_id, release.deployed_by) == (1, "release") and release.comment
    again = deploy_release(session, runtime, now=T0)
    assert not again.changed and session.query(DeploymentRow).count() == 1


def test_opening_a_case_never_deploys_even_when_the_files_on_disk_changed(session, shared_engine, db_url, tmp_path):
    directory = _copy(tmp_path)
    _rename_choose_team(directory)
    host = Runtime(Settings(database_url=db_url, bpmn_dir=directory), engine=shared_engine)
    assert _open(session, host) == 1
    assert session.query(ProcessDefinitionRow).count() == 1 and session.query(DeploymentRow).count() == 1


def test_a_broken_file_on_disk_never_stops_new_cases(session, shared_engine, db_url, tmp_path):
    directory = _copy(tmp_path)
    (directory / "incident_handling.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    host = Runtime(Settings(database_url=db_url, bpmn_dir=directory), engine=shared_engine)
    assert _open(session, host) == 1                       # the current version, not the disk
    result = deploy_release(session, host, now=T0)
    assert not result.changed and result.problems[0].file == "incident_handling.bpmn"
    assert "not well-formed" in result.problems[0].message


def test_running_instance_keeps_its_version_after_a_deployment(session, runtime, tmp_path):
    CaseWalk = _walk_module()
    old = CaseWalk(session, runtime)
    directory = _copy(tmp_path)
    _rename_choose_team(directory)
    sources, problems = read_directory(directory)
    before = _snapshot(directory), _snapshot(BPMN_DIR)
    result = deploy(session, runtime, sources=sources, actor="procesejer", now=T0, comment="Nyt navn")
    session.commit()
    assert problems == [] and result.new_version and result.definition.id == 2
    assert (result.deployment.deployed_by, result.deployment.comment) == ("procesejer", "Nyt navn")
    assert (_snapshot(directory), _snapshot(BPMN_DIR)) == before     # no file written anywhere
    new = CaseWalk(session, runtime)
    from casewalk import TRIAGE
    for walk in (old, new):
        walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
        walk.do("first_triage", "sd.tekniker", TRIAGE)
    assert old.task("choose_team")["name"] == "Vælg team"
    assert new.task("choose_team")["name"] == "Vælg løsningsteam"


def _windows_bytes(text: str) -> bytes:
    """As an editor on Windows might save it: CRLF, windows-1252 (UTF-16 where that cannot hold it)."""
    text = text.replace("\n", "\r\n")
    try:
        return text.replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252")
    except UnicodeEncodeError:
        return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def test_crlf_and_another_encoding_are_the_same_version(session, runtime):
    sources, _ = read_directory(BPMN_DIR)
    windows = {name: _windows_bytes(text) for name, text in sources.items()}
    assert any(b"windows-1252" in raw for raw in windows.values())
    assert content_hash(windows) == content_hash(sources)
    with pytest.raises(InvalidState, match="already the current version"):
        deploy(session, runtime, sources=windows, actor="procesejer", now=T0)
    assert session.query(ProcessDefinitionRow).count() == 1


def test_a_file_that_cannot_be_decoded_is_a_clear_problem(tmp_path, session, runtime):
    directory = _copy(tmp_path)
    path = directory / "resolve_case.bpmn"
    path.write_bytes(path.read_bytes().replace("Løs sagen".encode(), "Løs sagen".encode("cp1252")))
    sources, problems = read_directory(directory)
    [problem] = problems
    assert problem.file == "resolve_case.bpmn" and problem.line and "not valid UTF-8 text" in problem.message
    with pytest.raises(DiagramInvalid):
        deploy(session, runtime, sources={**sources, "resolve_case.bpmn": path.read_bytes()}, actor="procesejer",
               now=T0)


def test_rolling_back_is_deploying_an_earlier_version_again(session, runtime, tmp_path):
    directory = _copy(tmp_path)
    _rename_choose_team(directory)
    deploy(session, runtime, sources=read_directory(directory)[0], actor="procesejer", now=T0)
    assert _open(session, runtime) == 2
    back = deploy_version(session, runtime, version_id=1, actor="procesejer", now=T0, comment="Tilbage")
    assert not back.new_version and back.definition.id == 1
    assert _open(session, runtime) == 1
    assert [d.definition_id for d in history(session, runtime)] == [1, 2, 1]
    assert session.query(ProcessDefinitionRow).count() == 2
    assert not deploy_release(session, runtime, now=T0).changed   # the release content was deployed once


def test_every_host_starts_new_cases_on_the_same_current_version(session, shared_engine, db_url, tmp_path, runtime):
    """Two hosts with different files on disk: both start on the version current in the database."""
    one, two = _copy(tmp_path / "one"), _copy(tmp_path / "two")
    _rename_choose_team(two)
    hosts = [Runtime(Settings(database_url=db_url, bpmn_dir=d), engine=shared_engine) for d in (one, two)]
    assert [_open(session, host) for host in hosts] == [1, 1]
    deploy(session, runtime, sources=read_directory(two)[0], actor="procesejer", now=T0)
    assert [_open(session, host) for host in hosts] == [2, 2]
