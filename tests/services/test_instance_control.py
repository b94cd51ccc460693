"""Issue 11: running cases under control — a failing step is recorded on the instance (H-R1.1 Work
Info), found by the administrator, retried after a fix, migrated to a corrected version (dry run and
real, refused where the position does not exist), and cancelled with a reason (H-D3 customer told)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.errors import Forbidden, FormInvalid, InvalidState
from services.admin import problem_instances
from services.deployments import deploy
from services.failures import ProcessFailed, record_failure
from services.instance_control import cancel_case, retry_case
from services.migration import cases_of_version, migrate_case
from services.tasks import complete_task
from store.db import session_factory
from store.models import InstanceChangeRow, OutboxRow, ProcessInstanceRow
from store.process import instance_for_case
from tests.services.casewalk import TRIAGE, CaseWalk, T0

BROKEN = 'int(summary) > 0 and priority in ("critical", "high")'   # a data problem: the summary is text


def _variant(session, runtime, *, replace: tuple[str, str] | None = None, transform=None,
             file="incident_handling.bpmn"):
    current = runtime.current_definition(session)
    sources = dict(current.sources)
    if replace is not None:
        old, new = replace
        assert old in sources[file]
        sources[file] = sources[file].replace(old, new)
    if transform is not None:
        sources[file] = transform(sources[file])
    result = deploy(session, runtime, sources=sources, actor="admin", now=T0)
    session.commit()
    return current.id, result.definition.id


def _broken(session, runtime):
    return _variant(session, runtime, replace=('priority in ("critical", "high")</bpmn:conditionExpression>\n'
                                               '    </bpmn:sequenceFlow>\n    <bpmn:sequenceFlow id="flow_not_critical"',
                                               f'{BROKEN.replace(chr(34), "&quot;")}</bpmn:conditionExpression>\n'
                                               '    </bpmn:sequenceFlow>\n    <bpmn:sequenceFlow id="flow_not_critical"'))


def _fail_first_triage(db_engine, session, walk):
    """Complete first triage as the service desk does; the step fails and is recorded as the CLI/web do."""
    task = walk.task("first_triage")
    with pytest.raises(ProcessFailed) as caught:
        complete_task(session, walk.runtime, task_id=task["id"], username="sd.tekniker", data=TRIAGE,
                      now=T0 + timedelta(minutes=10))
    session.rollback()
    assert record_failure(session_factory(db_engine), caught.value)
    session.expire_all()
    return caught.value


def test_stuck_case_found_migrated_and_retried_after_fix(db_engine, session, runtime):
    fixed, broken = _broken(session, runtime)
    walk = CaseWalk(session, runtime)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    failure = _fail_first_triage(db_engine, session, walk)
    assert failure.element == "is_critical_or_high" and "ValueError" in failure.message

    # found: on the instance, in Work Info, on the admin list although a task is open
    instance = instance_for_case(session, _case_id(session, walk))
    assert instance.failed_element == "is_critical_or_high" and instance.failed_by == "sd.tekniker"
    assert instance.failed_step["kind"] == "task" and instance.failed_step["data"]["system_name"] == "Journal"
    assert "first_triage" in walk.open_ids()
    doc = walk.doc()
    assert any(w["summary"] == "Fejl i processen ved Kritisk eller høj?" for w in doc["work_info"])
    problems = problem_instances(session)
    assert [(p.case_number, p.problem) for p in problems] == [(walk.number, "error")]

    # a retry on the broken version fails again and stays recorded (once in Work Info)
    with pytest.raises(ProcessFailed) as again:
        retry_case(session, runtime, number=walk.number, actor="admin", now=T0 + timedelta(minutes=20))
    session.rollback()
    record_failure(session_factory(db_engine), again.value)
    session.expire_all()
    assert sum(w["event"] == "process_failed" for w in walk.doc()["work_info"]) == 1

    # the fix: the corrected version; preview, then move
    assert cases_of_version(session, broken)[0][0] == walk.number
    preview = migrate_case(session, runtime, number=walk.number, to_version=fixed, actor="admin",
                           now=T0 + timedelta(minutes=30), dry_run=True)
    assert preview["possible"] and preview["dry_run"] and not preview["migrated"]
    assert [(p["bpmn_id"], p["target"]) for p in preview["positions"]] == [("first_triage", "first_triage")]
    assert preview["changed"] == {"is_critical_or_high": ["cond_task_specs"]} and not preview["blockers"]
    assert "summary" in preview["data_kept"]
    session.rollback()
    assert instance_for_case(session, _case_id(session, walk)).definition_id == broken   # dry run: nothing moved

    task_before = walk.task("first_triage")["id"]
    moved = migrate_case(session, runtime, number=walk.number, to_version=fixed, actor="admin",
                         now=T0 + timedelta(minutes=31))
    session.commit()
    assert moved["migrated"] and moved["from_version"] == broken and moved["to_version"] == fixed
    assert walk.task("first_triage")["id"] == task_before
    change = session.query(InstanceChangeRow).filter_by(kind="migrate").one()
    assert (change.from_definition_id, change.to_definition_id, change.actor) == (broken, fixed, "admin")
    assert any(w["event"] == "process_migrated" for w in walk.doc()["work_info"])

    # retried after the fix: the same answers run through
    result = retry_case(session, runtime, number=walk.number, actor="admin", now=T0 + timedelta(minutes=40))
    session.commit()
    assert "choose_team" in result["open_tasks"]
    session.expire_all()
    instance = instance_for_case(session, _case_id(session, walk))
    assert instance.failed_at is None and instance.error is None
    assert problem_instances(session) == []
    assert walk.doc()["work_info"][-1]["event"] in ("process_retried",)


def _case_id(session, walk):
    from store.cases import case_by_number
    return case_by_number(session, walk.number).id


def test_migration_refused_where_the_position_does_not_exist(session, runtime):
    walk = CaseWalk(session, runtime)
    current, renamed = _variant(session, runtime, transform=_without_classification)
    preview = migrate_case(session, runtime, number=walk.number, to_version=renamed, actor="admin", now=T0,
                           dry_run=True)
    assert not preview["possible"] and preview["removed"] == ["classify_case"]
    assert [(p["bpmn_id"], p["target"]) for p in preview["positions"]] == [("classify_case", None)]
    assert "classify_case" in preview["blockers"][0] and "does not exist in the target" in preview["blockers"][0]
    session.rollback()
    with pytest.raises(InvalidState, match="cannot move to version"):
        migrate_case(session, runtime, number=walk.number, to_version=renamed, actor="admin", now=T0)
    session.rollback()
    assert instance_for_case(session, _case_id(session, walk)).definition_id == current
    with pytest.raises(Forbidden):
        migrate_case(session, runtime, number=walk.number, to_version=renamed, actor="sd.tekniker", now=T0)


def _without_classification(text: str) -> str:
    """The main diagram without the classification task (the start event leads to the routing)."""
    text = re.sub(r'<bpmn:userTask id="classify_case".*?</bpmn:userTask>\s*', "", text, flags=re.S)
    text = re.sub(r'<bpmndi:BPMNShape id="classify_case_di".*?</bpmndi:BPMNShape>\s*', "", text, flags=re.S)
    text = re.sub(r'<bpmndi:BPMNEdge id="flow_to_route_di".*?</bpmndi:BPMNEdge>\s*', "", text, flags=re.S)
    text = re.sub(r'<bpmn:sequenceFlow id="flow_to_route"[^>]*/>\s*', "", text)
    text = text.replace("<bpmn:flowNodeRef>classify_case</bpmn:flowNodeRef>", "")
    text = text.replace('targetRef="classify_case"', 'targetRef="route_by_classification"')
    return text.replace("<bpmn:incoming>flow_to_route</bpmn:incoming>", "<bpmn:incoming>flow_to_classify</bpmn:incoming>")


def test_cancel_needs_a_reason_and_tells_a_customer_the_case_reached(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_distribution("network")
    with pytest.raises(FormInvalid):
        cancel_case(session, runtime, number=walk.number, actor="net.koordinator", reason="  ", now=T0)
    with pytest.raises(Forbidden):
        cancel_case(session, runtime, number=walk.number, actor="net.tekniker", reason="Dublet af SF-1", now=T0)
    with pytest.raises(Forbidden):
        cancel_case(session, runtime, number=walk.number, actor="app.koordinator", reason="Dublet af SF-1", now=T0)
    session.rollback()
    result = cancel_case(session, runtime, number=walk.number, actor="net.koordinator",
                         reason="Dublet af en anden sag", now=T0 + timedelta(hours=1))
    session.commit()
    assert result == {"case": walk.number, "status": "cancelled", "customer_told": True}
    doc = walk.doc()
    assert doc["status"] == "cancelled" and doc["open_tasks"] == [] and doc["process"]["status"] == "cancelled"
    entry = [w for w in doc["work_info"] if w["event"] == "case_cancelled"][0]
    assert entry["author"] == "net.koordinator" and "Dublet af en anden sag" in entry["notes"]
    mail = session.query(OutboxRow).filter(OutboxRow.idempotency_key.like(f"{walk.number}:case_cancelled%")).one()
    assert mail.payload["to"] == "kunde@example.org" and "Dublet af en anden sag" in mail.payload["context"]["message"]
    assert session.query(InstanceChangeRow).filter_by(kind="cancel").one().details["reason"] == "Dublet af en anden sag"
    with pytest.raises(InvalidState):
        cancel_case(session, runtime, number=walk.number, actor="admin", reason="igen", now=T0)


def test_cancel_without_customer_contact_sends_nothing(session, runtime):
    walk = CaseWalk(session, runtime, email=None)
    result = cancel_case(session, runtime, number=walk.number, actor="admin", reason="Oprettet ved en fejl",
                         now=T0 + timedelta(minutes=3))
    session.commit()
    assert result["customer_told"] is False
    assert session.query(OutboxRow).filter(OutboxRow.idempotency_key.like("%case_cancelled%")).count() == 0


NO_ANSWER = {"call_outcome": "no_answer", "customer_confirmed": False, "customer_reports_unsolved": False}


def _broken_after_timer(text: str) -> str:
    """The next contact attempt first runs a service task that names no unit (a diagram problem)."""
    text = text.replace('<bpmn:sequenceFlow id="flow_next_attempt" sourceRef="next_attempt_due" targetRef="contact_merge" />',
                        '<bpmn:sequenceFlow id="flow_next_attempt" sourceRef="next_attempt_due" targetRef="prepare_attempt" />'
                        '<bpmn:sequenceFlow id="flow_prepared" sourceRef="prepare_attempt" targetRef="contact_merge" />')
    text = text.replace('<bpmn:incoming>flow_next_attempt</bpmn:incoming>\n      <bpmn:outgoing>flow_to_mail</bpmn:outgoing>',
                        '<bpmn:incoming>flow_prepared</bpmn:incoming>\n      <bpmn:outgoing>flow_to_mail</bpmn:outgoing>')
    return text.replace('<bpmn:serviceTask id="send_contact_mail"',
                        '<bpmn:serviceTask id="prepare_attempt" name="Forbered næste forsøg" camunda:type="external" '
                        'camunda:topic="route_to_unit"><bpmn:incoming>flow_next_attempt</bpmn:incoming>'
                        '<bpmn:outgoing>flow_prepared</bpmn:outgoing></bpmn:serviceTask>\n'
                        '    <bpmn:serviceTask id="send_contact_mail"', 1)


def test_a_failing_timer_is_recorded_once_not_fired_every_sweep_and_retried_after_migration(db_engine, session, runtime):
    from services.watchdog import sweep
    from store.models import WaitingTimerRow
    fixed, broken = _variant(session, runtime, transform=_broken_after_timer, file="contact_customer.bpmn")
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    walk.do("call_customer", "net.tekniker", NO_ANSWER)
    due = session.query(WaitingTimerRow).one().due_at
    factory = session_factory(db_engine)
    report = sweep(factory, runtime, now=due)
    assert (report.timers_fired, report.failed) == (0, 1)
    session.expire_all()
    instance = instance_for_case(session, _case_id(session, walk))
    assert instance.failed_element == "prepare_attempt" and instance.failed_by == "watchdog"
    assert instance.failed_step == {"kind": "timer"} and "unknown unit" in instance.error
    assert [p.label for p in problem_instances(session)] == ["Fejl i processen ved Forbered næste forsøg"]
    from store.flow_runs import due_timer_cases
    from store.sla import due_timer_instance_ids
    assert due_timer_cases(session, now=due) == [] and due_timer_instance_ids(session, now=due) == []   # flow and tick
    again = sweep(factory, runtime, now=due + timedelta(minutes=1))      # not tried again and again
    assert (again.timers_fired, again.failed) == (0, 0)
    assert sum(w["event"] == "process_failed" for w in walk.doc()["work_info"]) == 1

    migrate_case(session, runtime, number=walk.number, to_version=fixed, actor="admin", now=due + timedelta(minutes=5))
    session.commit()
    result = retry_case(session, runtime, number=walk.number, actor="admin", now=due + timedelta(minutes=6))
    session.commit()
    assert result["open_tasks"] == ["call_customer"]
    session.expire_all()
    assert instance_for_case(session, _case_id(session, walk)).failed_at is None
