"""Moving running cases to another diagram version (issue 11; H-R1.1 Work Info for every change):
a preview first — which open tasks map to which, what is added or removed, which data is kept and
what cannot be migrated and why — then the move, refused where the running position does not exist
in the target. Each migration writes Work Info and an audit row with the from/to versions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import Forbidden, InvalidState, NotFound
from services.instance_control import audit
from services.runtime import Runtime
from store.cases import add_work_info, case_by_number
from store.directory import DbDirectory
from store.models import CaseRow, ProcessDefinitionRow, ProcessInstanceRow
from store.process import instance_for_case, tasks_of
from engine.instance_ops import MigrationPlan, migrate, plan_migration

MIGRATORS = ("admin", "process_owner")


def require_migrator(session: Session, username: str) -> None:
    user = DbDirectory(session).user(username)
    if user is None or not user.active or not set(user.roles or []) & set(MIGRATORS):
        raise Forbidden("only an administrator or a process owner may move cases to another version")


def _target(session: Session, version: int) -> ProcessDefinitionRow:
    row = session.get(ProcessDefinitionRow, version)
    if row is None:
        raise NotFound(f"unknown diagram version {version}")
    return row


def _document(case: CaseRow, instance: ProcessInstanceRow, target: int, plan: MigrationPlan, *,
              dry_run: bool, migrated: bool) -> dict:
    return {"case": case.number, "from_version": instance.definition_id, "to_version": target,
            "possible": plan.possible, "dry_run": dry_run, "migrated": migrated,
            "positions": [{"bpmn_id": p.bpmn_id, "name": p.name, "state": p.state, "target": p.target,
                           "changed": p.changed} for p in plan.positions],
            "added": plan.added, "removed": plan.removed, "changed": plan.changed,
            "data_kept": plan.data_keys, "blockers": plan.blockers}


def migrate_case(session: Session, runtime: Runtime, *, number: str, to_version: int, actor: str,
                 now: datetime, dry_run: bool = False) -> dict:
    """Preview (dry_run) or move one case. Raises InvalidState naming the blockers when it cannot move."""
    require_migrator(session, actor)
    case = case_by_number(session, number)
    if case is None:
        raise NotFound(f"unknown case {number}")
    target = _target(session, to_version)
    instance = instance_for_case(session, case.id, lock=not dry_run)
    if instance is None or instance.status not in ("running", "error"):
        raise InvalidState(f"case {number} is not running (process {instance.status if instance else 'none'})")
    if instance.definition_id == target.id:
        raise InvalidState(f"case {number} already runs version {target.id}")
    source = runtime.bundle(session, instance.definition_id)
    bundle = runtime.bundle(session, target.id)
    workflow = runtime.engine.load(source, instance.state)
    plan = plan_migration(runtime.engine, workflow, bundle)
    if dry_run:
        return _document(case, instance, target.id, plan, dry_run=True, migrated=False)
    if not plan.possible:
        raise InvalidState(f"case {number} cannot move to version {target.id}: " + "; ".join(plan.blockers))
    from_id = instance.definition_id
    migrate(runtime.engine, workflow, bundle)
    instance.definition_id = target.id
    add_work_info(session, case_id=case.id, event="process_migrated",
                  work_log_type=handbook().work_log_type("process_migrated"),
                  summary=f"Sagen er flyttet fra diagramversion {from_id} til {target.id}",
                  notes=_notes(plan), author=actor, view_access="internal", now=now)
    audit(session, instance=instance, kind="migrate", actor=actor, now=now, from_id=from_id, to_id=target.id,
          details={"positions": {p.bpmn_id: p.target for p in plan.positions}, "added": plan.added,
                   "removed": plan.removed})
    failure = (instance.failed_at, instance.failed_element, instance.failed_by, instance.failed_step, instance.error)
    runtime.advance(session, instance=instance, case=case, workflow=workflow, actor=actor, now=now)
    if failure[0] is not None:   # the failed step is still to be run again (`case retry`) on the new version
        (instance.failed_at, instance.failed_element, instance.failed_by, instance.failed_step,
         instance.error) = failure
    _refresh_open_tasks(session, runtime, instance=instance, workflow=workflow, bundle=bundle)
    return _document(case, instance, target.id, plan, dry_run=False, migrated=True) | {"from_version": from_id}


def _notes(plan: MigrationPlan) -> str:
    lines = [f"{p.name}: fortsætter som {p.target}" for p in plan.positions]
    if plan.added:
        lines.append("Nye elementer: " + ", ".join(plan.added))
    if plan.removed:
        lines.append("Fjernede elementer: " + ", ".join(plan.removed))
    return "\n".join(lines)


def _refresh_open_tasks(session: Session, runtime: Runtime, *, instance, workflow, bundle) -> None:
    """An open task that continues keeps its id (and claim); its name and form come from the target."""
    views = {v.id: v for v in runtime.engine.ready_human_tasks(workflow, bundle)}
    for row in tasks_of(session, instance.id):
        view = views.get(row.id)
        if row.status == "open" and view is not None:
            row.name, row.bpmn_id = view.name, view.bpmn_id   # the form: the target's definition (issue 15)
    session.flush()


def cases_of_version(session: Session, version: int) -> list[tuple[str, str, str]]:
    """(number, summary, status) of the running cases on a version."""
    return [tuple(r) for r in session.execute(
        select(CaseRow.number, CaseRow.summary, CaseRow.status)
        .join(ProcessInstanceRow, ProcessInstanceRow.case_id == CaseRow.id)
        .where(ProcessInstanceRow.definition_id == version, ProcessInstanceRow.status.in_(("running", "error")))
        .order_by(CaseRow.id)).all()]
