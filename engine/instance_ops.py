"""Engine adapter for control of running instances (issue 11): moving an instance to another
definition version with SpiffWorkflow's diff/migrate helpers (``SpiffWorkflow.bpmn.util.diff``),
and cancelling an instance. Deciding what is safe is ours: an instance is moved only when every
element it is waiting at (a task to do, a timer, a message, a subprocess) exists in the target."""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.adapter import DefinitionBundle, Engine

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
HIDDEN_KINDS = {"BpmnStartTask", "SimpleBpmnTask", "_EndJoin", "_BoundaryEventParent", "Start", "End"}
INFO_ATTRIBUTES = {"bpmn_name", "documentation", "extensions", "lane", "description"}   # harmless changes


@dataclass
class PositionMap:
    bpmn_id: str
    name: str
    state: str              # READY | WAITING | STARTED
    target: str | None      # bpmn id in the target version; None: the position does not exist there
    changed: list[str] = field(default_factory=list)   # attributes of the element that differ


@dataclass
class MigrationPlan:
    positions: list[PositionMap] = field(default_factory=list)   # where the instance is waiting now
    added: list[str] = field(default_factory=list)               # elements only the target has
    removed: list[str] = field(default_factory=list)             # elements only the source has
    changed: dict[str, list[str]] = field(default_factory=dict)  # element -> changed attributes
    data_keys: list[str] = field(default_factory=list)           # process data carried over unchanged
    blockers: list[str] = field(default_factory=list)            # why it cannot be moved (empty: it can)

    @property
    def possible(self) -> bool:
        return not self.blockers


def _specs(engine: Engine, bundle: DefinitionBundle):
    return engine._specs(bundle)   # the engine's per-version spec cache (shared, read-only)


def _name(spec) -> str:
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _visible(spec) -> bool:
    return bool(getattr(spec, "bpmn_id", None)) and type(spec).__name__ not in HIDDEN_KINDS


def plan_migration(engine: Engine, workflow: BpmnWorkflow, target: DefinitionBundle) -> MigrationPlan:
    """What moving `workflow` to `target` would do; nothing is changed."""
    spec, deps = _specs(engine, target)
    registry = engine._serializer.registry
    top, sub_diffs = diff_workflow(registry, workflow, spec, deps)
    plan = MigrationPlan()
    spec_diffs = [SpecDiff(registry, workflow.spec, spec)] + [
        SpecDiff(registry, old, deps[name]) for name, old in workflow.subprocess_specs.items() if name in deps]
    added, removed = set(), set()
    for spec_diff in spec_diffs:
        added |= {ts.bpmn_id for ts in spec_diff.added if _visible(ts)}
        removed |= {ts.bpmn_id for ts in spec_diff.removed if _visible(ts)}
        plan.changed.update({ts.bpmn_id: sorted(attrs) for ts, attrs in spec_diff.changed.items() if _visible(ts)})
    for name, new_dep in deps.items():
        if name not in workflow.subprocess_specs:
            added |= {ts.bpmn_id for ts in new_dep.task_specs.values() if _visible(ts)}
    plan.added, plan.removed = sorted(added), sorted(removed)
    owners = [(workflow, top)] + [(workflow.subprocesses[sid], diff) for sid, diff in sub_diffs.items()]
    for owner, diff in owners:
        if diff is None:
            if owner.get_tasks(state=ACTIVE, skip_subprocesses=True):
                plan.blockers.append(f"the subprocess {owner.spec.name!r} the case is in does not exist in the "
                                     "target version")
            continue
        for task in owner.get_tasks(state=ACTIVE, skip_subprocesses=True):
            if not _visible(task.task_spec):
                continue
            new = diff.alignment.get(task)
            position = PositionMap(task.task_spec.bpmn_id, _name(task.task_spec), TaskState.get_name(task.state),
                                   None if new is None else new.bpmn_id,
                                   plan.changed.get(task.task_spec.bpmn_id, []))
            plan.positions.append(position)
            if new is None:
                plan.blockers.append(f"{position.name} ({position.bpmn_id}), where the case is waiting, "
                                     "does not exist in the target version")
    last = workflow.last_task
    plan.data_keys = sorted((last.data if last is not None else workflow.data).keys())
    return plan


def migrate(engine: Engine, workflow: BpmnWorkflow, target: DefinitionBundle) -> MigrationPlan:
    """Move `workflow` (in place) to `target`; raises ValueError with the blockers when it cannot.
    Waiting tasks are reset and predicted again on the target (a waiting timer starts over)."""
    plan = plan_migration(engine, workflow, target)
    if not plan.possible:
        raise ValueError("; ".join(plan.blockers))
    spec, deps = _specs(engine, target)
    registry = engine._serializer.registry
    top, sub_diffs = diff_workflow(registry, workflow, spec, deps)
    migrate_workflow(top, workflow, spec)
    for sub_id, diff in sub_diffs.items():
        if diff is not None:
            sub = workflow.subprocesses[sub_id]
            migrate_workflow(diff, sub, deps[sub.spec.name])
    workflow.subprocess_specs = deps
    return plan


def cancel_workflow(workflow: BpmnWorkflow) -> None:
    """End the instance: every unfinished task is cancelled."""
    workflow.cancel()
