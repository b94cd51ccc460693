"""Absence and redistribution (issue 13 item 6; H-R2.2 colleagues' cases, H-R1.5 the coordinator).

A person marks themselves absent from–until, a coordinator marks a member of their team. While a
period covers now, `app_user.absent` is set (refreshed when a period is recorded or ended and by every
watchdog sweep), so the absent person's cases show in *Fraværende kollegers sager*, they get no new
distributions or handovers (the form names the reason) and a coordinator can move their tasks. A
coordinator can also redistribute any case of the team to a present member (web, API, CLI), with
Work Info and a notification. Service functions: the caller commits."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import Forbidden, FormInvalid, InvalidState, NotFound
from domain.text import clean_line
from services.cases import get_case
from store.notifications import notify
from services.runtime import Runtime
from store.cases import add_work_info
from store.directory import DbDirectory
from store.models import OPEN_TASK, AbsenceRow, HumanTaskRow, MembershipRow, UserRow

LOCAL = ZoneInfo("Europe/Copenhagen")


def parse_local(text: str, *, field: str) -> datetime:
    """'2026-11-24T08:00' or '2026-11-24' in Copenhagen time → aware UTC; a clear error otherwise."""
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise FormInvalid({field: "Skriv dato og tid som 24-11-2026 08:00 (ÅÅÅÅ-MM-DDTTT:MM)."}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.astimezone(timezone.utc)


def _may_record(directory: DbDirectory, *, by_user: str, username: str) -> None:
    if by_user == username:
        return
    mine = {t for t, r in directory.memberships(by_user).items() if r == "coordinator"}
    if not mine & set(directory.memberships(username)):
        raise Forbidden("kun personen selv eller teamets koordinator kan registrere fravær")


def mark_absent(session: Session, *, username: str, by_user: str, starts_at: datetime, ends_at: datetime,
                note: str = "", now: datetime) -> AbsenceRow:
    directory = DbDirectory(session)
    user = directory.user(username)
    if user is None or not user.active:
        raise NotFound(f"ukendt bruger {username}")
    _may_record(directory, by_user=by_user, username=username)
    if ends_at <= starts_at:
        raise FormInvalid({"ends": "Slut skal ligge efter start."})
    if ends_at <= now:
        raise FormInvalid({"ends": "Fraværet er allerede slut."})
    row = AbsenceRow(username=username, starts_at=starts_at, ends_at=ends_at, note=clean_line(note)[:200],
                     recorded_by=by_user, created_at=now)
    session.add(row)
    session.flush()
    refresh_absence(session, now=now, usernames=[username])
    return row


def end_absence(session: Session, *, absence_id: int, by_user: str, now: datetime) -> None:
    row = session.get(AbsenceRow, absence_id)
    if row is None:
        raise NotFound(f"ukendt fravær {absence_id}")
    _may_record(DbDirectory(session), by_user=by_user, username=row.username)
    if row.starts_at > now:
        session.delete(row)
    else:
        row.ends_at = min(row.ends_at, now)
    session.flush()
    refresh_absence(session, now=now, usernames=[row.username])


def refresh_absence(session: Session, *, now: datetime, usernames=None) -> int:
    """Set `absent` for everyone with a recorded period: True while one covers now. Returns changes."""
    query = select(AbsenceRow.username).distinct()
    if usernames is not None:
        query = query.where(AbsenceRow.username.in_(list(usernames)))
    changed = 0
    for username in session.execute(query).scalars().all():
        covering = session.execute(select(AbsenceRow.id).where(
            AbsenceRow.username == username, AbsenceRow.starts_at <= now, AbsenceRow.ends_at > now).limit(1)).first()
        user = session.get(UserRow, username)
        if user is not None and user.absent != (covering is not None):
            user.absent, changed = covering is not None, changed + 1
    session.flush()
    return changed


def absence_until(session: Session, username: str) -> datetime | None:
    query = (select(AbsenceRow.ends_at).where(AbsenceRow.username == username)
             .order_by(AbsenceRow.ends_at.desc()).limit(1))
    return session.execute(query).scalar_one_or_none()


def absence_note(session: Session, username: str) -> str:
    """' (fraværende til 26-11-2026)' for a person picker (issue 13): why someone cannot take the case."""
    until = absence_until(session, username)
    return f" (fraværende til {until.astimezone(LOCAL):%d-%m-%Y})" if until else " (fraværende)"


def absences_for(session: Session, *, username: str) -> list[AbsenceRow]:
    """The person's own periods and those of the teams they coordinate, newest first."""
    people = {username, *team_people(session, coordinator=username)}
    query = select(AbsenceRow).where(AbsenceRow.username.in_(people)).order_by(AbsenceRow.starts_at.desc()).limit(100)
    return list(session.execute(query).scalars())


def team_people(session: Session, *, coordinator: str) -> list[str]:
    teams = [t for t, r in DbDirectory(session).memberships(coordinator).items() if r == "coordinator"]
    if not teams:
        return []
    query = select(MembershipRow.username).where(MembershipRow.team.in_(teams)).distinct().order_by(MembershipRow.username)
    return list(session.execute(query).scalars())


def reassign_case(session: Session, runtime: Runtime, *, case_number: str, to_user: str, by_user: str,
                  now: datetime) -> list[str]:
    """A coordinator gives a case of the team to a present member: the assignee, in the process data too,
    and the member tasks the previous holder had claimed. Returns the ids of the moved tasks."""
    case = get_case(session, case_number)
    directory = DbDirectory(session)
    if not case.team or not directory.is_coordinator(by_user, case.team):
        raise Forbidden("kun koordinatoren for sagens team kan omfordele sagen")
    receiver = directory.user(to_user)
    if receiver is None or not receiver.active or not directory.is_member(to_user, case.team):
        raise InvalidState(f"{to_user} er ikke et aktivt medlem af teamet {directory.team_name(case.team)}")
    if receiver.absent:
        raise InvalidState(f"{to_user} er fraværende og kan ikke få sager")
    previous = case.assignee
    if previous == to_user:
        raise InvalidState(f"sagen er allerede tildelt {to_user}")
    tasks = session.execute(select(HumanTaskRow).where(HumanTaskRow.case_id == case.id, OPEN_TASK,
                                                       HumanTaskRow.team == case.team, HumanTaskRow.role == "member")
                            ).scalars().all()
    moved = []
    for task in tasks:
        if task.claimed_by in (None, previous):
            task.claimed_by = to_user if task.claimed_by else None
            moved.append(task.id)
    case.assignee = to_user
    runtime.update_case_data(session, case=case, updates={"assignee": to_user}, actor=by_user, now=now)
    add_work_info(session, case_id=case.id, event="reassigned", work_log_type=handbook().work_log_type("reassigned"),
                  summary=f"Sagen er omfordelt fra {previous or 'ingen'} til {to_user}",
                  notes=f"Omfordelt af koordinator {by_user}", author=by_user, view_access="internal", now=now)
    notify(session, usernames=[to_user], kind="assigned", case=case, key=f"reassign-case:{now.isoformat()}",
           summary=f"Sag omfordelt til dig: {case.summary[:120]} ({case.number})", now=now)
    session.flush()
    return moved
