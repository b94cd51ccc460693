"""Process definitions (stored once per content hash), instances, the human-task projection and
waiting timers."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import InvalidState
from store.core_writes import update_row
from store.models import OPEN_TASK, HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow, WaitingTimerRow

if TYPE_CHECKING:   # forms are read by the task pages, not by `case show` (issue 15: CLI start)
    from domain.forms import FormSpec


def definition_by_hash(session: Session, content_hash: str) -> ProcessDefinitionRow | None:
    return session.execute(select(ProcessDefinitionRow)
                           .where(ProcessDefinitionRow.content_hash == content_hash)).scalar_one_or_none()


def instance_for_case(session: Session, case_id: int, *, lock: bool = False) -> ProcessInstanceRow | None:
    query = select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case_id)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def tasks_of(session: Session, instance_id: int) -> list[HumanTaskRow]:
    return list(session.execute(select(HumanTaskRow).where(HumanTaskRow.instance_id == instance_id)).scalars())


def list_open_tasks(session: Session, *, case_id: int | None = None, team: str | None = None,
                    limit: int = 500) -> list[HumanTaskRow]:
    query = select(HumanTaskRow).where(OPEN_TASK)
    if case_id is not None:
        query = query.where(HumanTaskRow.case_id == case_id)
    if team is not None:
        query = query.where(HumanTaskRow.team == team)
    return list(session.execute(query.order_by(HumanTaskRow.created_at, HumanTaskRow.id).limit(limit)).scalars())


_FAILURE_COLUMNS = ("failed_at", "failed_element", "failed_by", "failed_step", "error")


def save_instance(session: Session, instance: ProcessInstanceRow, *, state: bytes, status: str, now: datetime) -> None:
    """The step's outcome on the instance row — its state, status, time, the failure cleared — as one Core
    UPDATE guarded by the optimistic version, as the ORM's flush would guard it (issue 15: ~0.2 ms CPU
    less than flushing the object). Someone else's step in between: StaleDataError, as from the ORM.
    The row object is left as if flushed; a row not in the database yet is saved by the ORM."""
    values = {"state": state, "status": status, "updated_at": now}
    if instance.failed_at is not None:   # a successful step: no longer failed (issue 11)
        values.update(dict.fromkeys(_FAILURE_COLUMNS))
    if not inspect(instance).persistent or "version" in inspect(instance).committed_state:
        for column, value in values.items():
            setattr(instance, column, value)
        return
    version = instance.version
    values["version"] = version + 1
    if update_row(session, instance, values, guard=("version", version)) != 1:
        raise StaleDataError(f"process instance {instance.id} was changed meanwhile (version {version})")


def complete_task_row(session: Session, task: HumanTaskRow, *, by: str, at: datetime, answers: dict,
                      sequence: int) -> None:
    """The task is done: who, when and the answers submitted with it (replayed on a candidate version,
    issue 10; `sequence`: the instance's version now, their replay order) — one Core UPDATE, the row
    object left as if flushed (issue 15). Only an open task is completed: else InvalidState.

    Empty answers are not stored (a form gives every field, most of them empty on most paths: 0.4 KB a
    case); store.deployments.answers_of gives them back from the form."""
    values = {"status": "completed", "completed_at": at, "completed_by": by,
              "answers": {field: value for field, value in answers.items() if value is not None},
              "answer_seq": sequence}
    if update_row(session, task, values, guard=("status", "open")) != 1:
        raise InvalidState(f"task {task.id} was just completed or cancelled by someone else")


def replace_timers(session: Session, instance_id: int, timers: list[tuple[str, str, datetime]]) -> None:
    current = session.execute(select(WaitingTimerRow.task_id, WaitingTimerRow.bpmn_id, WaitingTimerRow.due_at)
                              .where(WaitingTimerRow.instance_id == instance_id)).all()
    if sorted(tuple(row) for row in current) == sorted(timers):
        return   # unchanged: most steps
    session.execute(delete(WaitingTimerRow).where(WaitingTimerRow.instance_id == instance_id))
    for task_id, bpmn_id, due in timers:
        session.add(WaitingTimerRow(instance_id=instance_id, task_id=task_id, bpmn_id=bpmn_id, due_at=due))


def forms_of_tasks(session: Session, rows: list[HumanTaskRow]) -> dict[str, FormSpec]:
    """task id -> its form, from the deployed definition of the task's instance (issue 15: forms are
    not copied into human_task)."""
    from domain.forms import FormSpec
    forms = forms_of_instances(session, {row.instance_id for row in rows})
    return {row.id: forms.get(row.instance_id, {}).get(row.bpmn_id) or FormSpec() for row in rows}


def forms_of_instances(session: Session, instance_ids: set[int]) -> dict[int, dict[str, FormSpec]]:
    """instance id -> bpmn id -> form, from the definition each instance runs on. One query for the
    versions; each version's forms are computed once."""
    from engine.adapter import definition_forms   # SpiffWorkflow only when forms are read (CLI start-up)
    if not instance_ids:
        return {}
    versions = dict(session.execute(select(ProcessInstanceRow.id, ProcessInstanceRow.definition_id)
                                    .where(ProcessInstanceRow.id.in_(instance_ids))).all())
    hashes = dict(session.execute(select(ProcessDefinitionRow.id, ProcessDefinitionRow.content_hash)
                                  .where(ProcessDefinitionRow.id.in_(set(versions.values())))).all())
    forms = {}
    for definition_id, content_hash in hashes.items():
        forms[definition_id] = definition_forms(content_hash, lambda d=definition_id: session.execute(
            select(ProcessDefinitionRow.spec).where(ProcessDefinitionRow.id == d)).scalar_one())
    return {instance_id: forms.get(definition_id, {}) for instance_id, definition_id in versions.items()}
