"""Running cases under control (issue 11; H-R1.1 Work Info for every step, H-D3 the customer is
told): run a failed step again, cancel a case with a required reason. A coordinator of the case's
team or an administrator may do both; each leaves Work Info and an audit row (instance_change)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import Forbidden, FormInvalid, InvalidState, NotFound
from domain.text import clean_text
from services.failures import ProcessFailed
from services.runtime import Runtime
from store.cases import add_work_info, case_by_number
from store.directory import DbDirectory
from store.models import CaseRow, InstanceChangeRow, OutboxRow, ProcessInstanceRow
from store.process import instance_for_case, replace_timers, tasks_of
from tasks.context import OperationContext
from engine.instance_ops import cancel_workflow

FINISHED = ("closed", "rejected", "routed", "cancelled")
MAX_REASON = 1000


def require_controller(session: Session, *, username: str, case: CaseRow) -> None:
    """An administrator, or the coordinator of the case's team."""
    directory = DbDirectory(session)
    user = directory.user(username)
    if user is None or not user.active:
        raise Forbidden(f"unknown or inactive user {username}")
    if "admin" in (user.roles or []) or (case.team and directory.is_coordinator(username, case.team)):
        return
    raise Forbidden(f"only an administrator or the coordinator of team {case.team or '-'} may do this")


def controlled_case(session: Session, *, number: str, actor: str) -> tuple[CaseRow, ProcessInstanceRow]:
    case = case_by_number(session, number)
    if case is None:
        raise NotFound(f"unknown case {number}")
    require_controller(session, username=actor, case=case)
    instance = instance_for_case(session, case.id, lock=True)
    if instance is None:
        raise InvalidState(f"case {number} has no process")
    return case, instance


def audit(session: Session, *, instance: ProcessInstanceRow, kind: str, actor: str, now: datetime,
          from_id: int | None = None, to_id: int | None = None, details: dict | None = None) -> None:
    session.add(InstanceChangeRow(instance_id=instance.id, case_id=instance.case_id, kind=kind,
                                  from_definition_id=from_id, to_definition_id=to_id, actor=actor, at=now,
                                  details=details))


def changes_of(session: Session, case_id: int) -> list[InstanceChangeRow]:
    return list(session.execute(select(InstanceChangeRow).where(InstanceChangeRow.case_id == case_id)
                                .order_by(InstanceChangeRow.id)).scalars())


# ---------------------------------------------------------------- retry
def retry_case(session: Session, runtime: Runtime, *, number: str, actor: str, now: datetime) -> dict:
    """Run the failed step again (the same task answers, the due timers, or the engine steps). A
    failure again is raised as ProcessFailed (and recorded by the entry point, like the first)."""
    from services.tasks import complete_task            # services.tasks builds on the runtime, as we do
    from services.watchdog import fire_due_timers
    case, instance = controlled_case(session, number=number, actor=actor)
    if instance.failed_at is None:
        raise InvalidState(f"case {number} has no failed step to run again")
    step, element = dict(instance.failed_step or {"kind": "advance"}), instance.failed_element
    name = (runtime.bundle(session, instance.definition_id).task_meta.get(element or "") or {}).get("name") or element
    try:
        if step.get("kind") == "task" and any(t.id == step.get("task_id") and t.status == "open"
                                               for t in tasks_of(session, instance.id)):
            complete_task(session, runtime, task_id=step["task_id"], username=step.get("actor") or actor,
                          data=step.get("data") or {}, now=now)
        elif step.get("kind") == "timer":
            fire_due_timers(session, runtime, instance_id=instance.id, now=now)
            session.refresh(instance)
            if instance.failed_at is not None:   # no timer was due any more (e.g. after a migration)
                _advance(session, runtime, instance=instance, case=case, actor=actor, now=now)
        else:
            _advance(session, runtime, instance=instance, case=case, actor=actor, now=now)
    except ProcessFailed as failure:
        failure.actor = actor
        raise
    add_work_info(session, case_id=case.id, event="process_retried",
                  work_log_type=handbook().work_log_type("process_retried"),
                  summary=f"Fejlet trin kørt igen: {name or 'processen'}", notes="Processen kører videre.",
                  author=actor, view_access="internal", now=now)
    audit(session, instance=instance, kind="retry", actor=actor, now=now, details={"element": element,
                                                                                   "step": step.get("kind")})
    session.flush()
    return {"case": case.number, "status": case.status, "retried": element,
            "open_tasks": [t.bpmn_id for t in tasks_of(session, instance.id) if t.status == "open"]}


def _advance(session: Session, runtime: Runtime, *, instance, case, actor: str, now: datetime) -> None:
    workflow = runtime.engine.load(runtime.bundle(session, instance.definition_id), instance.state)
    runtime.advance(session, instance=instance, case=case, workflow=workflow, actor=actor, now=now)


# ---------------------------------------------------------------- cancel
def cancel_case(session: Session, runtime: Runtime, *, number: str, actor: str, reason: str | None,
                now: datetime) -> dict:
    """Cancel a running case: its process ends, open tasks and timers go, the case is `cancelled`;
    Work Info names the reason; a customer the case had reached is told (through the outbox)."""
    text = clean_text(reason or "").strip()
    if len(text) < 3:
        raise FormInvalid({"reason": "Angiv hvorfor sagen annulleres (mindst 3 tegn)."})
    if len(text) > MAX_REASON:
        raise FormInvalid({"reason": f"Begrundelsen må højst være {MAX_REASON} tegn."})
    case, instance = controlled_case(session, number=number, actor=actor)
    if case.status in FINISHED or instance.status not in ("running", "error"):
        raise InvalidState(f"case {number} is already {case.status}; only a running case can be cancelled")
    workflow = runtime.engine.load(runtime.bundle(session, instance.definition_id), instance.state)
    cancel_workflow(workflow)
    instance.state = runtime.engine.dump_ended(workflow)   # ended: its path and data kept (engine.ended)
    instance.status, instance.updated_at = "cancelled", now
    instance.failed_at = instance.failed_element = instance.failed_by = instance.failed_step = None
    for task in tasks_of(session, instance.id):
        if task.status == "open":
            task.status = "cancelled"
    replace_timers(session, instance.id, [])
    case.status, case.closed_at, case.next_sla_check_at = "cancelled", now, None
    book = handbook()
    add_work_info(session, case_id=case.id, event="case_cancelled", work_log_type=book.work_log_type("case_cancelled"),
                  summary="Sagen er annulleret", notes=f"Begrundelse: {text}", author=actor, view_access="internal",
                  now=now)
    told = False
    if _customer_was_reached(session, case):
        ctx = OperationContext(session=session, case=case, actor=actor, now=now, handbook=book,
                               directory=DbDirectory(session), task_id="cancel")
        told = ctx.queue_customer_mail("customer_message", {
            "summary": case.summary, "title": f"Din sag er annulleret: {case.summary}",
            "message": f"Vi har annulleret din sag {case.number}.\n\nBegrundelse: {text}\n\n"
                       "Skriv til os, hvis du stadig har brug for hjælp."}, purpose="case_cancelled")
    audit(session, instance=instance, kind="cancel", actor=actor, now=now, from_id=instance.definition_id,
          details={"reason": text, "customer_told": told})
    session.flush()
    return {"case": case.number, "status": case.status, "customer_told": told}


def _customer_was_reached(session: Session, case: CaseRow) -> bool:
    """The customer knows of the case: a mail to them was queued or sent (a dead letter never arrived)."""
    addresses = {a.strip().lower() for a in (case.customer_email, case.end_user_email) if a}
    rows = session.execute(select(OutboxRow.payload).where(OutboxRow.case_id == case.id, OutboxRow.kind == "mail",
                                                           OutboxRow.status != "dead")).scalars()
    for payload in rows:
        to = (payload or {}).get("to") or []
        if {str(a).strip().lower() for a in ([to] if isinstance(to, str) else to)} & addresses:
            return True
    return False
