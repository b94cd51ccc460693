"""The worklist and human-task completion (H-R1.1 Work Info per step, H-R2.2 colleagues' cases,
H-R3.2 / H-R5.1 coordinator-only decisions). Bad input changes nothing: validation and role
checks happen before the engine runs, and engine errors roll the whole command back."""
from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import Forbidden, InvalidState, NotFound
from domain.forms import FormSpec, validate_submission
from services.failures import ProcessFailed, is_failure, process_failure
from services.runtime import Runtime
from services.work_start import start_work_on
from store.cases import add_work_info
from store.directory import DbDirectory
from services.case_access import readable_teams, require_read, require_team_read
from store.models import CaseRow, HumanTaskRow, ProcessInstanceRow
from store.process import complete_task_row, forms_of_tasks, list_open_tasks


def task_document(task: HumanTaskRow, case_number: str | None, form: FormSpec) -> dict:
    """The stable JSON document per task of `sagsflow task list --json` (the form from its definition)."""
    return {"id": task.id, "case": case_number, "name": task.name, "bpmn_id": task.bpmn_id, "lane": task.lane,
            "team": task.team, "role": task.role, "assignee": task.claimed_by,
            "created_at": task.created_at.isoformat(),
            "fields": [{"id": f.id, "type": f.type, "label": f.label, "required": f.required,
                        "options": [{"id": o.id, "name": o.name} for o in f.options]} for f in form.fields]}


def list_tasks(session: Session, *, case_number: str | None = None, team: str | None = None,
               reader: str | None = None) -> list[dict]:
    """Open tasks of a case or a team; with `reader`, only what that person may read (SECURITY.md)."""
    case_id = None
    if case_number is not None:
        case = session.query(CaseRow).filter_by(number=case_number).one_or_none()
        if case is None:
            raise NotFound(f"unknown case {case_number}")
        if reader is not None:
            require_read(session, username=reader, case=case)
        case_id = case.id
    if reader is not None and team is not None:
        require_team_read(session, username=reader, team=team)
    rows = list_open_tasks(session, case_id=case_id, team=team)
    if reader is not None and case_id is None and team is None:
        allowed = readable_teams(session, username=reader)
        rows = rows if allowed is None else [r for r in rows if r.team in allowed]
    numbers = dict(session.query(CaseRow.id, CaseRow.number).filter(CaseRow.id.in_({r.case_id for r in rows})).all())
    forms = forms_of_tasks(session, rows)
    return [task_document(r, numbers.get(r.case_id), forms[r.id]) for r in rows]


def authorize(directory: DbDirectory, task: HumanTaskRow, username: str) -> None:
    """Deny by default: the user must be active and in the task's team (coordinator where required)."""
    user = directory.person(username)
    if user is None or not user.active:
        raise Forbidden(f"unknown or inactive user {username}")
    if task.team is None:
        raise Forbidden(f"task {task.name!r} has no team yet; nobody may complete it")
    if task.role == "coordinator" and not directory.is_coordinator(username, task.team):
        raise Forbidden(f"{username} is not coordinator of team {task.team}; only the coordinator may do "
                        f"{task.name!r}")
    if not directory.is_member(username, task.team):
        raise Forbidden(f"{username} is not a member of team {task.team}")
    if task.claimed_by and task.claimed_by != username:
        raise Forbidden(f"the task is claimed by {task.claimed_by}")


def _open_task(session: Session, task_id: str) -> HumanTaskRow:
    task = session.get(HumanTaskRow, task_id)
    if task is None:
        raise NotFound(f"unknown task {task_id}")
    if task.status != "open":
        raise InvalidState(f"task {task_id} is already {task.status}")
    return task


def claim_task(session: Session, *, task_id: str, username: str, now: datetime | None = None,
               config_dir=None) -> None:
    """Claim atomically: of two people claiming at once exactly one wins. Claiming the task that
    starts work (*Påbegynd*) is the technician's start of work (H-S1) when `now` is given."""
    task = _open_task(session, task_id)
    authorize(DbDirectory(session), task, username)
    result = session.execute(update(HumanTaskRow).where(HumanTaskRow.id == task_id, HumanTaskRow.status == "open",
                                                        HumanTaskRow.claimed_by.is_(None))
                             .values(claimed_by=username))
    if result.rowcount != 1:
        session.refresh(task)
        if task.claimed_by != username:
            raise InvalidState(f"the task was just claimed by {task.claimed_by}")
    if now is not None and config_dir is not None:
        start_work_on(session, task=task, case=session.get(CaseRow, task.case_id), username=username, now=now,
                      config_dir=config_dir)


def unclaim_task(session: Session, *, task_id: str, username: str) -> None:
    task = _open_task(session, task_id)
    directory = DbDirectory(session)
    if task.claimed_by != username and not directory.is_coordinator(username, task.team or ""):
        raise Forbidden("only the claimer or the team's coordinator may release the task")
    task.claimed_by = None


@functools.cache
def _completion_query():
    """Built once (building a statement costs more CPU than running it, issue 15)."""
    return (select(HumanTaskRow, CaseRow, ProcessInstanceRow)
            .join(CaseRow, CaseRow.id == HumanTaskRow.case_id)
            .join(ProcessInstanceRow, ProcessInstanceRow.case_id == HumanTaskRow.case_id)
            .where(HumanTaskRow.id == bindparam("task_id"))
            .with_for_update(of=ProcessInstanceRow))


def _task_for_completion(session: Session, task_id: str) -> tuple[HumanTaskRow, CaseRow, ProcessInstanceRow]:
    """The open task with its case and its instance, the instance row locked — one statement."""
    found = session.execute(_completion_query(), {"task_id": task_id}).first()
    if found is None:
        raise NotFound(f"unknown task {task_id}")
    task, case, instance = found
    if task.status != "open":
        raise InvalidState(f"task {task_id} is already {task.status}")
    return task, case, instance


def complete_task(session: Session, runtime: Runtime, *, task_id: str, username: str, data: Any,
                  now: datetime) -> dict:
    task, case, instance = _task_for_completion(session, task_id)
    directory = DbDirectory(session)
    directory.person(username)   # the user and their teams: one query, or none after the sign-in check
    authorize(directory, task, username)
    bundle = runtime.bundle(session, instance.definition_id)
    workflow = runtime.load_workflow(session, instance=instance, case=case, bundle=bundle)   # cached or restored
    view = runtime.engine.task_view(workflow, bundle, task_id)
    values = validate_submission(view.form, data, view.data, directory=directory)
    start_work_on(session, task=task, case=case, username=username, now=now, config_dir=runtime.settings.config_dir,
                  directory=directory, content_hash=bundle.content_hash, refresh=False)   # advance() refreshes
    step = {"kind": "task", "task_id": task_id, "bpmn_id": task.bpmn_id, "actor": username,
            "data": json.loads(json.dumps(data, default=str))}   # what `case retry` runs again (issue 11)
    try:
        runtime.engine.complete_human_task(workflow, task_id, values, now=now)
    except Exception as exc:
        if not is_failure(exc):
            raise
        raise process_failure(exc, instance=instance, task_meta=bundle.task_meta, actor=username, now=now,
                              element=task.bpmn_id, step=step) from exc
    book = handbook()
    event = f"task.{task.bpmn_id}"
    add_work_info(session, case_id=case.id, event=event, work_log_type=book.work_log_type(event),
                  summary=f"{task.name} – udført", notes=_answers_text(view.form, values), author=username,
                  view_access="internal", now=now)
    complete_task_row(session, task, by=username, at=now, answers=values, sequence=instance.version)
    try:
        next_tasks = runtime.advance(session, instance=instance, case=case, workflow=workflow, actor=username,
                                     now=now)
    except ProcessFailed as failure:
        failure.step = step
        raise
    return {"task": task_id, "case": case.number, "status": case.status, "next_tasks": next_tasks}


def _answers_text(form: FormSpec, values: dict) -> str:
    lines = []
    for f in form.fields:
        value = values.get(f.id)
        if value is None:
            continue
        if f.type == "boolean":
            value = "Ja" if value else "Nej"
        elif f.type == "enum":
            value = next((o.name for o in f.options if o.id == value), value)
        lines.append(f"{f.label}: {value}")
    return "\n".join(lines)
