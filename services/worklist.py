"""The worklist (H-R2.2): my tasks, my teams' tasks, unassigned tasks and the cases of absent
colleagues, sorted by the nearest SLA deadline (H-S) with the state of that clock (services/sla_clock.py);
filters and search, and the count per view. The reassignment of an absent colleague's task is in
services/reassignment.py, a task's page in services/task_form.py."""
from __future__ import annotations

import heapq
from datetime import datetime, timezone
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from sqlalchemy import String, and_, case as sql_case, func, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables

from domain.errors import InvalidState
from services.sla_clock import HAS_SLA, SlaClock, clock as _clock
from store.directory import DbDirectory
from store.models import OPEN_TASK, CaseRow, HumanTaskRow, UserRow, as_utc

VIEWS = ("mine", "team", "unassigned", "absent")


class WorklistItem(NamedTuple):
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


# what a worklist row shows: plain columns, no ORM entities, the SLA clock's inputs chosen in SQL (issue 15:
# 200 rows of 100,000 cheaply); read by position in _item. The datetimes are read as the driver delivers
# them (SQLite: integer microseconds, PostgreSQL: aware datetimes) and made aware UTC by store.models.as_utc:
# the column type's own conversion, value by value, cost more than the query for 200 rows.
def _as_delivered(column):
    return type_coerce(column, String())


_NOT_STARTED = CaseRow.started_at.is_(None)
_COLUMNS = (HumanTaskRow.id, HumanTaskRow.name, HumanTaskRow.bpmn_id, HumanTaskRow.role, HumanTaskRow.team,
            HumanTaskRow.claimed_by, _as_delivered(HumanTaskRow.created_at), _as_delivered(HumanTaskRow.sla_due_at),
            CaseRow.number, CaseRow.summary, CaseRow.case_type, CaseRow.priority, CaseRow.status, CaseRow.assignee,
            CaseRow.remedy_incident_number, CaseRow.started_at.is_not(None), CaseRow.sla_paused,
            _as_delivered(sql_case((_NOT_STARTED, CaseRow.reaction_due), else_=CaseRow.resolution_due)),
            _as_delivered(sql_case((_NOT_STARTED, CaseRow.reaction_warn_at), else_=CaseRow.resolution_warn_at)),
            _as_delivered(func.coalesce(CaseRow.resolved_at, CaseRow.closed_at)))
_ORDER = (HumanTaskRow.sla_due_at, HumanTaskRow.created_at, HumanTaskRow.id)   # NO_DEADLINE sorts last
_LAST = datetime.max.replace(tzinfo=timezone.utc)
_MANY_CASES = 2000
_NO_CLOCK = SlaClock(None, None, None, "none", None)
_COUNT_CAP = 500


def worklist(session: Session, *, username: str, view: str, now: datetime, priority: str | None = None,
             status: str | None = None, team: str | None = None, search: str | None = None,
             limit: int = 200, memberships: dict[str, str] | None = None) -> list[WorklistItem]:
    """Open tasks of one view for `username`, nearest deadline first (no deadline last). `memberships`
    (team -> role): the user's, when the caller has just read them (the web's Principal); else read here.

    A view is one or two conditions that an index each delivers in deadline order (never an OR
    across them, which would read every open task); each part gives its first `limit` rows and
    the parts are merged."""
    rows = _rows(session, username=username, view=view, priority=priority, status=status, team=team, search=search,
                 limit=limit, memberships=memberships)
    return [_item(row, now) for row in rows]


def worklist_documents(session: Session, *, username: str, view: str, now: datetime, limit: int = 200,
                       memberships: dict[str, str] | None = None) -> list[dict]:
    """One view as the REST API shows it (GET /api/tasks?view=…): the same rows as worklist(), shaped
    straight from the query's rows into plain dictionaries (issue 15: no item objects between)."""
    return [_document(row, now) for row in _rows(session, username=username, view=view, priority=None, status=None,
                                                  team=None, search=None, limit=limit, memberships=memberships)]


def _rows(session: Session, *, username: str, view: str, priority: str | None, status: str | None, team: str | None,
          search: str | None, limit: int, memberships: dict[str, str] | None):
    shape = _view_shape(session, username=username, view=view, priority=priority, status=status, team=team,
                        search=search, memberships=memberships)
    statements = _row_statements(shape, limit)
    connection = _connection(session) if statements else None
    parts = [connection.execute(statement).all() for statement in statements]
    rows = parts[0] if len(parts) == 1 else heapq.merge(*parts, key=_order_key)   # [] when no part
    return islice(rows, limit)


def _connection(session: Session):
    """The session's connection, after the autoflush session.execute would do: the view's statements run
    as Core statements, without the ORM's result processing (plain columns only)."""
    if session.autoflush:
        session.flush()
    return session.connection()


def _order_key(row) -> tuple:
    return (as_utc(row[7]) or _LAST, as_utc(row[6]), row[0])   # sla_due_at, created_at, id: as _ORDER


def _view_shape(session: Session, *, username: str, view: str, priority: str | None, status: str | None,
                team: str | None, search: str | None, memberships: dict[str, str] | None = None) -> tuple:
    """Everything a view's conditions depend on, read from the database where needed (absent people, the
    cases assigned to someone): a hashable key, so each view's statements are built once (_conditions)."""
    if view not in VIEWS:
        raise InvalidState(f"unknown worklist view {view!r}; choose one of {', '.join(VIEWS)}")
    if memberships is None:
        memberships = DbDirectory(session).memberships(username)
    absent: tuple[str, ...] = ()
    cases: tuple[int, ...] | None = ()   # None: too many to name one by one
    if view == "mine":
        cases = _cases_of(session, CaseRow.assignee == username)
    elif view == "absent":
        absent = tuple(_connection(session).execute(select(UserRow.username).where(UserRow.absent.is_(True))
                                                    .order_by(UserRow.username)).scalars())
        cases = _cases_of(session, CaseRow.assignee.in_(absent)) if absent else ()
    term = search.strip().lower()[:100] if search and search.strip() else None
    return (view, username, tuple(sorted(memberships.items())), absent, cases, priority or None, status or None,
            team or None, term)


def _cases_of(session: Session, assignee) -> tuple[int, ...] | None:
    """The cases assigned to `assignee` (ix_case_record_assignee); None when too many to name one by one."""
    cases = _connection(session).execute(select(CaseRow.id).where(assignee).limit(_MANY_CASES + 1)).scalars().all()
    return None if len(cases) > _MANY_CASES else tuple(sorted(cases))


@lru_cache(maxsize=256)
def _row_statements(shape: tuple, limit: int) -> tuple:
    return tuple(select(*_COLUMNS).join(CaseRow, CaseRow.id == HumanTaskRow.case_id).where(condition)
                 .order_by(*_ORDER).limit(limit) for condition in _conditions(shape))


@lru_cache(maxsize=256)
def _count_statements(shape: tuple) -> tuple:
    """A capped count per part. A part that asks nothing of the case is counted without the join: every
    task has its case (foreign key), and the index alone answers (ix_human_task_worklist, _claimed)."""
    def tasks(condition):   # status: a column of both indexes, so that they cover the count
        if CaseRow.__table__ in find_tables(condition, check_columns=True):
            return select(HumanTaskRow.status).join(CaseRow, CaseRow.id == HumanTaskRow.case_id)
        return select(HumanTaskRow.status)

    return tuple(select(func.count()).select_from(tasks(condition).where(condition).limit(_COUNT_CAP).subquery())
                 for condition in _conditions(shape))


def _conditions(shape: tuple) -> tuple:
    """The view as disjoint conditions on an open task joined to its case."""
    view, username, memberships, absent, cases, priority, status, team, term = shape
    roles = dict(memberships)
    teams = sorted(roles) or [""]
    # a task is visible to members of its team; coordinator tasks only to that team's coordinators: one
    # (team, role) pair per part, so that ix_human_task_worklist delivers each part in deadline order
    shelves = [and_(HumanTaskRow.team == t, HumanTaskRow.role == "member") for t in teams] + [
        and_(HumanTaskRow.team == t, HumanTaskRow.role == "coordinator")
        for t in teams if roles.get(t) == "coordinator"]

    def on_cases_of(assignee) -> list:
        """Unclaimed tasks on the cases assigned to `assignee`: found from the case (ix_case_record_assignee,
        then ix_human_task_case_id), not by reading the team's open tasks; no part when there is no such case."""
        if cases is None:   # too many to name one by one: let the database join them
            return [HumanTaskRow.case_id.in_(select(CaseRow.id).where(assignee))]
        return [HumanTaskRow.case_id.in_(cases)] if cases else []

    unclaimed = HumanTaskRow.claimed_by.is_(None)
    if view == "mine":   # claimed by me (ix_human_task_claimed), or unclaimed on a case assigned to me
        parts = [HumanTaskRow.claimed_by == username] + [
            and_(part, unclaimed, HumanTaskRow.role == "member", HumanTaskRow.team.in_(teams))
            for part in on_cases_of(CaseRow.assignee == username)]
    elif view == "team":
        parts = shelves
    elif view == "unassigned":
        parts = [and_(shelf, unclaimed, or_(CaseRow.assignee.is_(None), HumanTaskRow.role == "coordinator"))
                 for shelf in shelves]
    else:   # absent colleagues': claimed by one of them, or unclaimed on a case assigned to one of them
        visible = or_(*shelves)
        parts = ([and_(visible, HumanTaskRow.claimed_by.in_(absent))] if absent else []) + [
            and_(visible, unclaimed, part) for part in (on_cases_of(CaseRow.assignee.in_(absent)) if absent else [])]
    filters = [OPEN_TASK]
    if priority:
        filters.append(CaseRow.priority == priority)
    if status:
        filters.append(CaseRow.status == status)
    if team:
        filters.append(HumanTaskRow.team == team)
    if term:
        filters.append(or_(CaseRow.number.contains(term.upper(), autoescape=True),
                           CaseRow.summary.ilike(f"%{_escape_like(term)}%", escape="\\")))
    return tuple(and_(*filters, part) for part in parts)   # may be empty: nothing to show


def view_counts(session: Session, *, username: str, now: datetime,
                memberships: dict[str, str] | None = None) -> dict[str, int]:
    """How many tasks each view holds (counted in SQL, at most 500 each); `memberships` as for worklist."""
    if memberships is None:
        memberships = DbDirectory(session).memberships(username)
    counts = {}
    for view in VIEWS:
        total = 0
        shape = _view_shape(session, username=username, view=view, priority=None, status=None, team=None,
                            search=None, memberships=memberships)
        for statement in _count_statements(shape):
            total += _connection(session).execute(statement).scalar_one()
            if total >= _COUNT_CAP:
                total = _COUNT_CAP
                break
        counts[view] = total
    return counts


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _item(row, now: datetime) -> WorklistItem:
    (task_id, name, bpmn_id, role, team, claimed_by, created_at, _, number, summary, case_type, priority, status,
     assignee, remedy_number, started, paused, due, warn, done) = row
    clock = _clock(bool(started), as_utc(due), as_utc(warn), as_utc(done), bool(paused), now) if HAS_SLA else _NO_CLOCK
    return WorklistItem(task_id, name, bpmn_id, role, team, claimed_by, as_utc(created_at), number or "", summary,
                        case_type, priority, status, assignee, clock, remedy_number)


def _document(row, now: datetime) -> dict:
    (task_id, name, bpmn_id, role, team, claimed_by, _, _, number, summary, _, priority, status, _, _, started, paused,
     due, warn, done) = row
    clock = _clock(bool(started), as_utc(due), as_utc(warn), as_utc(done), bool(paused), now) if HAS_SLA else _NO_CLOCK
    return {"id": task_id, "case": number or "", "name": name, "bpmn_id": bpmn_id, "team": team, "role": role,
            "assignee": claimed_by, "summary": summary, "priority": priority, "status": status,
            "sla": {"target": clock.target, "state": clock.state,
                    "due_at": clock.due_at.isoformat() if clock.due_at else None}}
