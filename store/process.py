"""Process definitions (stored once per content hash), instances, the human-task projection and
waiting timers."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow, WaitingTimerRow

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
    query = select(HumanTaskRow).where(HumanTaskRow.status == "open")
    if case_id is not None:
        query = query.where(HumanTaskRow.case_id == case_id)
    if team is not None:
        query = query.where(HumanTaskRow.team == team)
    return list(session.execute(query.order_by(HumanTaskRow.created_at, HumanTaskRow.id).limit(limit)).scalars())


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
    not copied into human_task). One query for the versions; each version's forms are computed once."""
    from engine.adapter import definition_forms   # SpiffWorkflow only when forms are read (CLI start-up)
    from domain.forms import FormSpec
    instance_ids = {row.instance_id for row in rows}
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
    return {row.id: forms.get(versions.get(row.instance_id), {}).get(row.bpmn_id) or FormSpec() for row in rows}
