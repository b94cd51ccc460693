"""engine.task_iteration walks SpiffWorkflow's task tree in exactly the library's order (issue 15): both
iterators are run side by side on live workflows of the shipped diagrams at every step of the standard
path (call activities, gateways, timers, boundary events), for every kind of filter the library and
Sagsflow use."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskState

from cli.demo import STEPS
from engine import task_iteration

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
FILTERS = [
    {}, {"state": TaskState.READY}, {"state": TaskState.READY, "manual": True}, {"state": TaskState.READY, "manual": False},
    {"state": TaskState.WAITING}, {"state": TaskState.STARTED}, {"state": TaskState.NOT_FINISHED_MASK},
    {"state": TaskState.FINISHED_MASK}, {"state": TaskState.COMPLETED}, {"state": TaskState.PREDICTED_MASK},
    {"state": TaskState.DEFINITE_MASK}, {"skip_subprocesses": True}, {"state": TaskState.READY, "skip_subprocesses": True},
    {"spec_class": UserTask}, {"lane": "Servicedesk"}, {"updated_ts": 1.0}, {"max_depth": 4},
    {"state": TaskState.NOT_FINISHED_MASK, "max_depth": 6},
]
SERVICE_RESULTS = {"record_solution": {"work_result": "resolved"}, "evaluate_contact": {"contact_result": "done"},
                   "record_call_attempt": {"contact_result": "done"},
                   "clear_variables": {"test_outcome": None, "waive_test": None, "contact_result": None}}
DATA = {"case_number": "SF-INC-000001", "impact": "2", "urgency": "1", "end_user_name": "Test Kunde",
        "end_user_email": "kunde@example.org", "end_user_phone": "24681357", "classification": "incident"}


def _ids(tasks) -> list[str]:
    return [str(t.id) for t in tasks]


def _compare(workflow) -> int:
    """Both iterators from the root of the workflow and of every subprocess; returns the tasks seen."""
    seen = 0
    for root in (workflow.task_tree, *(sp.task_tree for sp in workflow.subprocesses.values())):
        for kwargs in FILTERS:
            library = _ids(BpmnTaskIterator(root, **kwargs))
            ours = _ids(task_iteration.StackTaskIterator(root, **kwargs))
            assert ours == library, (kwargs, root.task_spec.name)
            seen += len(library)
    return seen




def test_the_stack_walk_gives_the_library_order_at_every_step_of_the_standard_path(engine_and_bundle):
    engine, bundle = engine_and_bundle
    on_service = lambda call: SERVICE_RESULTS.get(call.topic, {})   # noqa: E731
    workflow = engine.start(bundle, dict(DATA))
    engine.run(workflow, bundle, on_service, now=T0)
    seen = _compare(workflow)
    for bpmn_id, _actor, data in STEPS:
        # restored from the stored state as production does, so the walk sees deserialized trees too
        workflow = engine.load(bundle, engine.dump(workflow))
        task = next(t for t in engine.ready_human_tasks(workflow, bundle) if t.bpmn_id == bpmn_id)
        engine.complete_human_task(workflow, task.id, {f.id: data.get(f.id, task.data.get(f.id))
                                                       for f in task.form.fields}, now=T0)
        seen += _compare(workflow)
        engine.run(workflow, bundle, on_service, now=T0)
        seen += _compare(workflow)
    assert engine.is_completed(workflow)
    assert seen > 5_000   # the comparison covered real trees, subprocesses included


def test_the_engine_uses_the_stack_walk_and_keeps_the_library_walk_for_end_at_spec(engine_and_bundle):
    engine, bundle = engine_and_bundle
    workflow = engine.start(bundle, dict(DATA))
    assert type(workflow.get_tasks_iterator()) is task_iteration.StackTaskIterator
    assert type(workflow.get_tasks_iterator(end_at_spec="x")) is BpmnTaskIterator
    assert type(workflow.get_tasks_iterator(depth_first=False)) is BpmnTaskIterator
    assert BpmnBaseWorkflow.get_tasks_iterator is task_iteration._get_tasks_iterator
