"""Serializing a workflow without re-serializing its finished tasks (issue 15).

A stored state is the whole task tree, and SpiffWorkflow's converter rebuilds every task's dictionary
at every step — on the standard path 40 tasks at closure, most of them long finished, about a sixth of
a completion's CPU. A finished task (completed, cancelled, error) whose parent is finished too does not
change any more: its dictionary is kept on the task object and given out again while everything it was
made from is unchanged (state, the time of the last state change, `triggered`, its children, and which
data and internal data objects it and its parent hold). The library and Sagsflow replace a finished
task's data rather than edit it in place (Engine.update_open_data changes only tasks still to run);
`tests/workflows/test_finished_tasks.py` compares the output with the library's converter, byte for
byte, at every step of several paths through the shipped diagrams."""
from __future__ import annotations

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, TaskConverter
from SpiffWorkflow.util.task import TaskState

_FINISHED = TaskState.FINISHED_MASK
_KEPT = "_sagsflow_serialized"


class FinishedTaskConverter(TaskConverter):
    def to_dict(self, task):
        parent = task.parent
        if not (task._state & _FINISHED) or parent is None or not (parent._state & _FINISHED):
            return super().to_dict(task)
        made_from = (task._state, task.last_state_change, task.triggered, tuple(task._children),
                     id(task.data), id(parent.data), id(task.internal_data), len(task.internal_data))
        return _kept(task, made_from, super().to_dict)


class FinishedSubWorkflowConverter(BpmnSubWorkflowConverter):
    """A subprocess that has ended (a finished call activity) is serialized once and its dictionary given
    out again while nothing it was made from changed: which task objects it holds and their states and
    times, its data object, last task and outcome. Checked like the tasks' (the module docstring)."""

    def to_dict(self, workflow):
        if not workflow.completed:
            return super().to_dict(workflow)
        made_from = (workflow.success, id(workflow.data), len(workflow.data), workflow.last_task, workflow.task_tree,
                     workflow.parent_task_id, tuple((task, task._state, task.last_state_change, len(task._children))
                                                    for task in workflow.tasks.values()))
        return _kept(workflow, made_from, super().to_dict)


def _kept(obj, made_from: tuple, to_dict) -> dict:
    """The dictionary kept on `obj` while `made_from` is unchanged, else a new one from `to_dict(obj)`."""
    kept = obj.__dict__.get(_KEPT)
    if kept is not None and kept[0] == made_from:
        return kept[1]
    dct = to_dict(obj)
    obj.__dict__[_KEPT] = (made_from, dct)
    return dct
