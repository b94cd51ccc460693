"""Finding a case (H-R2.2, H-R1.1): every case in every state, by text over its number, Remedy number,
summary, customer and Work Info (PostgreSQL full-text search with the Danish configuration, SQLite
FTS5 — one index entry per case and per Work Info row, see migration 0016), filtered by view (all / open / waiting),
status, team, priority, type, SLA state and period of receipt, sorted and paged.

*Waiting* means the case waits for the customer: status `waiting_for_customer`, or its process
waits on a timer (the next contact attempt before closure, H-R1.3)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import Integer, and_, case as sql_case, column, exists, func, not_, or_, select, text
from sqlalchemy.orm import Session

from config.handbook import handbook
from services.sla import FINISHED_STATUSES
from store.cases import format_case_number
from services.sla_clock import SlaClock, sla_clock
from store.models import CaseRow, ProcessInstanceRow, SlaEventRow, WaitingTimerRow

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
CLOSED_STATUSES = ("closed", "rejected", "routed")
PRIORITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
SORTS = ("-received", "received", "due", "priority", "number")
COUNT_CAP = 1000
WORK_INFO_CASES = 1000   # a word in the Work Info of at most this many cases is looked up by their ids
_WORD = re.compile(r"[^\W_]+", re.UNICODE)   # a run of letters and digits: one token of the index
_HEAD_COLUMNS = "number, remedy_incident_number, summary, customer_name, customer_email, customer_phone"
_NUMBER = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*-?\d+")


class CaseFilters(BaseModel):
    """What the case list asks for; every field optional (an empty filter lists every case)."""

    q: str | None = Field(default=None, max_length=200)
    view: Literal["all", "open", "waiting"] = "all"
    status: str | None = Field(default=None, max_length=30)
    team: str | None = Field(default=None, max_length=64)
    priority: Literal["critical", "high", "medium", "low"] | None = None
    case_type: Literal["incident", "service_request", "change"] | None = None
    sla: Literal["ok", "warning", "breach", "paused"] | None = None
    received_from: date | None = None
    received_to: date | None = None
    sort: Literal["-received", "received", "due", "priority", "number"] = "-received"
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=25, ge=1, le=100)


@dataclass(frozen=True)
class CaseHit:
    number: str
    summary: str
    case_type: str
    status: str
    priority: str | None
    team: str | None
    assignee: str | None
    customer_name: str
    received_at: datetime
    closed_at: datetime | None
    waiting: bool
    sla: SlaClock
    remedy_number: str | None = None     # the linked Remedy incident, shown beside ours (issue 14)


@dataclass(frozen=True)
class CasePage:
    items: list[CaseHit]
    total: int           # at most COUNT_CAP + 1: then `more` is true
    page: int
    page_size: int

    @property
    def more(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def pages(self) -> int:
        """Pages known so far (with `more`, at least one page beyond the current one)."""
        known = max(1, -(-self.total // self.page_size))
        return max(known, self.page + 1) if self.more else known


def search_cases(session: Session, filters: CaseFilters, *, now: datetime) -> CasePage:
    conditions = _conditions(session, filters, now)
    # counted up to COUNT_CAP (a broad search says "more than 1,000", as a desk needs to know)
    capped = select(CaseRow.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = session.execute(select(func.count()).select_from(capped)).scalar_one()
    query = (select(CaseRow, _waiting().label("waiting")).where(*conditions).order_by(*_order(filters.sort))
             .offset((filters.page - 1) * filters.page_size).limit(filters.page_size))
    items = [CaseHit(number=c.number or "", summary=c.summary, case_type=c.case_type, status=c.status,
                     priority=c.priority, team=c.team, assignee=c.assignee, customer_name=c.customer_name,
                     received_at=c.received_at, closed_at=c.closed_at, waiting=bool(waiting),
                     sla=sla_clock(c, now=now), remedy_number=c.remedy_incident_number)
             for c, waiting in session.execute(query).all()]
    return CasePage(items=items, total=total, page=filters.page, page_size=filters.page_size)


def hit_document(hit: CaseHit) -> dict:
    """One case of `GET /api/cases` and `sagsflow case search --json` (times ISO 8601, UTC)."""
    return {"number": hit.number, "remedy_number": hit.remedy_number, "summary": hit.summary, "type": hit.case_type, "status": hit.status,
            "priority": hit.priority, "team": hit.team, "assignee": hit.assignee, "customer": hit.customer_name,
            "received_at": hit.received_at.isoformat(), "closed_at": hit.closed_at.isoformat() if hit.closed_at else None,
            "waiting": hit.waiting,
            "sla": {"target": hit.sla.target, "state": hit.sla.state,
                    "due_at": hit.sla.due_at.isoformat() if hit.sla.due_at else None}}


# ---------------------------------------------------------------- query parts
def _waiting():
    timers = (select(WaitingTimerRow.id).join(ProcessInstanceRow, ProcessInstanceRow.id == WaitingTimerRow.instance_id)
              .where(ProcessInstanceRow.case_id == CaseRow.id))
    return or_(CaseRow.status == "waiting_for_customer", exists(timers))


def _conditions(session: Session, f: CaseFilters, now: datetime) -> list:
    conditions = []
    if f.view == "open":
        conditions.append(CaseRow.status.not_in(CLOSED_STATUSES))
    elif f.view == "waiting":
        conditions += [CaseRow.status.not_in(CLOSED_STATUSES), _waiting()]
    for name, value in (("status", f.status), ("team", f.team), ("priority", f.priority), ("case_type", f.case_type)):
        if value:
            conditions.append(getattr(CaseRow, name) == value)
    if f.received_from:
        conditions.append(CaseRow.received_at >= _local_midnight(f.received_from))
    if f.received_to:
        conditions.append(CaseRow.received_at < _local_midnight(f.received_to + timedelta(days=1)))
    if f.sla:
        conditions.append(_sla_condition(f.sla, now))
    if f.q and f.q.strip():
        conditions.append(_text_condition(session, f.q.strip()))
    return conditions


def _local_midnight(day: date) -> datetime:
    """The start of a Copenhagen calendar day, in UTC (a period is given in the desk's dates)."""
    return datetime.combine(day, time(0), tzinfo=COPENHAGEN).astimezone(timezone.utc)


def _current(reaction, resolution):
    return sql_case((CaseRow.started_at.is_(None), reaction), else_=resolution)


def _sla_condition(state: str, now: datetime):
    finished = or_(CaseRow.status.in_(FINISHED_STATUSES), CaseRow.closed_at.is_not(None),
                   CaseRow.resolved_at.is_not(None))
    paused = and_(CaseRow.started_at.is_not(None), CaseRow.sla_paused.is_(True))
    due = _current(CaseRow.reaction_due, CaseRow.resolution_due)
    warn = _current(CaseRow.reaction_warn_at, CaseRow.resolution_warn_at)
    running = and_(not_(finished), not_(paused))
    if state == "paused":
        return and_(not_(finished), paused)
    if state == "breach":   # breached now, or a breach recorded while it ran (a closed case that was late)
        recorded = exists(select(SlaEventRow.id).where(SlaEventRow.case_id == CaseRow.id, SlaEventRow.kind == "breach"))
        return or_(and_(running, due <= now), recorded)
    if state == "warning":
        return and_(running, warn <= now, due > now)
    return and_(running, due > now, or_(warn.is_(None), warn > now))


def _text_condition(session: Session, query: str):
    compact = query.replace(" ", "")
    if _NUMBER.fullmatch(compact):   # a case or Remedy number: one indexed lookup, text search only if none
        found = [*session.execute(select(CaseRow.id).where(CaseRow.number == compact.upper())).scalars(),
                 *session.execute(select(CaseRow.id).where(CaseRow.remedy_incident_number == compact.upper())).scalars()]
        if found:
            return CaseRow.id.in_(found)
    words = [w for w in _WORD.findall(query.lower())][:8]
    matches = []
    if words:   # every word in the case's own text or in one of its Work Info entries (migration 0016)
        matches.append(_words_condition(session, [w[:60] for w in words]))
    if compact.isdigit() and len(compact) <= 12:   # only the digits of a number: SF-INC-000042 and its kin
        numbers = [format_case_number(prefix, int(compact)) for prefix in handbook().case_number_prefix.values()]
        matches.append(CaseRow.id.in_(select(CaseRow.id).where(CaseRow.number.in_(numbers))))
    return or_(*matches) if matches else CaseRow.id.is_(None)


def _words_condition(session: Session, words: list[str]):
    """Every word (a prefix) in the case's head — numbers, summary, customer — or in one of its Work Info
    rows. The index has an entry per case and per Work Info row (migration 0016), so each word is first
    looked up in the Work Info index alone. The words found in no Work Info must all be in the head: one
    index query for them together, which intersects them as one document per case did. A word found in
    the Work Info of at most WORK_INFO_CASES cases: in the head, or one of those cases (their ids). A
    word in the Work Info of more cases: the set of cases with it in the head or a Work Info entry."""
    postgres = session.get_bind().dialect.name == "postgresql"
    head_only, few, many = [], [], []
    for word in words:
        cases = session.execute(_work_info_cases(postgres, word)).scalars().all()
        if not cases:
            head_only.append(word)
        elif len(cases) <= WORK_INFO_CASES:
            few.append((word, cases))
        else:
            many.append(word)
    if postgres:
        # one query on case_record, so the planner combines the GIN and primary key lookups; the words are
        # constants in it (letters and digits only): a prepared generic plan would not know how rare they are
        head = lambda word: f"case_search_head({_HEAD_COLUMNS}) @@ {_tsquery(word)}"
        terms = ([head(w) for w in head_only]
                 + [f"({head(w)} OR id IN ({', '.join(str(int(c)) for c in cases)}))" for w, cases in few]
                 + [f"id IN ({_cases_with_postgres(w)})" for w in many])
        return CaseRow.id.in_(text(f"SELECT id FROM case_record WHERE {' AND '.join(terms)}")
                              .columns(column("id", Integer)))
    # SQLite: conditions on the case row itself (each FTS5 query's row ids looked up by rowid)
    names = iter(range(len(words) + 1))
    head = lambda *words: CaseRow.id.in_(_fts("SELECT rowid FROM case_search WHERE case_search MATCH :{q}", next(names),
                                              " ".join(f'"{w}"*' for w in words)))
    return and_(*([head(*head_only)] if head_only else []),
                *(or_(head(w), CaseRow.id.in_(cases)) for w, cases in few),
                *(CaseRow.id.in_(_fts("SELECT rowid FROM case_search WHERE case_search MATCH :{q} UNION ALL SELECT case_id "
                                      "FROM work_info WHERE id IN (SELECT rowid FROM work_info_search WHERE "
                                      "work_info_search MATCH :{q})", next(names), f'"{w}"*')) for w in many))


def _fts(sql: str, number: int, query: str):
    """An FTS5 query of row ids; each with its own parameter name (several go into one statement)."""
    return text(sql.format(q=f"q{number}")).bindparams(**{f"q{number}": query}).columns(column("id", Integer))


def _tsquery(word: str) -> str:
    if not _WORD.fullmatch(word):   # never anything but letters and digits into the SQL text
        raise ValueError("a search word is letters and digits")
    return f"(to_tsquery('danish', '{word}:*') || to_tsquery('simple', '{word}:*'))"


def _work_info_cases(postgres: bool, word: str):
    """The cases with `word` (a prefix) in one of their Work Info entries, one more than WORK_INFO_CASES."""
    if postgres:
        return text(f"SELECT DISTINCT case_id FROM work_info WHERE work_info_search(summary, notes) @@ {_tsquery(word)} "
                    f"LIMIT {WORK_INFO_CASES + 1}")
    return text(f"SELECT DISTINCT case_id FROM work_info WHERE id IN (SELECT rowid FROM work_info_search "
                f"WHERE work_info_search MATCH :q) LIMIT {WORK_INFO_CASES + 1}").bindparams(q=f'"{word}"*')


def _cases_with_postgres(word: str) -> str:
    """SQL: the ids of the cases with `word` in their head or in any Work Info entry."""
    return (f"SELECT id FROM case_record WHERE case_search_head({_HEAD_COLUMNS}) @@ {_tsquery(word)} "
            f"UNION ALL SELECT case_id FROM work_info WHERE work_info_search(summary, notes) @@ {_tsquery(word)}")


def _order(sort: str) -> list:
    if sort == "received":
        return [CaseRow.received_at, CaseRow.id]
    if sort == "due":
        due = _current(CaseRow.reaction_due, CaseRow.resolution_due)
        return [due.is_(None), due, CaseRow.id]
    if sort == "priority":
        rank = sql_case(PRIORITY_ORDER, value=CaseRow.priority, else_=9)
        return [rank, CaseRow.received_at.desc(), CaseRow.id.desc()]
    if sort == "number":
        return [CaseRow.number]
    return [CaseRow.received_at.desc(), CaseRow.id.desc()]
