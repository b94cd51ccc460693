"""Changes made in Remedy applied to the linked case (H-R1.1; issue 14; owners in docs/remedy.md).

Remedy owns the summary (Description), the notes (Detailed Decription), impact and urgency and the
customer's contact details: a change there overwrites the case and is recorded as Work Info (old →
new). New impact/urgency re-prioritise the case through ``services.reprioritise`` (the diagram's
DMN decides; deadlines, on-call and the next personal handover follow). Sagsflow owns the assignment
once the case has a team: a Remedy-side change of group or assignee is recorded, and an
assignee who maps (``remedy.mapping.user_logins``) to a member of the case's team takes over the
case's open work, as a coordinator's reassignment does; before that (in triage) Remedy's assignment
changes what triage and distribution propose (:func:`proposed_assignment`). Status: *Pending* pauses the SLA clock
(H-R1.4 pause), leaving it resumes; *Resolved*, *Closed* and *Cancelled* are delivered to the
process as the message ``remedy_finished``, whose event subprocess in the diagram records the
outcome and ends the case — never by writing around the process. Our own pushes coming back
(Last Modified By = the integration user) only move the case's view of Remedy.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from config.settings import Settings
from connectors.remedy.incoming import ImportedIncident
from domain.errors import InvalidState
from services.reprioritise import apply_priority
from services.runtime import Runtime
from store.cases import add_work_info
from store.directory import DbDirectory
from store.models import CaseRow, TeamRow, WorkInfoRow
from store.process import instance_for_case
from store.sla import close_pause, open_pause

ACTOR = "remedy"
FINISHING = ("resolved", "closed", "cancelled")


def view_of(incident: ImportedIncident) -> dict:
    """The Remedy-side facts Sagsflow remembers to notice later changes."""
    return {"group": incident.assigned_group, "assignee": incident.assignee_login,
            "notes": _digest(incident.notes), "priority": incident.priority}


def _digest(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] if text else None


def remedy_work_info(session: Session, case: CaseRow, event: str, summary: str, notes: str, *,
                     now: datetime) -> None:
    add_work_info(session, case_id=case.id, event=event, work_log_type=handbook().work_log_type(event),
                  summary=summary, notes=notes, author=ACTOR, view_access="internal", now=now,
                  remedy_queued_at=now)   # came from Remedy: not pushed back


def apply_remedy_change(session: Session, runtime: Runtime, case: CaseRow, incident: ImportedIncident, *,
                        settings: Settings, now: datetime) -> bool:
    """Apply one changed incident to its case; False when there was nothing new."""
    if case.remedy_last_modified is not None and incident.last_modified <= case.remedy_last_modified:
        return False
    case.remedy_last_modified = incident.last_modified
    if incident.last_modified_by and incident.last_modified_by == settings.remedy.username:
        case.remedy_status = incident.status      # our own push, read back
        case.remedy_view = view_of(incident)
        return False
    lines, data = _fields(case, incident), {}
    if (incident.impact, incident.urgency) != (case.impact, case.urgency):
        lines.append(f"Påvirkning/hastende: {case.impact}/{case.urgency} → {incident.impact}/{incident.urgency}")
        _reprioritise(session, runtime, case, incident, now=now)
    if incident.summary != case.summary:
        data["summary"] = incident.summary
    data.update(_assignment(session, case, incident, settings=settings, lines=lines))
    case.remedy_view = view_of(incident)
    if lines:
        remedy_work_info(session, case, "remedy_update", f"Ændret i Remedy: {incident.incident_number}",
                         "\n".join(lines), now=now)
    if data:
        runtime.update_case_data(session, case=case, updates=data, actor=ACTOR, now=now)
    _status(session, runtime, case, incident, now=now)
    return True


def _reprioritise(session: Session, runtime: Runtime, case: CaseRow, incident: ImportedIncident, *,
                  now: datetime) -> None:
    """Through the re-prioritising service: the DMN decides, deadlines and on-call follow."""
    instance = instance_for_case(session, case.id)
    if instance is None or instance.status != "running":
        case.impact, case.urgency = incident.impact, incident.urgency
        return
    apply_priority(session, runtime, case=case, actor=ACTOR, impact=incident.impact, urgency=incident.urgency,
                   reason=f"Ændret i Remedy ({incident.incident_number})", now=now)
    for row in session.execute(select(WorkInfoRow).where(WorkInfoRow.case_id == case.id, WorkInfoRow.author == ACTOR,
                                                         WorkInfoRow.remedy_queued_at.is_(None))).scalars():
        row.remedy_queued_at = now   # came from Remedy: not echoed back


def _fields(case: CaseRow, incident: ImportedIncident) -> list[str]:
    lines = []
    if incident.summary != case.summary:
        lines.append(f"Resumé: {case.summary} → {incident.summary}")
        case.summary = incident.summary
    if _digest(incident.notes) != (case.remedy_view or {}).get("notes") and incident.notes:
        lines.append(f"Noter i Remedy:\n{incident.notes}")
    contacts = (("customer_name", incident.customer_name, "Kunde"),
                ("customer_email", incident.customer_email, "Kundens e-mail"),
                ("customer_phone", incident.customer_phone, "Kundens telefon"),
                ("customer_site", incident.site, "Lokation"))
    for column, value, label in contacts:
        if value and value != getattr(case, column):
            lines.append(f"{label}: {getattr(case, column) or '-'} → {value}")
            setattr(case, column, value)
    return lines


def proposed_assignment(session: Session, incident: ImportedIncident, *, settings: Settings) -> tuple[dict, list[str]]:
    """Remedy's Assigned Group and Assignee as proposals to the process, with Work Info lines saying
    what became of them. A group mapped (``remedy.mapping.team_groups``) to a Sagsflow team other than
    the registering service desk proposes that team in triage (*Vælg team*, ``remedy_team``); an
    assignee mapped (``user_logins``) to an active, present member of that team proposes the technician
    at distribution (*Fordel sagen*, ``remedy_assignee``) while triage keeps that team. People decide."""
    group, login = incident.assigned_group, incident.assignee_login
    if not group and not login:
        return {}, []
    mapping, directory, proposals = settings.remedy.mapping, DbDirectory(session), {}
    lines = [f"Tildelt i Remedy: {group or '-'} / {login or '-'}"]
    team = mapping.team_for_group(group)
    if group and team is None:
        lines.append(f"Remedy-gruppen {group} er ikke knyttet til et Sagsflow-team; teamet vælges i triagen.")
    elif team in settings.registration_teams:
        lines.append(f"Remedy-gruppen {group} er {directory.team_name(team)}, der visiterer sagen; intet team foreslås.")
        team = None
    elif team is not None and session.get(TeamRow, team) is None:
        lines.append(f"Remedy-gruppen {group} er knyttet til teamet {team}, som ikke findes i Sagsflow.")
        team = None
    elif team is not None:
        proposals["remedy_team"] = team
        lines.append(f"Team foreslået i triagen: {directory.team_name(team)}")
    user = mapping.user_for_login(login)
    person = directory.user(user) if user else None
    if not login:
        pass
    elif user is None:
        lines.append(f"Remedy-brugeren {login} er ikke knyttet til en Sagsflow-bruger; teknikeren vælges ved fordelingen.")
    elif team is None:
        lines.append(f"{user} foreslås ikke som tekniker: der er intet foreslået team.")
    elif person is None or not person.active or not directory.is_member(user, team):
        lines.append(f"{user} foreslås ikke som tekniker: ikke aktivt medlem af {directory.team_name(team)}.")
    elif person.absent:
        lines.append(f"{user} foreslås ikke som tekniker: fraværende.")
    else:
        proposals["remedy_assignee"] = user
        lines.append(f"Tekniker foreslået ved fordelingen: {user} ({person.display_name})")
    return proposals, lines


def _assignment(session: Session, case: CaseRow, incident: ImportedIncident, *, settings: Settings,
                lines: list[str]) -> dict:
    seen = case.remedy_view or {}
    if (incident.assigned_group, incident.assignee_login) == (seen.get("group"), seen.get("assignee")):
        return {}
    lines.append(f"Tildelt i Remedy: {incident.assigned_group or '-'} / {incident.assignee_login or '-'}")
    if not case.team:   # still in triage: Remedy's assignment changes what the forms propose
        proposals, said = proposed_assignment(session, incident, settings=settings)
        lines.extend(said[1:])
        return {"remedy_team": proposals.get("remedy_team"), "remedy_assignee": proposals.get("remedy_assignee")}
    user = settings.remedy.mapping.user_for_login(incident.assignee_login)
    if user and case.team and user != case.assignee and DbDirectory(session).is_member(user, case.team):
        lines.append(f"Sagen overtages af {user}")
        return {"assignee": user}
    return {}


def _status(session: Session, runtime: Runtime, case: CaseRow, incident: ImportedIncident, *,
            now: datetime) -> None:
    previous, status = case.remedy_status, incident.status
    case.remedy_status = case.remedy_pushed_status = status
    if status == previous:
        return
    reason = f" ({incident.status_reason})" if incident.status_reason else ""
    if status == "pending":
        open_pause(session, case_id=case.id, now=now)
        remedy_work_info(session, case, "remedy_update", f"Afventer i Remedy{reason}",
                         "SLA-uret er sat på pause, mens sagen afventer i Remedy.", now=now)
    elif previous == "pending":
        close_pause(session, case_id=case.id, now=now)
        remedy_work_info(session, case, "remedy_update", f"Status ændret i Remedy: {incident.remedy_status}",
                         "SLA-uret kører igen.", now=now)
    if status in FINISHING:
        _finish(session, runtime, case, incident, now=now)
    elif status != "pending" and previous != "pending":
        remedy_work_info(session, case, "remedy_update", f"Status ændret i Remedy: {incident.remedy_status}{reason}",
                         "", now=now)


def _finish(session: Session, runtime: Runtime, case: CaseRow, incident: ImportedIncident, *, now: datetime) -> None:
    instance = instance_for_case(session, case.id, lock=True)
    if instance is None or instance.status != "running":
        remedy_work_info(session, case, "remedy_update", f"Status ændret i Remedy: {incident.remedy_status}",
                         "Sagen var allerede afsluttet i Sagsflow.", now=now)
        return
    # private specs: starting the event subprocess leaves state on its spec (SpiffWorkflow)
    workflow = runtime.engine.load(runtime.bundle(session, instance.definition_id), instance.state,
                                   private_specs=True)
    payload = {"status": incident.status, "remedy_status": incident.remedy_status,
               "reason": incident.status_reason or "", "incident_number": incident.incident_number}
    try:
        runtime.engine.send_message(workflow, "remedy_finished", payload, now=now)
    except InvalidState:
        remedy_work_info(session, case, "remedy_update", f"Status ændret i Remedy: {incident.remedy_status}",
                         "Processen kunne ikke modtage ændringen; sagen skal afsluttes i Sagsflow.", now=now)
        return
    runtime.advance(session, instance=instance, case=case, workflow=workflow, actor=ACTOR, now=now)
