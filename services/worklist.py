"""The worklist (H-R2.2): my tasks, my teams' tasks, unassigned tasks and the cases of absent
colleagues, sorted by the nearest SLA deadline (H-S) with the state of that clock; filters and
search; and the coordinator's reassignment of an absent colleague's task, which writes Work Info
(H-R1.1, H-R2.2)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case as sql_case, func, or_, select
from sqlalchemy.orm import Session, defer

from config.handbook import handbook
from domain.errors import Forbidden, FormInvalid, InvalidState, NotFound
from domain.form_conditions import show_if_tree
from domain.forms import FormSpec
from services.case_context import CaseContext, build_context, diagram_facts
from store.notifications import notify
from services.people import people_choices
from services.runtime import Runtime
from store.cases import add_work_info
from store.directory import DbDirectory
from services.case_access import require_read, require_work
from store.models import CaseRow, HumanTaskRow, MembershipRow, UserRow
from store.process import instance_for_case

VIEWS = ("mine", "team", "unassigned", "absent")
HAS_SLA = hasattr(CaseRow, "reaction_due")


@dataclass(frozen=True)
class SlaClock:
    """The deadline that matters now: reaction before work starts, resolution afterwards."""

    target: str | None          # reaction | resolution | None
    due_at: datetime | None
    warn_at: datetime | None
    state: str                  # none | ok | warning | breach | paused | met | missed (finished cases)
    seconds_left: int | None


@dataclass(frozen=True)
class WorklistItem:
    task_id: str
    task_name: str
    bpmn_id: str
    role: str
    team: str | None
    claimed_by: str | None
    created_at: datetime
    case_number: str
    summary: str
    case_type: str
    priority: str | None
    status: str
    assignee: str | None
    sla: SlaClock
    remedy_number: str | None = None     # the linked Remedy incident, shown beside ours (issue 14)


def sla_clock(case: CaseRow, *, now: datetime) -> SlaClock:
    if not HAS_SLA:
        return SlaClock(None, None, None, "none", None)
    if case.started_at is None:
        target, due, warn = "reaction", case.reaction_due, case.reaction_warn_at
    else:
        target, due, warn = "resolution", case.resolution_due, case.resolution_warn_at
    if case.closed_at is not None or case.resolved_at is not None:
        done = case.resolved_at or case.closed_at
        if case.started_at is not None and case.resolution_due is not None and done is not None:
            return SlaClock("resolution", case.resolution_due, None,
                            "met" if done <= case.resolution_due else "missed", None)
        return SlaClock(None, None, None, "none", None)
    if target == "resolution" and case.sla_paused:
        return SlaClock(target, None, None, "paused", None)
    if due is None:
        return SlaClock(target, None, None, "none", None)
    left = int((due - now).total_seconds())
    state = "breach" if left <= 0 else "warning" if warn is not None and now >= warn else "ok"
    return SlaClock(target, due, warn, state, left)


def worklist(session: Session, *, username: str, view: str, now: datetime, priority: str | None = None,
             status: str | None = None, team: str | None = None, search: str | None = None,
             limit: int = 200) -> list[WorklistItem]:
    """Open tasks of one view for `username`, nearest deadline first (no deadline last)."""
    query = _view_query(session, username=username, view=view, priority=priority, status=status, team=team,
                        search=search)
    order = [HumanTaskRow.sla_due_at]   # NO_DEADLINE sorts last, so the index gives the order
    # the task's form and the case's JSON columns are not shown in a list: never loaded or decoded here
    query = (query.options(defer(HumanTaskRow.form), defer(CaseRow.remedy_view))
             .order_by(*order, HumanTaskRow.created_at, HumanTaskRow.id).limit(limit))
    return [_item(task, case, now) for task, case in session.execute(query).all()]


def _view_query(session: Session, *, username: str, view: str, priority: str | None, status: str | None,
                team: str | None, search: str | None):
    if view not in VIEWS:
        raise InvalidState(f"unknown worklist view {view!r}; choose one of {', '.join(VIEWS)}")
    memberships = DbDirectory(session).memberships(username)
    coordinated = [t for t, r in memberships.items() if r == "coordinator"]
    # a task is visible to members of its team; coordinator tasks only to that team's coordinators
    visible = and_(HumanTaskRow.role == "member", HumanTaskRow.team.in_(list(memberships) or [""]))
    if coordinated:   # without an OR for non-coordinators, so the index delivers rows in deadline order
        visible = or_(visible, and_(HumanTaskRow.role == "coordinator", HumanTaskRow.team.in_(coordinated)))
    query = (select(HumanTaskRow, CaseRow).join(CaseRow, CaseRow.id == HumanTaskRow.case_id)
             .where(HumanTaskRow.status == "open"))
    if view == "mine":
        query = query.where(or_(HumanTaskRow.claimed_by == username,
                                and_(visible, HumanTaskRow.claimed_by.is_(None), CaseRow.assignee == username,
                                     HumanTaskRow.role == "member")))
    elif view == "team":
        query = query.where(visible)
    elif view == "unassigned":
        query = query.where(visible, HumanTaskRow.claimed_by.is_(None),
                            or_(CaseRow.assignee.is_(None), HumanTaskRow.role == "coordinator"))
    else:
        absent = select(UserRow.username).where(UserRow.absent.is_(True))
        query = query.where(visible, or_(HumanTaskRow.claimed_by.in_(absent),
                                         and_(HumanTaskRow.claimed_by.is_(None), CaseRow.assignee.in_(absent))))
    if priority:
        query = query.where(CaseRow.priority == priority)
    if status:
        query = query.where(CaseRow.status == status)
    if team:
        query = query.where(HumanTaskRow.team == team)
    if search and search.strip():
        term = search.strip().lower()[:100]
        query = query.where(or_(CaseRow.number.contains(term.upper(), autoescape=True),
                                CaseRow.summary.ilike(f"%{_escape_like(term)}%", escape="\\")))
    return query


def view_counts(session: Session, *, username: str, now: datetime) -> dict[str, int]:
    """How many tasks each view holds (counted in SQL, at most 500 each)."""
    counts = {}
    for view in VIEWS:
        query = _view_query(session, username=username, view=view, priority=None, status=None, team=None,
                            search=None).with_only_columns(HumanTaskRow.id).limit(500)
        counts[view] = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    return counts


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _item(task: HumanTaskRow, case: CaseRow, now: datetime) -> WorklistItem:
    return WorklistItem(task_id=task.id, task_name=task.name, bpmn_id=task.bpmn_id, role=task.role,
                        team=task.team, claimed_by=task.claimed_by, created_at=task.created_at,
                        case_number=case.number or "", summary=case.summary, case_type=case.case_type,
                        priority=case.priority, status=case.status, assignee=case.assignee,
                        sla=sla_clock(case, now=now), remedy_number=case.remedy_incident_number)


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



@dataclass(frozen=True)
class TaskForm:
    """An open task with its form and the values to show: prefilled from the case data (H-V1)."""

    task: HumanTaskRow
    case: CaseRow
    form: FormSpec
    values: dict
    context: CaseContext | None = None   # the case beside the form (issue 12)
    conditions: dict | None = None       # field id -> show_if as a JSON tree for the browser
    pickers: dict | None = None          # field id -> people to choose from (team_member fields)


def task_form(session: Session, runtime: Runtime, *, task_id: str, reader: str | None = None) -> TaskForm:
    """A task with its form and case; with `reader`, only if that person may read the case."""
    task = session.get(HumanTaskRow, task_id)
    if task is None:
        raise NotFound(f"unknown task {task_id}")
    case = session.get(CaseRow, task.case_id)
    if reader is not None:
        require_read(session, username=reader, case=case)
    form = FormSpec.model_validate(task.form)
    values: dict = {}
    data: dict = {}
    instance = instance_for_case(session, case.id)
    bundle = runtime.bundle(session, instance.definition_id)
    if task.status == "open":
        data = runtime.engine.task_view(runtime.engine.load(bundle, instance.state), bundle, task_id).data
    for f in form.fields:
        values[f.id] = f.starting_value(data)   # prefill, else prefill_from (e.g. Remedy's assignment)
    context = build_context(session, case=case, bpmn_id=task.bpmn_id, data=data,
                            facts=diagram_facts(bundle.content_hash, bundle.sources))
    types = {f.id: f.type for f in form.fields}
    conditions = {f.id: tree for f in form.fields if f.show_if
                  for tree in [show_if_tree(f.show_if, types, data)] if tree is not None}
    return TaskForm(task, case, form, values, context, conditions, people_choices(session, form, data))


def add_case_note(session: Session, *, number: str, username: str, summary: str, notes: str,
                  now: datetime) -> None:
    """A person's own Work Info entry on a case (H-R1.1); any active team member may write one."""
    case = session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"unknown case {number}")
    require_work(session, username=username, case=case)   # the service desk and the case's current team
    summary, notes = summary.strip(), notes.strip()
    if not 3 <= len(summary) <= 300:
        raise FormInvalid({"summary": "Overskriften skal være 3-300 tegn."})
    if len(notes) > 20000:
        raise FormInvalid({"notes": "Teksten må højst være 20.000 tegn."})
    add_work_info(session, case_id=case.id, event="note", work_log_type=handbook().work_log_type("note"),
                  summary=summary, notes=notes, author=username, view_access="internal", now=now)


def present_members(session: Session, *, team: str) -> list[str]:
    """Active, present members of a team: who can take over an absent colleague's task."""
    query = (select(UserRow.username).join(MembershipRow, MembershipRow.username == UserRow.username)
             .where(MembershipRow.team == team, UserRow.absent.is_(False), UserRow.active.is_(True))
             .order_by(UserRow.username))
    return list(session.execute(query).scalars())
