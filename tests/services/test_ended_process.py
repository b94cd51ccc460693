"""Issue 15: once a process has ended, its path and final data are kept instead of the task tree
(engine/ended.py) — the case's position on its diagrams is what it was, nothing can run the ended
process, and a state stored whole before this change still shows its position."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from cli.demo import STEPS
from domain.errors import InvalidState
from engine.ended import ProcessEnded
from services.cases import NewCase, open_case
from services.definitions import case_position
from services.instance_control import cancel_case
from services.messages import deliver_customer_reply
from services.tasks import complete_task, list_tasks
from store.models import CaseRow, ProcessInstanceRow
from web.error_text import danish_refusal

from casewalk import T0

NEW = NewCase(case_type="incident", summary="Journalsystemet kan ikke åbnes", impact=2, urgency=1, sla_level="gold",
              customer_name="Test Kunde", customer_email="kunde@example.org", customer_phone="24681357")


def _walk(session, runtime, steps=STEPS) -> tuple[str, ProcessInstanceRow]:
    number = open_case(session, runtime, new=NEW, actor="sd.tekniker", now=T0).number
    session.commit()
    for index, (bpmn_id, actor, data) in enumerate(steps):
        session.expire_all()
        task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
        complete_task(session, runtime, task_id=task["id"], username=actor, data=data,
                      now=T0 + timedelta(minutes=5 * (index + 1)))
        session.commit()
    session.expire_all()
    case_id = session.execute(select(CaseRow.id).where(CaseRow.number == number)).scalar_one()
    instance = session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case_id)).scalar_one()
    return number, instance


def _full_workflow_at_closure(session, runtime, number: str):
    """The same walk's last step done on the workflow itself: the whole task tree at closure."""
    session.expire_all()
    case_id = session.execute(select(CaseRow.id).where(CaseRow.number == number)).scalar_one()
    instance = session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case_id)).scalar_one()
    bundle = runtime.bundle(session, instance.definition_id)
    workflow = runtime.engine.load(bundle, instance.state)
    bpmn_id, _actor, data = STEPS[-1]
    view = next(v for v in runtime.engine.ready_human_tasks(workflow, bundle) if v.bpmn_id == bpmn_id)
    values = {f.id: data.get(f.id, view.data.get(f.id)) for f in view.form.fields}
    runtime.engine.complete_human_task(workflow, view.id, values, now=T0)
    runtime.engine.run(workflow, bundle, lambda call: {"work_result": "resolved"} if call.topic == "record_solution"
                       else {}, now=T0)
    return workflow, bundle


def test_a_closed_case_keeps_the_path_and_data_its_process_ended_with_not_the_task_tree(session, runtime):
    number, before_last = _walk(session, runtime, STEPS[:-1])
    full, bundle = _full_workflow_at_closure(session, runtime, number)
    assert runtime.engine.is_completed(full)
    whole = runtime.engine.dump(full)

    _, instance = _walk_last(session, runtime, number)
    assert instance.status == "completed"
    record = runtime.engine.ended_record(instance.state)
    assert record is not None
    assert record.path == runtime.engine.completed_path(full)
    assert "closure_checklist" in record.path and "classify_case" in record.path
    assert record.data["cmdb_changes"] == "Ny serverversion" and record.data["test_outcome"] == "passed"
    assert len(instance.state) < len(whole) / 3, (len(instance.state), len(whole))
    assert runtime.engine.ended_record(whole) is None   # a workflow's state is not a record

    position = case_position(session, runtime, case_id=instance.case_id)
    assert position["current"] == [] and position["status"] == "completed"
    assert position["completed"] == list(dict.fromkeys(runtime.engine.completed_path(full)))


def _walk_last(session, runtime, number: str):
    bpmn_id, actor, data = STEPS[-1]
    session.expire_all()
    task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
    complete_task(session, runtime, task_id=task["id"], username=actor, data=data,
                  now=T0 + timedelta(minutes=5 * len(STEPS)))
    session.commit()
    session.expire_all()
    case_id = session.execute(select(CaseRow.id).where(CaseRow.number == number)).scalar_one()
    return number, session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case_id)
                                   ).scalar_one()


def test_nothing_runs_an_ended_process_and_the_refusal_is_said_in_danish(session, runtime):
    number, instance = _walk(session, runtime)
    bundle = runtime.bundle(session, instance.definition_id)
    with pytest.raises(ProcessEnded) as refused:
        runtime.engine.load(bundle, instance.state)
    assert isinstance(refused.value, InvalidState)
    assert danish_refusal(str(refused.value), 409) == "Sagens proces er afsluttet; der er ikke mere at gøre i den."
    state = instance.state
    with pytest.raises(InvalidState):
        deliver_customer_reply(session, runtime, case_number=number, text="Det virker igen", now=T0)
    session.rollback()
    session.expire_all()
    assert session.get(ProcessInstanceRow, instance.id).state == state   # nothing changed


def test_a_state_stored_whole_before_the_change_still_shows_its_position(session, runtime):
    number, _ = _walk(session, runtime, STEPS[:-1])
    full, bundle = _full_workflow_at_closure(session, runtime, number)
    path, current = runtime.engine.position(bundle, runtime.engine.dump(full))
    assert path == runtime.engine.completed_path(full) and current == []


def test_a_cancelled_case_keeps_its_path_and_its_position_shows_it(session, runtime):
    number, _ = _walk(session, runtime, STEPS[:3])
    cancel_case(session, runtime, number=number, actor="app.koordinator", reason="Oprettet ved en fejl",
                now=T0 + timedelta(hours=1))
    session.commit()
    session.expire_all()
    case_id = session.execute(select(CaseRow.id).where(CaseRow.number == number)).scalar_one()
    instance = session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case_id)).scalar_one()
    assert instance.status == "cancelled"
    record = runtime.engine.ended_record(instance.state)
    assert record is not None and record.path[:1] and "choose_team" in record.path
    position = case_position(session, runtime, case_id=case_id)
    assert position["current"] == [] and "first_triage" in position["completed"]


def test_a_datetime_in_the_final_data_comes_back_as_a_datetime(runtime):
    from engine import ended
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    converted = runtime.engine._serializer.registry.convert({"next_contact_due": moment, "n": 2})
    from engine.adapter import _encoded
    record = runtime.engine.ended_record(_encoded(ended.record(["a", "b"], converted)))
    assert record.path == ["a", "b"] and record.data == {"next_contact_due": moment, "n": 2}
