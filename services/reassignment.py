"""A coordinator's reassignment of an absent colleague's task (H-R2.2): who is absent, who can take
over, and the move itself with its Work Info (H-R1.1) and a notification to the new holder."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import Forbidden, InvalidState, NotFound
from services.runtime import Runtime
from store.cases import add_work_info
from store.directory import DbDirectory
from store.models import CaseRow, HumanTaskRow, MembershipRow, UserRow
from store.notifications import notify


def absent_colleagues(session: Session, *, username: str) -> list[UserRow]:
    """Absent members of the teams `username` coordinates (H-R2.2)."""
    teams = [t for t, r in DbDirectory(session).memberships(username).items() if r == "coordinator"]
    if not teams:
        return []
    members = select(MembershipRow.username).where(MembershipRow.team.in_(teams))
    query = select(UserRow).where(UserRow.username.in_(members), UserRow.absent.is_(True)).order_by(UserRow.username)
    return list(session.execute(query).scalars())


def reassign_task(session: Session, *, task_id: str, to_user: str, by_user: str, now: datetime,
                  runtime: Runtime | None = None) -> HumanTaskRow:
    """A coordinator moves an absent colleague's open task to a present member of the team (H-R2.2)."""
    task = session.get(HumanTaskRow, task_id)
    if task is None:
        raise NotFound(f"unknown task {task_id}")
    if task.status != "open":
        raise InvalidState(f"task {task_id} is already {task.status}")
    directory = DbDirectory(session)
    if not directory.is_coordinator(by_user, task.team or ""):
        raise Forbidden(f"{by_user} is not coordinator of team {task.team}; only the coordinator may reassign")
    case = session.get(CaseRow, task.case_id)
    holder = task.claimed_by or (case.assignee if task.role == "member" else None)
    holder_row = directory.user(holder) if holder else None
    if holder_row is None or not holder_row.absent:
        raise InvalidState("only tasks of an absent colleague can be reassigned; claim or distribute it instead")
    receiver = directory.user(to_user)
    if receiver is None or not receiver.active or receiver.absent:
        raise InvalidState(f"{to_user} is unknown, inactive or absent")
    needed_coordinator = task.role == "coordinator"
    if not directory.is_member(to_user, task.team or "") or (
            needed_coordinator and not directory.is_coordinator(to_user, task.team or "")):
        raise InvalidState(f"{to_user} may not do {task.name!r} in team {task.team}")
    task.claimed_by = to_user
    if case.assignee == holder:
        case.assignee = to_user
        if runtime is not None:   # the process data too, or the next step would put the old name back
            runtime.update_case_data(session, case=case, updates={"assignee": to_user}, actor=by_user, now=now)
    book = handbook()
    add_work_info(session, case_id=case.id, event="reassigned", work_log_type=book.work_log_type("reassigned"),
                  summary=f"Opgaven '{task.name}' er flyttet fra {holder} (fraværende) til {to_user}",
                  notes=f"Flyttet af koordinator {by_user}", author=by_user, view_access="internal", now=now)
    notify(session, usernames=[to_user], kind="assigned", case=case, key=f"reassign:{task.id}:{now.isoformat()}",
           summary=f"Opgave flyttet til dig: {task.name} ({case.number})", now=now)   # issue 13
    session.flush()
    return task


def present_members(session: Session, *, team: str) -> list[str]:
    """Active, present members of a team: who can take over an absent colleague's task."""
    query = (select(UserRow.username).join(MembershipRow, MembershipRow.username == UserRow.username)
             .where(MembershipRow.team == team, UserRow.absent.is_(False), UserRow.active.is_(True))
             .order_by(UserRow.username))
    return list(session.execute(query).scalars())
