"""Remedy sync (H-R1.1; H-T1/H-T2 registration): import new and changed incidents from BMC Remedy
as cases, and push Work Info and status changes back through the outbox.

Import: incidents of HPD:Help Desk modified since the newest change already seen (the watermark is
max(case_record.remedy_last_modified)) are read in pages. Each is validated
(`incident_from_remedy`) and imported in its own transaction, idempotent on the Incident Number
(`case_record.remedy_incident_number`, unique): a known incident only records a status change made
in Remedy; a new one opens a case with `services.cases.open_case`. Bad data (missing fields,
unknown status, too short a summary) is reported with the incident number and imports nothing.
Incidents already resolved, closed or cancelled in Remedy are not imported.

Push: Work Info of linked cases not yet queued becomes an outbox item kind "remedy"
(action "worklog", key remedy:worklog:<id>); a case status whose Remedy value differs from the
last one pushed becomes an item (action "status"). Both are marked in the same transaction, so a
second sync (or a crash between) queues nothing twice; the dispatcher delivers them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from config.handbook import handbook
from config.settings import Settings
from connectors.remedy import RemedyClient, RemedyDataError, RemedyEntry, incident_from_remedy
from connectors.remedy.qualification import field_ge
from domain.errors import SagsflowError
from services.cases import NewCase, open_case
from services.runtime import Runtime
from store.cases import add_work_info
from store.models import CaseRow, WorkInfoRow
from store.outbox import enqueue

HELP_DESK = "HPD:Help Desk"
ACTOR = "remedy"
FINISHED_IN_REMEDY = ("resolved", "closed", "cancelled")
CASE_TO_REMEDY_STATUS = {"registered": "new", "in_triage": "new", "awaiting_distribution": "assigned",
                         "in_progress": "in_progress", "testing": "in_progress", "waiting_for_customer": "pending",
                         "resolved": "resolved", "closed": "closed", "rejected": "cancelled", "routed": "cancelled"}
SERVICE_REQUEST_TYPES = ("User Service Request",)


class RemedyImportError(SagsflowError):
    """An incident from Remedy cannot become a case; the message names the incident and the reason."""


@dataclass
class SyncReport:
    imported: list[str] = field(default_factory=list)     # Remedy incident numbers that became cases
    updated: list[str] = field(default_factory=list)      # known incidents whose change was recorded
    skipped: int = 0                                      # unchanged, or finished in Remedy
    errors: list[str] = field(default_factory=list)       # one clear message per refused incident
    queued: int = 0                                       # outbox items queued for Remedy

    def as_dict(self) -> dict:
        return {"imported": self.imported, "updated": self.updated, "skipped": self.skipped,
                "errors": self.errors, "queued": self.queued}


def sync(factory: sessionmaker[Session], runtime: Runtime, client: RemedyClient, *, settings: Settings,
         now: datetime) -> SyncReport:
    """One sync: import, then queue what goes back. Remedy faults propagate (the flow retries)."""
    report = SyncReport()
    import_incidents(factory, runtime, client, settings=settings, now=now, report=report)
    report.queued = queue_changes(factory, now=now)
    return report


def import_incidents(factory, runtime: Runtime, client: RemedyClient, *, settings: Settings, now: datetime,
                     report: SyncReport) -> None:
    with factory() as session:
        watermark = session.execute(select(func.max(CaseRow.remedy_last_modified))).scalar_one_or_none()
    entries = client.get_entries(HELP_DESK, field_ge("Last Modified Date", watermark) if watermark else None,
                                 sort="Last Modified Date.asc", limit=settings.remedy_import_limit)
    for entry in entries:
        try:
            with factory() as session, session.begin():
                _import_one(session, runtime, entry, settings=settings, now=now, report=report)
        except RemedyImportError as exc:
            report.errors.append(str(exc))


def _import_one(session: Session, runtime: Runtime, entry: RemedyEntry, *, settings: Settings, now: datetime,
                report: SyncReport) -> None:
    label = str(entry.values.get("Incident Number") or entry.entry_id or "?")[:40]
    try:
        incident = incident_from_remedy(entry.values)
    except RemedyDataError as exc:
        raise RemedyImportError(f"Remedy incident {label} not imported: {exc}") from None
    case = session.execute(select(CaseRow).where(CaseRow.remedy_incident_number == incident.incident_number)
                           .with_for_update()).scalar_one_or_none()
    if case is not None:
        if case.remedy_last_modified is not None and incident.last_modified <= case.remedy_last_modified:
            report.skipped += 1
            return
        case.remedy_last_modified = incident.last_modified
        if incident.status != case.remedy_pushed_status:
            _work_info(session, case, "remedy_update", f"Status ændret i Remedy: {incident.remedy_status}",
                       incident.status_reason or "", now=now)
        report.updated.append(incident.incident_number)
        return
    if incident.status in FINISHED_IN_REMEDY:
        report.skipped += 1
        return
    values = entry.values
    customer = " ".join(str(values.get(k) or "").strip() for k in ("First Name", "Last Name")).strip()
    try:
        new = NewCase(case_type="service_request" if values.get("Service Type") in SERVICE_REQUEST_TYPES
                      else "incident", summary=incident.summary, impact=incident.impact, urgency=incident.urgency,
                      sla_level=settings.remedy_import_sla_level, customer_name=customer or "Ukendt kunde (Remedy)")
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise RemedyImportError(f"Remedy incident {label} not imported: {problems}") from None
    case = open_case(session, runtime, new=new, actor=ACTOR, now=now)
    case.remedy_incident_number = incident.incident_number
    case.remedy_entry_id = entry.entry_id
    case.remedy_last_modified = incident.last_modified
    case.remedy_pushed_status = CASE_TO_REMEDY_STATUS.get(case.status)
    _work_info(session, case, "remedy_import", f"Importeret fra Remedy: {incident.incident_number}",
               incident.notes or "", now=now)
    for row in session.execute(select(WorkInfoRow).where(WorkInfoRow.case_id == case.id)).scalars():
        row.remedy_queued_at = now   # Remedy already knows its own incident; nothing to echo back
    session.flush()
    report.imported.append(incident.incident_number)


def _work_info(session: Session, case: CaseRow, event: str, summary: str, notes: str, *, now: datetime) -> None:
    row = add_work_info(session, case_id=case.id, event=event, work_log_type=handbook().work_log_type(event),
                        summary=summary, notes=notes, author=ACTOR, view_access="internal", now=now)
    row.remedy_queued_at = now   # came from Remedy: not pushed back


def queue_changes(factory, *, now: datetime, batch: int = 1000) -> int:
    """Queue Work Info and status changes of linked cases for Remedy; returns the number queued."""
    queued = 0
    with factory() as session, session.begin():
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
            queued += 1
        cases = session.execute(select(CaseRow).where(CaseRow.remedy_incident_number.is_not(None))
                                .with_for_update(skip_locked=True)).scalars()
        for case in cases:
            status = CASE_TO_REMEDY_STATUS.get(case.status)
            if status is None or status == case.remedy_pushed_status:
                continue
            enqueue(session, key=f"remedy:status:{case.number}:{status}:{now.isoformat()}", kind="remedy",
                    case_id=case.id, now=now, payload={
                        "purpose": "remedy_status", "action": "status", "case_number": case.number,
                        "incident_number": case.remedy_incident_number, "entry_id": case.remedy_entry_id,
                        "status": status})
            case.remedy_pushed_status = status
            queued += 1
    return queued
