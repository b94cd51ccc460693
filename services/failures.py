"""Failed instances (issue 11; H-R1.1 every step leaves Work Info): when advancing a case fails on a
diagram or data problem, the command that caused it is rolled back as always, and the failure is
recorded on the instance — element, message, time, who and the step to run again — in a transaction
of its own, so the case shows "Fejl i processen ved <element>" until a retry (or any later step)
succeeds. A refusal of the person's command (a form error, a missing right, a closing guard) is not a
failure: nothing is stuck, the person is told why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from config.handbook import handbook
from domain.errors import (ConcurrencyConflict, Forbidden, FormInvalid, InvalidState, NotFound,
                           SagsflowError)
from store.cases import add_work_info
from store.models import InstanceChangeRow, ProcessInstanceRow

REFUSALS = (Forbidden, FormInvalid, InvalidState, NotFound, ConcurrencyConflict)
MAX_MESSAGE = 500


class ProcessFailed(SagsflowError):
    """The process could not advance at `element`; nothing of the command was saved. Carries what the
    failure record needs (the entry point records it after the rollback, see record_failure)."""

    code = "process_failed"

    def __init__(self, *, instance_id: int, case_id: int, element: str | None, element_name: str | None,
                 message: str, actor: str, now: datetime, step: dict | None = None):
        self.instance_id, self.case_id = instance_id, case_id
        self.element, self.element_name = element, element_name or element
        self.message, self.actor, self.now = message[:MAX_MESSAGE], actor, now
        self.step = step or {"kind": "advance"}
        super().__init__(f"Fejl i processen ved {self.element_name or 'ukendt element'}: {self.message} "
                         "(intet er gemt; sagen er markeret som fejlet og kan køres igen)")


def is_failure(exc: BaseException) -> bool:
    """A diagram or data problem (recorded) rather than a refusal or a database problem (not recorded)."""
    if isinstance(exc, (ProcessFailed, StaleDataError, SQLAlchemyError)):
        return False
    return not isinstance(exc, REFUSALS)


def failure_message(exc: BaseException) -> str:
    """The first line of the error, with its root cause (e.g. the ValueError inside an expression)."""
    def line(error: BaseException) -> str:
        return str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = line(exc) if isinstance(exc, SagsflowError) else f"{type(exc).__name__}: {line(exc)}".rstrip(": ")
    root, seen = exc, 0
    while (root.__cause__ or root.__context__) is not None and seen < 10:
        root, seen = root.__cause__ or root.__context__, seen + 1
    if root is not exc and not isinstance(root, SagsflowError) and line(root) and line(root) not in text:
        text = f"{text} ({type(root).__name__}: {line(root)})"
    return text


def failed_element(exc: BaseException, fallback: str | None) -> str | None:
    """The bpmn id of the failing element: the engine's task when it names one, else the fallback
    (the service task being run)."""
    for candidate in (exc, exc.__cause__):
        task = getattr(candidate, "task", None)
        bpmn_id = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
        if bpmn_id:
            return bpmn_id
    return fallback


def record_failure(factory: sessionmaker[Session], failure: ProcessFailed) -> bool:
    """Record the failure on its instance in a new transaction (after the command's rollback). Work
    Info is written once per distinct failure (the same failure repeated only refreshes the time)."""
    with factory() as session:
        instance = session.get(ProcessInstanceRow, failure.instance_id)
        if instance is None:   # the instance was created by the command that failed: nothing to mark
            return False
        repeated = (instance.failed_at is not None and instance.failed_element == failure.element
                    and instance.error == failure.message)
        instance.failed_at, instance.failed_element = failure.now, failure.element
        instance.failed_by, instance.failed_step, instance.error = failure.actor, failure.step, failure.message
        if not repeated:
            session.add(InstanceChangeRow(instance_id=instance.id, case_id=instance.case_id, kind="failure",
                                          from_definition_id=instance.definition_id, to_definition_id=None,
                                          actor=failure.actor, at=failure.now,
                                          details={"element": failure.element, "message": failure.message,
                                                   "step": failure.step.get("kind")}))
            add_work_info(session, case_id=instance.case_id, event="process_failed",
                          work_log_type=handbook().work_log_type("process_failed"),
                          summary=f"Fejl i processen ved {failure.element_name or 'ukendt element'}",
                          notes=f"{failure.message}\nTrinnet er ikke gemt; en administrator kan køre det igen.",
                          author=failure.actor, view_access="internal", now=failure.now)
        session.commit()
    return True


def failure_label(instance: ProcessInstanceRow | None, task_meta: dict) -> str | None:
    """"Fejl i processen ved <element>" for a failed instance, else None."""
    if instance is None or instance.failed_at is None:
        return None
    name = (task_meta.get(instance.failed_element or "") or {}).get("name") or instance.failed_element
    return f"Fejl i processen ved {name or 'ukendt element'}"


def process_failure(exc: BaseException, *, instance: ProcessInstanceRow, task_meta: dict, actor: str,
                    now: datetime, element: str | None = None, step: dict | None = None) -> ProcessFailed:
    """The ProcessFailed for `exc`, raised while advancing `instance` (call is_failure first)."""
    bpmn_id = failed_element(exc, element)
    name = (task_meta.get(bpmn_id or "") or {}).get("name") or bpmn_id
    return ProcessFailed(instance_id=instance.id, case_id=instance.case_id, element=bpmn_id, element_name=name,
                         message=failure_message(exc), actor=actor, now=now, step=step)


def failure_document(session: Session, instance: ProcessInstanceRow | None) -> dict | None:
    """{label, element, message, time, by} of a failed instance for `case show` and the case page."""
    if instance is None or instance.failed_at is None:
        return None
    from store.models import ProcessDefinitionRow   # local: only needed for a failed case
    meta = session.get(ProcessDefinitionRow, instance.definition_id).task_meta
    return {"label": failure_label(instance, meta), "element": instance.failed_element, "message": instance.error,
            "time": instance.failed_at.isoformat(), "by": instance.failed_by,
            "step": (instance.failed_step or {}).get("kind")}
