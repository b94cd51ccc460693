"""Who may read and work a case (issue 13 attachments and conversation; issue 9 item 7's matrix):
the service desk and administrators read every case; a team's members read the cases their team has
or had (a task of the case was ever in the team); working a case (writing to the customer, notes,
attachments, accepting mails) is for the service desk and the case's current team."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import Forbidden
from store.models import CaseRow, HumanTaskRow, MembershipRow, UserRow

SERVICE_DESK = "service_desk"


def _teams(session: Session, username: str) -> dict[str, str] | None:
    user = session.get(UserRow, username)
    if user is None or not user.active:
        return None
    rows = session.execute(select(MembershipRow.team, MembershipRow.role).where(MembershipRow.username == username))
    return {team: role for team, role in rows}


def may_read(session: Session, *, username: str, case: CaseRow) -> bool:
    teams = _teams(session, username)
    if teams is None:
        return False
    user = session.get(UserRow, username)
    if "admin" in (user.roles or []) or SERVICE_DESK in teams or case.team in teams:
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
