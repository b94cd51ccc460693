"""Deployments (issue 10): which stored definition version each process starts new cases on, and the
answers recorded with every human task (replayed on a candidate version before it is deployed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import DeploymentRow, HumanTaskRow, ProcessDefinitionRow, RecordedAnswerRow
from store.process import forms_of_instances


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


@dataclass(frozen=True)
class RecordedAnswer:
    """One answer to replay: a human task's submitted values, or data delivered as a message
    (bpmn_id ``message:<name>``)."""

    bpmn_id: str
    answers: dict
    answered_by: str
    answered_at: datetime


def record_message(session: Session, *, case_id: int, name: str, answers: dict, actor: str, now: datetime,
                   sequence: int) -> None:
    """Data delivered into the case's process as message `name` (no task row to keep it on)."""
    session.add(RecordedAnswerRow(case_id=case_id, task_id="message", bpmn_id=f"message:{name}", answers=answers,
                                  answered_by=actor, answered_at=now, seq=sequence))


def answers_of(session: Session, case_ids: list[int]) -> dict[int, list[RecordedAnswer]]:
    """Each case's recorded answers in the order they were given (tasks and messages together). A task's
    answers have every field of its form, as submitted: the empty ones, not stored, are given back from
    the form of the definition the case runs on (store.process.complete_task_row)."""
    found: dict[int, list[tuple]] = {case_id: [] for case_id in case_ids}
    rows = session.execute(select(HumanTaskRow.case_id, HumanTaskRow.answer_seq, HumanTaskRow.bpmn_id,
                                  HumanTaskRow.answers, HumanTaskRow.completed_by, HumanTaskRow.completed_at,
                                  HumanTaskRow.instance_id)
                           .where(HumanTaskRow.case_id.in_(case_ids), HumanTaskRow.answer_seq.is_not(None))).all()
    forms = forms_of_instances(session, {row.instance_id for row in rows})
    tasks = [(case_id, seq, bpmn_id, _with_empty(forms.get(instance_id, {}).get(bpmn_id), answers), by, at)
             for case_id, seq, bpmn_id, answers, by, at, instance_id in rows]
    messages = session.execute(select(RecordedAnswerRow.case_id, RecordedAnswerRow.seq, RecordedAnswerRow.bpmn_id,
                                      RecordedAnswerRow.answers, RecordedAnswerRow.answered_by,
                                      RecordedAnswerRow.answered_at, RecordedAnswerRow.id)
                               .where(RecordedAnswerRow.case_id.in_(case_ids)))
    for case_id, seq, bpmn_id, answers, by, at, *row_id in [*tasks, *messages]:
        found[case_id].append(((seq or 0), row_id[0] if row_id else 0,
                               RecordedAnswer(bpmn_id, answers or {}, by or "", at)))
    return {case_id: [answer for *_, answer in sorted(rows, key=lambda r: r[:2])] for case_id, rows in found.items()}


def _with_empty(form, answers: dict | None) -> dict:
    given = answers or {}
    if form is None:
        return given
    return {**{f.id: None for f in form.fields}, **given}
