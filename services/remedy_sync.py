"""Remedy sync (H-R1.1; H-T1/H-T2 registration; issue 14): Remedy is the region's system of record.

Import: incidents of the help-desk form after the watermark — a later ``Last Modified Date``, or the
same one with a greater Entry ID — are read page by page (``offset``/``limit``, then ``_links.next``)
sorted by Last Modified Date and Entry ID, so ties are handled and the watermark
(``remedy_sync_state``) always advances — also past an incident
that cannot be imported (its next change in Remedy brings it back). The first sync is bounded by
``remedy.sync.start`` (or the last ``first_sync_days``) and the support-group/company filters.
Each incident is handled in its own transaction with the watermark: a new one opens a case
(Reported Date → ``received_at``, customer name/e-mail/phone/site; Remedy's Assigned Group and
Assignee, mapped through ``remedy.mapping``, become proposals for triage and distribution —
``services.remedy_apply.proposed_assignment``); a known one has its Remedy-side changes applied
(``services.remedy_apply``). The Work Info a person wrote in Remedy on a linked incident comes
along, once per entry (``services.remedy_worklog``; one HPD:WorkLog search per chunk of incidents). Incidents
already resolved, closed or cancelled in Remedy are not imported. At most ``remedy_import_limit``
incidents are handled per sync; the next sync continues from the watermark.

Then ``services.remedy_push`` queues what goes back (Work Info, status/assignment, new cases).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from connectors.remedy import (RemedyClient, RemedyDataError, RemedyEntry, RemedyPermanentError,
                               incident_from_remedy)
from connectors.remedy.incoming import ImportedIncident, parse_ar_datetime
from connectors.remedy.mapping import PRIORITY_TO_REMEDY
from connectors.remedy.qualification import and_, field_equals, field_ge, field_gt, group, or_
from domain.errors import SagsflowError
from services.cases import NewCase, open_case
from services.remedy_apply import apply_remedy_change, proposed_assignment, remedy_work_info, view_of
from services.remedy_push import queue_changes, record_accepted
from services.remedy_worklog import WorkLogReader, import_work_logs
from services.runtime import Runtime
from services.sla import refresh_deadlines, sla_config
from store.models import CaseRow, WorkInfoRow
from store.remedy import advance_watermark, watermark

FINISHED_IN_REMEDY = ("resolved", "closed", "cancelled")
SERVICE_REQUEST_TYPES = ("User Service Request",)
SORT = "Last Modified Date.asc,Entry ID.asc"
REFERENCE = "Sagsflow-sag "   # first line of the notes of an incident Sagsflow created (connectors.remedy.mapping)


class RemedyImportError(SagsflowError):
    """An incident from Remedy cannot become a case; the message names the incident and the reason."""


@dataclass
class SyncReport:
    imported: list[str] = field(default_factory=list)     # Remedy incident numbers that became cases
    updated: list[str] = field(default_factory=list)      # known incidents whose Remedy-side change was applied
    skipped: int = 0                                      # unchanged, already seen, or finished in Remedy
    errors: list[str] = field(default_factory=list)       # one clear message per refused incident
    queued: int = 0                                       # outbox items queued for Remedy
    more: bool = False                                    # the import limit was reached; the next sync continues
    work_info: int = 0                                    # Work Info entries written in Remedy, imported

    def as_dict(self) -> dict:
        return {"imported": self.imported, "updated": self.updated, "skipped": self.skipped,
                "errors": self.errors, "queued": self.queued, "more": self.more, "work_info": self.work_info}


def sync(factory: sessionmaker[Session], runtime: Runtime, client: RemedyClient, *, settings: Settings,
         now: datetime) -> SyncReport:
    """One sync: import, then queue what goes back. Remedy faults propagate (the flow retries)."""
    report = SyncReport()
    record_accepted(factory, now=now)
    import_incidents(factory, runtime, client, settings=settings, now=now, report=report)
    push = queue_changes(factory, settings=settings, now=now)
    report.queued, report.errors = push.queued, report.errors + push.errors
    return report


def import_qualification(settings: Settings, *, since: datetime, after_entry: str | None = None):
    """Incidents after the watermark — ``'Last Modified Date' > since``, or the same date with a
    greater Entry ID (ties) — or, on the first sync, ``>= since``; and the configured filters."""
    sync_settings = settings.remedy.sync
    if after_entry is None:
        parts = [field_ge("Last Modified Date", since)]
    else:
        parts = [group(or_(field_gt("Last Modified Date", since),
                           and_(field_equals("Last Modified Date", since), field_gt("Entry ID", after_entry))))]
    if sync_settings.support_groups:
        parts.append(group(or_(*(field_equals("Assigned Group", g) for g in sync_settings.support_groups))))
    if sync_settings.companies:
        parts.append(group(or_(*(field_equals("Company", c) for c in sync_settings.companies))))
    return and_(*parts)


def import_incidents(factory, runtime: Runtime, client: RemedyClient, *, settings: Settings, now: datetime,
                     report: SyncReport) -> None:
    remedy = settings.remedy
    with factory() as session:
        mark, mark_id = watermark(session)
    since = mark or remedy.sync.start or now - timedelta(days=remedy.sync.first_sync_days)
    qualification = import_qualification(settings, since=since, after_entry=mark_id if mark else None)
    passed: list[tuple[datetime, str]] = []   # finished in Remedy and unknown here: only read, not written
    try:
        _import_pages(factory, runtime, client, qualification, settings=settings, now=now, report=report,
                      mark=(mark, mark_id), passed=passed)
    finally:
        if passed:   # one transaction moves the watermark past them (never backwards)
            with factory() as session, session.begin():
                advance_watermark(session, modified=passed[-1][0], entry_id=passed[-1][1], now=now)


def _import_pages(factory, runtime: Runtime, client: RemedyClient, qualification, *, settings: Settings,
                  now: datetime, report: SyncReport, mark: tuple, passed: list) -> None:
    """Incidents are handled in chunks: the Work Log of a chunk's incidents is read in one search
    (``services.remedy_worklog``), then each incident of the chunk is handled in order, in its own
    transaction with the watermark. A fault reading a chunk's Work Log propagates before any of its
    incidents is handled, so the watermark stays before them and the next sync reads them again."""
    remedy, (mark, mark_id), handled = settings.remedy, mark, 0
    work_logs = WorkLogReader(client, settings, report.errors)
    chunk: list[_Pending] = []
    numbers: list[str] = []       # the chunk's incidents whose Work Log is read
    for entry in client.search_all(remedy.forms.help_desk, qualification, sort=SORT, page_size=remedy.sync.page_size):
        entry_id = str(entry.values.get("Entry ID") or entry.entry_id or "")
        try:
            modified = parse_ar_datetime(entry.values.get("Last Modified Date"), field="Last Modified Date")
        except RemedyDataError as exc:
            report.errors.append(f"Remedy incident {_label(entry)} not imported: {exc}")
            continue
        if mark is not None and (modified, entry_id) <= (mark, mark_id or ""):
            continue   # a server that ignored part of the qualification: already handled
        if handled >= settings.remedy_import_limit:
            report.more = True
            break
        handled += 1
        finished = _finished_and_unknown(factory, entry)
        number = entry.values.get("Incident Number")
        if not finished and work_logs.wanted(number) and number not in numbers:
            if not work_logs.fits(numbers, number):
                _handle_chunk(factory, runtime, client, chunk, work_logs.entries(numbers), settings=settings,
                              now=now, report=report, passed=passed)
                chunk, numbers = [], []
            numbers.append(number)
        chunk.append(_Pending(entry, modified, entry_id, finished))
    _handle_chunk(factory, runtime, client, chunk, work_logs.entries(numbers), settings=settings, now=now,
                  report=report, passed=passed)


@dataclass(frozen=True)
class _Pending:
    entry: RemedyEntry
    modified: datetime
    entry_id: str
    finished: bool        # finished in Remedy and unknown here: only read, not written


def _handle_chunk(factory, runtime: Runtime, client: RemedyClient, chunk: list[_Pending],
                  logs: dict[str, list[RemedyEntry]], *, settings: Settings, now: datetime, report: SyncReport,
                  passed: list) -> None:
    for item in chunk:
        modified, entry_id = item.modified, item.entry_id
        if item.finished:
            report.skipped += 1
            passed.append((modified, entry_id))
            continue
        entry = _with_people(factory, client, settings, item.entry)
        entry_logs = logs.get(entry.values.get("Incident Number"), [])   # read before the watermark moves
        try:
            with factory() as session, session.begin():
                case = _import_one(session, runtime, entry, settings=settings, now=now, report=report)
                if case is not None and entry_logs:
                    report.work_info += import_work_logs(session, case, entry_logs, settings=settings, now=now,
                                                         errors=report.errors)
                advance_watermark(session, modified=modified, entry_id=entry_id, now=now)
        except RemedyImportError as exc:
            report.errors.append(str(exc))
            with factory() as session, session.begin():
                advance_watermark(session, modified=modified, entry_id=entry_id, now=now)


def _finished_and_unknown(factory, entry: RemedyEntry) -> bool:
    """Resolved, closed or cancelled in Remedy and not linked to a case: nothing to import or apply."""
    if str(entry.values.get("Status")) not in ("Resolved", "Closed", "Cancelled"):
        return False
    with factory() as session:
        return session.execute(select(CaseRow.id).where(
            CaseRow.remedy_incident_number == entry.values.get("Incident Number"))).first() is None


def _with_people(factory, client: RemedyClient, settings: Settings, entry: RemedyEntry) -> RemedyEntry:
    """A new incident without the customer's e-mail: look the customer up in CTM:People (by
    Customer Login ID, else by First/Last Name when exactly one person matches)."""
    values, remedy = entry.values, settings.remedy
    if values.get("Internet E-mail") or not remedy.sync.people_lookup:
        return entry
    with factory() as session:
        if session.execute(select(CaseRow.id).where(
                CaseRow.remedy_incident_number == values.get("Incident Number"))).first() is not None:
            return entry
    login, first, last = (str(values.get(k) or "").strip() for k in ("Customer Login ID", "First Name", "Last Name"))
    if login:
        who = field_equals("Remedy Login ID", login)
    elif first and last:
        who = and_(field_equals("First Name", first), field_equals("Last Name", last))
    else:
        return entry
    try:
        found = client.get_entries(remedy.forms.people, who, limit=2,
                                   fields=["Internet E-mail", "Phone Number Business", "Site"])
    except RemedyPermanentError:
        return entry   # no CTM:People on this server, or no access: import without
    if len(found) != 1:
        return entry
    person = found[0].values
    extra = {"Internet E-mail": person.get("Internet E-mail"),
             "Phone Number": values.get("Phone Number") or person.get("Phone Number Business"),
             "Site": values.get("Site") or person.get("Site")}
    return RemedyEntry(entry.entry_id, {**values, **{k: v for k, v in extra.items() if v}})


def _label(entry: RemedyEntry) -> str:
    return str(entry.values.get("Incident Number") or entry.entry_id or "?")[:40]


def _import_one(session: Session, runtime: Runtime, entry: RemedyEntry, *, settings: Settings, now: datetime,
                report: SyncReport) -> CaseRow | None:
    """Import or apply one incident; returns the case it is linked to (None: not imported)."""
    try:
        incident = incident_from_remedy(entry.values)
    except RemedyDataError as exc:
        raise RemedyImportError(f"Remedy incident {_label(entry)} not imported: {exc}") from None
    case = session.execute(select(CaseRow).where(CaseRow.remedy_incident_number == incident.incident_number)
                           .with_for_update()).scalar_one_or_none()
    if case is not None:
        if apply_remedy_change(session, runtime, case, incident, settings=settings, now=now):
            report.updated.append(incident.incident_number)
        else:
            report.skipped += 1
        return case
    created_here = _created_by_sagsflow(session, incident)
    if created_here is not None:   # our own create, read back before its delivery was recorded
        created_here.remedy_incident_number = incident.incident_number
        created_here.remedy_entry_id, created_here.remedy_last_modified = entry.entry_id, incident.last_modified
        created_here.remedy_status = created_here.remedy_pushed_status = incident.status
        created_here.remedy_view = view_of(incident)
        report.skipped += 1
        return created_here
    if incident.status in FINISHED_IN_REMEDY:
        report.skipped += 1
        return None
    case = _open(session, runtime, incident, settings=settings, now=now)
    case.remedy_entry_id = entry.entry_id
    report.imported.append(incident.incident_number)
    return case


def _created_by_sagsflow(session: Session, incident: ImportedIncident) -> CaseRow | None:
    """The case whose create made this incident: its notes start with ``Sagsflow-sag <number>``."""
    first_line = (incident.notes or "").split("\n", 1)[0].strip()
    if not first_line.startswith(REFERENCE):
        return None
    return session.execute(select(CaseRow).where(CaseRow.number == first_line[len(REFERENCE):].strip(),
                                                 CaseRow.remedy_incident_number.is_(None))).scalar_one_or_none()


def _open(session: Session, runtime: Runtime, incident: ImportedIncident, *, settings: Settings,
          now: datetime) -> CaseRow:
    base, dropped = _new_case(incident, settings), []
    email, phone = incident.customer_email, incident.customer_phone
    if email and not _acceptable(base, customer_email=email):
        dropped.append("e-mail (ugyldig adresse)")
        email = None
    if phone and not _acceptable(base, customer_phone=phone):
        dropped.append("telefon (ugyldigt nummer)")
        phone = None
    try:
        new = NewCase(**base, customer_email=email, customer_phone=phone)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise RemedyImportError(f"Remedy incident {incident.incident_number} not imported: {problems}") from None
    proposals, assignment = proposed_assignment(session, incident, settings=settings)
    case = open_case(session, runtime, new=new, actor="remedy", now=now, proposals=proposals)
    case.remedy_incident_number = incident.incident_number
    case.remedy_last_modified = incident.last_modified
    case.remedy_status = case.remedy_pushed_status = incident.status
    case.remedy_view = view_of(incident)
    case.customer_site = incident.site
    if incident.reported_at is not None and incident.reported_at < case.received_at:
        case.received_at = incident.reported_at    # the SLA starts when the customer reported it
        refresh_deadlines(session, case=case, config=sla_config(settings.config_dir))
    lines = [f"Rapporteret i Remedy: {incident.reported_at.isoformat() if incident.reported_at else 'ukendt'}",
             f"Status i Remedy: {incident.remedy_status}", f"Prioritet i Remedy: {PRIORITY_TO_REMEDY[incident.priority]} (Sagsflow bestemmer prioriteten ved første visitation)"]
    lines += assignment
    lines += [f"Ikke importeret: {d}" for d in dropped]
    if incident.notes:
        lines += ["", incident.notes]
    remedy_work_info(session, case, "remedy_import", f"Importeret fra Remedy: {incident.incident_number}",
                     "\n".join(lines), now=now)
    for row in session.execute(select(WorkInfoRow).where(WorkInfoRow.case_id == case.id)).scalars():
        row.remedy_queued_at = now   # Remedy already knows its own incident; nothing to echo back
    session.flush()
    return case


def _acceptable(base: dict, **extra: str) -> bool:
    try:
        NewCase(**base, **extra)
    except ValidationError:
        return False
    return True


def _new_case(incident: ImportedIncident, settings: Settings) -> dict:
    return {"case_type": "service_request" if incident.service_type in SERVICE_REQUEST_TYPES else "incident",
            "summary": incident.summary, "impact": incident.impact, "urgency": incident.urgency,
            "sla_level": settings.remedy_import_sla_level,
            "customer_name": incident.customer_name or "Ukendt kunde (Remedy)"}
