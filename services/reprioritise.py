"""Re-prioritising a case (H-V1.2, H-S, H-D4): the service desk or the case's coordinator changes
impact and urgency — with a reason, recorded as Work Info — and the diagram's own DMN table decides
the new priority. Everything that depends on it follows: the deadlines (recomputed with the same
receipt, start and pauses), the on-call procedure when the case becomes critical or high, and the
personal handover on the next team change (the process reads the priority from its data). A
coverage calendar agreed for this case (e.g. 24 x 7 for a silver service) can be set at the same time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from config.handbook import handbook, lane_rules
from domain.errors import Forbidden, FormInvalid, InvalidState
from services.cases import get_case
from services.priority import decide_priority
from services.runtime import Runtime
from services.sla import refresh_deadlines, sla_config
from store.directory import DbDirectory
from store.models import CaseRow
from store.process import instance_for_case
from tasks.context import OperationContext
from tasks.operations import start_on_call_procedure

URGENT = ("critical", "high")
CLOSED = ("closed", "rejected", "routed")


@dataclass(frozen=True)
class Reprioritised:
    case: CaseRow
    old_priority: str | None
    new_priority: str
    on_call_started: bool


def service_desk_team() -> str:
    rule = lane_rules().get("lane_service_desk")
    return rule.team if rule and rule.team else "service_desk"


def may_reprioritise(directory: DbDirectory, username: str, case: CaseRow) -> bool:
    return directory.is_member(username, service_desk_team()) or directory.is_coordinator(username, case.team or "")


def reprioritise(session: Session, runtime: Runtime, *, number: str, username: str, impact, urgency, reason: str,
                 now: datetime, coverage: str | None = None) -> Reprioritised:
    case = get_case(session, number)
    directory = DbDirectory(session)
    if not may_reprioritise(directory, username, case):
        raise Forbidden("only the service desk or the case's coordinator may change the priority")
    if case.status in CLOSED or case.closed_at is not None:
        raise InvalidState(f"case {number} is {case.status}; its priority can no longer change")
    errors = {}
    values = {}
    for name, value in (("impact", impact), ("urgency", urgency)):
        if str(value).strip() not in ("1", "2", "3", "4"):
            errors[name] = "Vælg 1-4."
        else:
            values[name] = int(str(value).strip())
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 2000:
        errors["reason"] = "Skriv en begrundelse på 3-2000 tegn."
    calendars = sla_config(runtime.settings.config_dir).sla_policy.calendars
    if coverage not in (None, "") and coverage not in calendars:
        errors["coverage"] = f"Vælg en af: {', '.join(sorted(calendars))}."
    if errors:
        raise FormInvalid(errors)
    return apply_priority(session, runtime, case=case, actor=username, reason=reason, now=now, coverage=coverage,
                          **values)


def apply_priority(session: Session, runtime: Runtime, *, case: CaseRow, actor: str, impact: int, urgency: int,
                   reason: str, now: datetime, coverage: str | None = None) -> Reprioritised:
    """The checked change itself; also used when impact/urgency changed in Remedy (issue 14)."""
    values = {"impact": impact, "urgency": urgency}
    directory = DbDirectory(session)
    instance = instance_for_case(session, case.id, lock=True)
    bundle = runtime.bundle(session, instance.definition_id)
    new = decide_priority(bundle.content_hash, bundle.sources, **values)
    old, old_values = case.priority, (case.impact, case.urgency)
    case.impact, case.urgency, case.priority = values["impact"], values["urgency"], new
    if coverage is not None:
        case.coverage = coverage or None
    book = handbook()
    labels = book.labels.get("priority", {})
    ctx = OperationContext(session=session, case=case, actor=actor, now=now, handbook=book, directory=directory,
                           task_id=f"reprioritise-{now.isoformat()}")
    ctx.work_info("reprioritised", f"Prioritet ændret fra {labels.get(old or '', old or '–')} til {labels.get(new, new)}",
                  f"Påvirkning {old_values[0]} → {values['impact']}, hastende {old_values[1]} → {values['urgency']}"
                  + (f"\nDækning: {case.coverage or 'efter SLA-niveau'}" if coverage is not None else "")
                  + f"\nBegrundelse: {reason}")
    # before first triage the diagram decides on-call itself when triage is done
    started_on_call = new in URGENT and old not in URGENT and case.status not in ("registered", "in_triage")
    if started_on_call:
        start_on_call_procedure(ctx, {}, {"priority": new})
    runtime.update_case_data(session, case=case, actor=actor, now=now, updates={
        "impact": str(values["impact"]), "urgency": str(values["urgency"]), "priority": new})
    refresh_deadlines(session, case=case, config=sla_config(runtime.settings.config_dir))
    session.flush()
    return Reprioritised(case, old, new, started_on_call)
