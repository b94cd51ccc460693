"""What goes back to Remedy (H-R1.1; issue 14): Work Info, status and assignment, new cases.

* Work Info of linked cases not yet queued becomes an outbox item (action ``worklog``).
* The state a linked incident should show — status (never backwards, see
  ``connectors.remedy.mapping.is_backwards``), Assigned Group and Assignee mapped from the case's
  team and technician (``remedy.mapping``), Status_Reason and Resolution where the status needs
  them — becomes an ``update`` item when it differs from what Remedy is known to show. What Remedy
  shows is recorded only after Remedy accepted a push: the latest delivered ``update`` item of a
  case is copied into ``remedy_status``/``remedy_view`` here, at the next sync. While an update is
  on its way nothing new is queued for that case; a refused one (dead letter, AR text for the
  administrator) is not queued again until the wanted state changes or it is retried.
* A case registered in Sagsflow (incident or service request) is created in Remedy (``create``);
  once delivered, the case carries the Remedy incident number and from then on syncs like the rest.
Everything is queued in one transaction; the dispatcher delivers (``services.remedy_transport``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.settings import Settings
from connectors.remedy.mapping import RemedyState, is_backwards
from services.remedy_apply import remedy_work_info
from store.models import CaseRow, OutboxRow, WorkInfoRow
from store.outbox import enqueue

CASE_TO_REMEDY_STATUS = {"registered": "new", "in_triage": "new", "awaiting_distribution": "assigned",
                         "in_progress": "in_progress", "testing": "in_progress", "waiting_for_customer": "pending",
                         "resolved": "resolved", "closed": "closed", "rejected": "cancelled", "routed": "cancelled",
                         "cancelled": "cancelled"}
CREATE_TYPES = ("incident", "service_request")
ENDED = ("closed", "rejected", "routed", "cancelled")


@dataclass
class PushReport:
    queued: int = 0
    errors: list[str] = field(default_factory=list)


def record_accepted(factory, *, now: datetime) -> None:
    """Before an import: delivered creates link their cases (so they are not imported again)."""
    with factory() as session, session.begin():
        _record_accepted(session, now=now)


def queue_changes(factory, *, settings: Settings, now: datetime, batch: int = 1000) -> PushReport:
    """Record accepted pushes, then queue Work Info, state updates and creates for Remedy."""
    report = PushReport()
    with factory() as session, session.begin():
        _record_accepted(session, now=now)
        report.queued += _queue_work_info(session, now=now, batch=batch)
        latest = _latest_updates(session)
        final = (CaseRow.remedy_status.is_(None)) | (CaseRow.remedy_status.not_in(("closed", "cancelled")))
        for case in session.execute(select(CaseRow).where(CaseRow.remedy_incident_number.is_not(None), final)
                                    .with_for_update(skip_locked=True)).scalars():   # Remedy's end is final
            report.queued += _queue_update(session, case, latest.get(case.id), settings=settings, now=now)
        if settings.remedy.mapping.create_cases:
            report.queued += _queue_creates(session, settings=settings, now=now)
    return report


def _latest_updates(session: Session) -> dict[int, OutboxRow]:
    newest = (select(func.max(OutboxRow.id)).where(OutboxRow.idempotency_key.like("remedy:update:%"))
              .group_by(OutboxRow.case_id))
    rows = session.execute(select(OutboxRow).where(OutboxRow.id.in_(newest))).scalars()
    return {row.case_id: row for row in rows}


def _record_accepted(session: Session, *, now: datetime) -> None:
    """Delivered creates link their case; the newest delivered update is what Remedy now shows."""
    creates = session.execute(
        select(OutboxRow, CaseRow).join(CaseRow, CaseRow.id == OutboxRow.case_id)
        .where(OutboxRow.idempotency_key.like("remedy:create:%"), OutboxRow.status == "sent",
               CaseRow.remedy_incident_number.is_(None))).all()
    for item, case in creates:
        delivery = item.payload.get("delivery") or {}
        if delivery.get("incident_number"):
            case.remedy_incident_number = delivery["incident_number"]
            case.remedy_entry_id = delivery.get("entry_id")
            case.remedy_status = case.remedy_pushed_status = "new"
            case.remedy_view = {"group": None, "assignee": None, "notes": None, "priority": None}
    for case_id, item in _latest_updates(session).items():
        if item.status == "dead" and not item.payload.get("noted"):
            _note_refusal(session, session.get(CaseRow, case_id), item, now=now)
            continue
        if item.status != "sent" or item.payload.get("recorded"):
            continue
        case = session.get(CaseRow, case_id)
        state = item.payload["state"]
        case.remedy_status = case.remedy_pushed_status = state["status"]
        case.remedy_view = {**(case.remedy_view or {}), "group": state.get("assigned_group"),
                            "assignee": state.get("assignee_login")}
        item.payload = {**item.payload, "recorded": True}


def _note_refusal(session: Session, case: CaseRow, item: OutboxRow, *, now: datetime) -> None:
    """A refused push becomes Work Info on the case (Remedy's own text), once; not sent to Remedy."""
    wanted = item.payload.get("state", {})
    remedy_work_info(session, case, "remedy_refused", "Remedy afviste opdateringen",
                     f"Ønsket status: {wanted.get('status')}\n{(item.last_error or '')[:1000]}\n"
                     "Sagen og Remedy er ikke i trit; en administrator kan sende den igen fra udbakken.", now=now)
    item.payload = {**item.payload, "noted": True}


def _queue_work_info(session: Session, *, now: datetime, batch: int) -> int:
    rows = session.execute(
        select(WorkInfoRow, CaseRow).join(CaseRow, CaseRow.id == WorkInfoRow.case_id)
        .where(CaseRow.remedy_incident_number.is_not(None), WorkInfoRow.remedy_queued_at.is_(None))
        .order_by(WorkInfoRow.id).limit(batch).with_for_update(of=WorkInfoRow, skip_locked=True)).all()
    for info, case in rows:
        enqueue(session, key=f"remedy:worklog:{info.id}", kind="remedy", case_id=case.id, now=now, payload={
            "purpose": "remedy_worklog", "action": "worklog", "case_number": case.number,
            "incident_number": case.remedy_incident_number, "work_log_type": info.work_log_type,
            "summary": info.summary, "notes": info.notes, "view_access": info.view_access})
        info.remedy_queued_at = now
    return len(rows)


def wanted_state(session: Session, case: CaseRow, *, settings: Settings, details: bool = True) -> RemedyState | None:
    """The state the incident should show, or None when the case's status has no Remedy status.
    ``details=False`` leaves out the Resolution (a query) when only comparing."""
    target = CASE_TO_REMEDY_STATUS.get(case.status)
    if target is None:
        return None
    if is_backwards(case.remedy_status, target):
        target = case.remedy_status
    mapping, seen = settings.remedy.mapping, case.remedy_view or {}
    group = mapping.team_groups.get(case.team or "")
    assignee = mapping.user_logins.get(case.assignee or "") or seen.get("assignee")
    return RemedyState(
        status=target, assigned_group=group or seen.get("group"),
        support_company=(mapping.support_company or None) if group else None,
        support_organization=(mapping.support_organization or None) if group else None,
        assignee_login=assignee, status_reason=mapping.status_reasons.get(target),
        resolution=_resolution(session, case, settings) if details and target in ("resolved", "closed") else None)


def _resolution(session: Session, case: CaseRow, settings: Settings) -> str:
    solution = session.execute(select(WorkInfoRow.notes).where(WorkInfoRow.case_id == case.id,
                                                               WorkInfoRow.event == "solution")
                               .order_by(WorkInfoRow.id.desc()).limit(1)).scalar_one_or_none()
    return (solution or "").strip() or settings.remedy.mapping.resolution_text


def _queue_update(session: Session, case: CaseRow, latest: OutboxRow | None, *, settings: Settings,
                  now: datetime) -> int:
    if latest is not None and latest.status in ("pending", "sending"):
        return 0   # one push at a time per incident; the next sync looks again
    state = wanted_state(session, case, settings=settings, details=False)
    seen = case.remedy_view or {}
    if state is None or (state.status, state.assigned_group, state.assignee_login) == (
            case.remedy_status, seen.get("group"), seen.get("assignee")):
        return 0
    wanted = wanted_state(session, case, settings=settings).model_dump()
    if latest is not None and latest.payload.get("state") == wanted:
        return 0   # delivered already (recorded next time) or refused: not again until retried
    digest = hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:16]
    enqueue(session, key=f"remedy:update:{case.number}:{latest.id if latest else 0}:{digest}", kind="remedy",
            case_id=case.id, now=now, payload={
                "purpose": "remedy_update", "action": "update", "case_number": case.number,
                "incident_number": case.remedy_incident_number, "state": wanted})
    return 1


def _queue_creates(session: Session, *, settings: Settings, now: datetime) -> int:
    queued = 0
    known = set(session.execute(select(OutboxRow.idempotency_key)
                                .where(OutboxRow.idempotency_key.like("remedy:create:%"))).scalars())
    cases = session.execute(select(CaseRow).where(CaseRow.remedy_incident_number.is_(None),
                                                  CaseRow.case_type.in_(CREATE_TYPES), CaseRow.status.not_in(ENDED))
                            .with_for_update(skip_locked=True)).scalars()
    for case in cases:
        key = f"remedy:create:{case.number}"
        if key in known:
            continue
        first, _, last = (case.customer_name or "").strip().rpartition(" ")
        enqueue(session, key=key, kind="remedy", case_id=case.id, now=now, payload={
            "purpose": "remedy_create", "action": "create", "case_number": case.number,
            "case": {"number": case.number, "type": case.case_type, "summary": case.summary[:100],
                     "impact": case.impact, "urgency": case.urgency, "priority": case.priority or "medium",
                     "status": "new", "customer_first_name": first or last, "customer_last_name": last,
                     "reported_source": settings.remedy.mapping.reported_source}})
        queued += 1
    return queued
