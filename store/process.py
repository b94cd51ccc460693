"""Process definitions (stored once per content hash), instances, the human-task projection and
waiting timers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow, WaitingTimerRow


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
