"""Deployments (issue 10): which stored definition version each process starts new cases on, and the
answers recorded with every human task (replayed on a candidate version before it is deployed)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import DeploymentRow, ProcessDefinitionRow, RecordedAnswerRow


def current_deployment(session: Session, process_id: str) -> DeploymentRow | None:
    return session.execute(select(DeploymentRow).where(DeploymentRow.process_id == process_id)
                           .order_by(DeploymentRow.id.desc()).limit(1)).scalar_one_or_none()


def add_deployment(session: Session, *, process_id: str, definition_id: int, actor: str, now: datetime,
                   comment: str = "") -> DeploymentRow:
    row = DeploymentRow(process_id=process_id, definition_id=definition_id, deployed_by=actor, deployed_at=now,
                        comment=comment)
    session.add(row)
    session.flush()
    return row


def deployments_of(session: Session, process_id: str | None = None) -> list[DeploymentRow]:
    query = select(DeploymentRow).order_by(DeploymentRow.id.desc())
    if process_id is not None:
        query = query.where(DeploymentRow.process_id == process_id)
    return list(session.execute(query).scalars())


def was_ever_deployed(session: Session, content_hash: str) -> bool:
    return session.execute(select(DeploymentRow.id).join(ProcessDefinitionRow,
                                                         ProcessDefinitionRow.id == DeploymentRow.definition_id)
                           .where(ProcessDefinitionRow.content_hash == content_hash).limit(1)).first() is not None


def record_answers(session: Session, *, case_id: int, task_id: str, bpmn_id: str, answers: dict, actor: str,
                   now: datetime) -> None:
    session.add(RecordedAnswerRow(case_id=case_id, task_id=task_id, bpmn_id=bpmn_id, answers=answers,
                                  answered_by=actor, answered_at=now))


def answers_of(session: Session, case_ids: list[int]) -> dict[int, list[RecordedAnswerRow]]:
    result: dict[int, list[RecordedAnswerRow]] = {case_id: [] for case_id in case_ids}
    rows = session.execute(select(RecordedAnswerRow).where(RecordedAnswerRow.case_id.in_(case_ids))
                           .order_by(RecordedAnswerRow.id)).scalars()
    for row in rows:
        result[row.case_id].append(row)
    return result
