"""Who may read and work a case (issue 13 attachments and conversation; issue 9 item 7's matrix):
the service desk and administrators read every case; a team's members read the cases their team has
or had (a task of the case was ever in the team); working a case (writing to the customer, notes,
attachments, accepting mails) is for the service desk and the case's current team."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import Forbidden, NotFound
from store.cases import case_by_number
from store.directory import person
from store.models import CaseRow, HumanTaskRow

SERVICE_DESK = "service_desk"


def _teams(session: Session, username: str) -> dict[str, str] | None:
    user = person(session, username)
    return None if user is None or not user.active else user.teams


def _is_admin(session: Session, username: str) -> bool:
    user = person(session, username)
    return user is not None and "admin" in user.roles


def may_read(session: Session, *, username: str, case: CaseRow) -> bool:
    teams = _teams(session, username)
    if teams is None:
        return False
    if _is_admin(session, username) or SERVICE_DESK in teams or case.team in teams:
        return True
    if not teams:
        return False
    query = select(HumanTaskRow.id).where(HumanTaskRow.case_id == case.id, HumanTaskRow.team.in_(teams)).limit(1)
    return session.execute(query).first() is not None


def may_work(session: Session, *, username: str, case: CaseRow) -> bool:
    teams = _teams(session, username) or {}
    return SERVICE_DESK in teams or (case.team is not None and case.team in teams)


def require_read(session: Session, *, username: str, case: CaseRow) -> None:
    if not may_read(session, username=username, case=case):
        raise Forbidden("du har ikke adgang til denne sag")


def require_work(session: Session, *, username: str, case: CaseRow) -> None:
    if not may_work(session, username=username, case=case):
        raise Forbidden("kun sagens team og servicedesken kan handle på sagen")


# --- issue 9 item 7: registration and task scope (SECURITY.md "Read and write scope") -----------
SYSTEM_ACTORS = frozenset({"system", "remedy", "mail", "release"})   # Sagsflow's own processes, not people


def may_register(session: Session, *, username: str, teams: frozenset[str] | set[str]) -> bool:
    """Registering a case is for members of the registration teams (default: the service desk)."""
    if username in SYSTEM_ACTORS:
        return True
    return bool(set(_teams(session, username) or {}) & set(teams))


def require_register(session: Session, *, username: str, teams: frozenset[str] | set[str]) -> None:
    if not may_register(session, username=username, teams=teams):
        raise Forbidden("kun servicedesken kan registrere sager")


def readable_teams(session: Session, *, username: str) -> set[str] | None:
    """The teams whose task lists the user may read; None means every team (service desk, admin)."""
    teams = _teams(session, username)
    if teams is None:
        return set()
    if _is_admin(session, username) or SERVICE_DESK in teams:
        return None
    return set(teams)


def require_team_read(session: Session, *, username: str, team: str) -> None:
    allowed = readable_teams(session, username=username)
    if allowed is not None and team not in allowed:
        raise Forbidden("du kan kun se dit eget teams opgaver")


def case_for_reader(session: Session, *, number: str, username: str) -> CaseRow:
    """The case, if the user may read it (unknown → NotFound; not theirs → Forbidden)."""
    case = case_by_number(session, number)
    if case is None:
        raise NotFound(f"ukendt sag {number}")
    require_read(session, username=username, case=case)
    return case


def require_task_read(session: Session, *, username: str, task_id: str) -> None:
    task = session.get(HumanTaskRow, task_id)
    if task is None:
        raise NotFound(f"ukendt opgave {task_id}")
    case = session.get(CaseRow, task.case_id)
    require_read(session, username=username, case=case)
