"""engine.finished_tasks (issue 15): a workflow serialized with kept dictionaries for finished tasks is the
library's own serialization, at every step of the standard path, after a reload from the stored state and
after a task is reset (the repair path) — and a kept dictionary is given out again only while its task is
unchanged. (The whole test suite also runs with SAGSFLOW_ENGINE_VERIFY_DUMPS=1, which compares every dump.)"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

from cli.demo import STEPS
from engine.adapter import _SharedSpecWorkflowConverter
from engine.finished_tasks import _KEPT
from SpiffWorkflow.bpmn import BpmnWorkflow

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
DATA = {"case_number": "SF-INC-000001", "impact": "2", "urgency": "1", "end_user_name": "Test Kunde",
        "end_user_email": "kunde@example.org", "end_user_phone": "24681357", "classification": "incident"}
SERVICE_RESULTS = {"record_solution": {"work_result": "resolved"}, "evaluate_contact": {"contact_result": "done"},
                   "record_call_attempt": {"contact_result": "done"},
                   "clear_variables": {"test_outcome": None, "waive_test": None, "contact_result": None}}




def _library():
    config = {**DEFAULT_CONFIG, BpmnWorkflow: _SharedSpecWorkflowConverter, ServiceTask: BpmnTaskSpecConverter}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def _on_service(call):
    return SERVICE_RESULTS.get(call.topic, {})


def _walked(engine, bundle, steps):
    """A new case of the shipped diagrams, walked through `steps` on the engine alone."""
    workflow = engine.start(bundle, dict(DATA))
    engine.run(workflow, bundle, _on_service, now=T0)
    for bpmn_id, _actor, data in steps:
        _answer(engine, workflow, bundle, bpmn_id, data)
        engine.run(workflow, bundle, _on_service, now=T0)
    return workflow


def _answer(engine, workflow, bundle, bpmn_id, data):
    task = next(t for t in engine.ready_human_tasks(workflow, bundle) if t.bpmn_id == bpmn_id)
    engine.complete_human_task(workflow, task.id, {f.id: data.get(f.id, task.data.get(f.id)) for f in task.form.fields},
                               now=T0)


def test_kept_dictionaries_give_the_library_serialization_at_every_step(engine_and_bundle):
    engine, bundle = engine_and_bundle
    library = _library()
    workflow = _walked(engine, bundle, [])
    kept_before = 0
    for index, (bpmn_id, _actor, data) in enumerate(STEPS):
        if index == 5:   # half way: restored from the stored state, as after a cache miss
            workflow = engine.load(bundle, engine.dump(workflow))
        _answer(engine, workflow, bundle, bpmn_id, data)
        engine.run(workflow, bundle, _on_service, now=T0)
        assert engine._serializer.to_dict(workflow) == library.to_dict(workflow), bpmn_id
        assert engine._serializer.to_dict(workflow) == library.to_dict(workflow), bpmn_id   # from kept ones
        kept = sum(_KEPT in t.__dict__ for t in workflow.tasks.values())
        assert index == 5 or kept >= kept_before   # finished tasks stay kept
        kept_before = kept
    assert engine.is_completed(workflow) and kept_before > 10


def test_a_reset_task_is_serialized_afresh(engine_and_bundle):
    engine, bundle = engine_and_bundle
    library = _library()
    workflow = _walked(engine, bundle, STEPS[:3])
    engine._serializer.to_dict(workflow)   # every finished task kept
    first = next(t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id == STEPS[0][0])
    workflow.reset_from_task_id(first.id)   # back to the first human task (as instance repair does)
    assert engine._serializer.to_dict(workflow) == library.to_dict(workflow)
    assert [t.bpmn_id for t in engine.ready_human_tasks(workflow, bundle)] == [STEPS[0][0]]


def test_a_kept_dictionary_is_not_given_out_for_a_task_whose_data_or_children_were_replaced(engine_and_bundle):
    engine, bundle = engine_and_bundle
    library = _library()
    workflow = _walked(engine, bundle, STEPS[:3])
    engine._serializer.to_dict(workflow)
    kept = [t for t in workflow.tasks.values() if _KEPT in t.__dict__]
    assert kept
    kept[0].data = {**kept[0].data, "late_change": "ja"}          # replaced, as the library does it
    kept[1].triggered = not kept[1].triggered
    assert engine._serializer.to_dict(workflow) == library.to_dict(workflow)


def test_an_ended_subprocess_is_kept_and_serialized_afresh_when_its_data_is_replaced(engine_and_bundle):
    engine, bundle = engine_and_bundle
    library = _library()
    workflow = _walked(engine, bundle, STEPS)
    engine._serializer.to_dict(workflow)
    ended = [s for s in workflow.subprocesses.values() if s.completed]
    assert ended and all(_KEPT in s.__dict__ for s in ended)   # the call activities that ended: kept
    first = engine._serializer.to_dict(workflow)["subprocesses"][str(ended[0].parent_task_id)]
    assert engine._serializer.to_dict(workflow)["subprocesses"][str(ended[0].parent_task_id)] is first
    ended[0].data = {**ended[0].data, "late_change": "ja"}
    assert engine._serializer.to_dict(workflow) == library.to_dict(workflow)
    assert engine._serializer.to_dict(workflow)["subprocesses"][str(ended[0].parent_task_id)]["data"]["late_change"] == "ja"
