"""Issue 11 from the command line: a stuck case is found (`case show` names the failure and the
version), retried (fails again on the broken version), migrated (dry run, real, whole version) and
retried after the fix, then cancelled with a reason (H-R1.1 Work Info for each)."""
from __future__ import annotations

import json

from cli.main import main
from services.deployments import deploy
from services.runtime import Runtime
from config.settings import Settings
from store.db import session_factory
from tests.services.casewalk import TRIAGE, T0
from tests.services.test_instance_control import BROKEN

NOW = ["--now", "2026-11-23T10:00:00+01:00"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _deploy_broken(db_engine, db_url, shared_engine) -> tuple[int, int]:
    runtime = Runtime(Settings(database_url=db_url), engine=shared_engine)
    with session_factory(db_engine)() as session:
        current = runtime.current_definition(session)
        sources = dict(current.sources)
        sources["incident_handling.bpmn"] = sources["incident_handling.bpmn"].replace(
            'priority in ("critical", "high")</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n'
            '    <bpmn:sequenceFlow id="flow_not_critical"',
            BROKEN.replace('"', "&quot;") + '</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n'
            '    <bpmn:sequenceFlow id="flow_not_critical"')
        broken = deploy(session, runtime, sources=sources, actor="admin", now=T0).definition.id
        session.commit()
        return current.id, broken


def _task(capsys, number, bpmn_id):
    code, out, _ = run(capsys, "task", "list", "--case", number, "--json")
    return next(t["id"] for t in json.loads(out) if t["bpmn_id"] == bpmn_id)


def test_cli_stuck_case_retry_migrate_cancel(cli_env, db_engine, db_url, shared_engine, capsys):
    fixed, broken = _deploy_broken(db_engine, db_url, shared_engine)
    code, out, _ = run(capsys, *NOW, "case", "open", "--type", "incident", "--summary", "Printer virker ikke",
                       "--impact", "3", "--urgency", "3", "--sla-level", "bronze", "--customer", "Hanne Hansen",
                       "--customer-email", "hanne@example.org", "--customer-phone", "12345678", "--json")
    number = json.loads(out)["number"]
    assert run(capsys, *NOW, "task", "complete", _task(capsys, number, "classify_case"), "--as", "sd.tekniker",
               "--data", '{"classification": "incident"}')[0] == 0
    code, _, err = run(capsys, *NOW, "task", "complete", _task(capsys, number, "first_triage"), "--as",
                       "sd.tekniker", "--data", json.dumps(TRIAGE))
    assert code == 1 and "Fejl i processen ved Kritisk eller høj?" in err, err

    code, out, _ = run(capsys, "case", "show", number)
    assert f"diagramversion {broken}" in out and "Fejl i processen ved Kritisk eller høj?" in out
    doc = json.loads(run(capsys, "case", "show", number, "--json")[1])
    assert doc["process"]["version"] == broken and doc["process"]["failure"]["element"] == "is_critical_or_high"

    code, _, err = run(capsys, *NOW, "case", "retry", number, "--as", "admin")
    assert code == 1 and "Fejl i processen" in err
    assert run(capsys, *NOW, "case", "retry", number, "--as", "sd.tekniker")[0] == 3   # not a coordinator/admin

    code, out, _ = run(capsys, *NOW, "case", "migrate", number, "--to", str(fixed), "--dry-run", "--json")
    preview = json.loads(out)
    assert code == 0 and preview["possible"] and not preview["migrated"]
    assert json.loads(run(capsys, "case", "show", number, "--json")[1])["process"]["version"] == broken

    code, out, _ = run(capsys, *NOW, "case", "migrate", "--from", str(broken), "--to", str(fixed), "--json")
    result = json.loads(out)
    assert code == 0 and result["migrated"] == 1 and result["refused"] == []
    assert json.loads(run(capsys, "case", "show", number, "--json")[1])["process"]["version"] == fixed

    code, out, _ = run(capsys, *NOW, "case", "retry", number, "--as", "admin", "--json")
    assert code == 0 and "choose_team" in json.loads(out)["open_tasks"]
    doc = json.loads(run(capsys, "case", "show", number, "--json")[1])
    assert doc["process"]["failure"] is None
    events = [w["event"] for w in doc["work_info"]]
    assert events.count("process_failed") == 1 and "process_migrated" in events and "process_retried" in events

    assert run(capsys, *NOW, "case", "cancel", number, "--as", "admin", "--reason", "")[0] == 2
    code, out, _ = run(capsys, *NOW, "case", "cancel", number, "--as", "admin", "--reason", "Dublet", "--json")
    assert code == 0 and json.loads(out) == {"case": number, "status": "cancelled", "customer_told": True}
    assert run(capsys, *NOW, "case", "migrate", number, "--to", str(broken))[0] == 5   # not running any more
