"""The start of work (H-S1): the reaction clock stops and the resolution clock starts when a
technician of the case's team starts work — explicitly, by claiming (*Påbegynd*) or completing a task
whose element says `starts_work=true` (camunda:properties on the user task) — not when the
coordinator distributes the case. Recorded once, as Work Info."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from services.case_context import diagram_facts
from services.sla import refresh_deadlines, sla_config
from store.cases import add_work_info
from store.directory import DbDirectory
from store.models import CaseRow, HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow
from store.process import list_open_tasks

NO_DEADLINE_YEAR = 9999


def task_starts_work(session: Session, task: HumanTaskRow, content_hash: str | None = None) -> bool:
    """Does the task's element carry starts_work=true? (read from its deployed diagram, cached;
    `content_hash`: the version of the task's instance, when the caller knows it)"""
    if content_hash is None:
        row = session.execute(select(ProcessDefinitionRow.content_hash)
                              .join(ProcessInstanceRow, ProcessInstanceRow.definition_id == ProcessDefinitionRow.id)
                              .where(ProcessInstanceRow.id == task.instance_id)).first()
        if row is None:
            return False
        content_hash = row[0]

    def sources() -> dict:
        return session.execute(select(ProcessDefinitionRow.sources)
                               .where(ProcessDefinitionRow.content_hash == content_hash)).scalar_one()

    facts = diagram_facts(content_hash, None, loader=sources)
    return facts.element_properties.get(task.bpmn_id, {}).get("starts_work", "").lower() == "true"


def start_work_on(session: Session, *, task: HumanTaskRow, case: CaseRow, username: str, now: datetime,
                  config_dir, directory: DbDirectory | None = None, content_hash: str | None = None,
                  refresh: bool = True) -> bool:
    """Mark the start of work when this is the moment; True when it was. The caller commits.
    `directory` and `content_hash` (the task's version): the caller's, to save queries. `refresh`
    False: the caller's projection recomputes the deadlines and the open tasks' copy (a completion)."""
    directory = directory or DbDirectory(session)
    if case.started_at is not None or not case.team or not directory.is_member(username, case.team):
        return False
    if not task_starts_work(session, task, content_hash):
        return False
    case.started_at = max(now, case.received_at)
    user = directory.person(username)
    name = user.display_name if user else username
    add_work_info(session, case_id=case.id, event="work_started", work_log_type=handbook().work_log_type("work_started"),
                  summary=f"Arbejdet er påbegyndt af {name}", notes="", author=username, view_access="internal", now=now)
    if not refresh:
        return True
    refresh_deadlines(session, case=case, config=sla_config(config_dir))
    due = case.resolution_due
    for open_task in list_open_tasks(session, case_id=case.id):   # the worklist sorts on this copy
        open_task.sla_due_at = due or open_task.sla_due_at
    return True
