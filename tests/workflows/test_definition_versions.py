"""Definitions are versioned by content hash and stored once; running instances keep their version."""
from __future__ import annotations

import shutil
import zlib
from pathlib import Path

from config.settings import Settings
from services.runtime import Runtime
from store.models import ProcessDefinitionRow, ProcessInstanceRow

from test_diagram_validation import BPMN_DIR


def _walk_module():
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
    from casewalk import CaseWalk
    return CaseWalk


def test_definition_stored_once_and_not_inside_instances(session, runtime):
    CaseWalk = _walk_module()
    first, second = CaseWalk(session, runtime), CaseWalk(session, runtime)
    assert session.query(ProcessDefinitionRow).count() == 1
    instances = session.query(ProcessInstanceRow).all()
    assert {i.definition_id for i in instances} == {1} and first.number != second.number
    for instance in instances:
        state = zlib.decompress(instance.state)
        assert b'"spec"' not in state and b"Klassific" not in state   # no spec, no form labels
        assert len(instance.state) < 10_000


def test_running_instance_keeps_its_version_after_a_diagram_change(session, runtime, tmp_path, shared_engine, db_url):
    CaseWalk = _walk_module()
    old = CaseWalk(session, runtime)
    changed = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, changed)
    path = changed / "incident_handling.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace('name="Vælg team"', 'name="Vælg løsningsteam"'),
                    encoding="utf-8")
    new_runtime = Runtime(Settings(database_url=db_url, bpmn_dir=changed), engine=shared_engine)
    new = CaseWalk(session, new_runtime)
    assert session.query(ProcessDefinitionRow).count() == 2
    for walk in (old, new):
        walk.runtime = new_runtime
        walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
        from casewalk import TRIAGE
        walk.do("first_triage", "sd.tekniker", TRIAGE)
    assert old.task("choose_team")["name"] == "Vælg team"
    assert new.task("choose_team")["name"] == "Vælg løsningsteam"
