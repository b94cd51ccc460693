"""Administrator views (issue 5; H-S SLA follow-up): the SLA dashboard — open cases by priority and
state, current warnings and breaches, compliance per team and week — the outbox with its dead
letters and a retry, and process instances that failed or are stuck."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from services.dispatcher import retry_dead
from services.sla_clock import HAS_SLA, sla_clock
from services.failures import failure_label
from store.models import (OPEN_TASK, CaseRow, HumanTaskRow, OutboxRow, ProcessDefinitionRow, ProcessInstanceRow, SlaEventRow,
                          WaitingTimerRow)

OPEN_EXCLUDED = ("closed", "rejected", "routed")
PRIORITIES = ("critical", "high", "medium", "low")


@dataclass
class Compliance:
    team: str
    week: str            # ISO week, e.g. 2026-W48
    finished: int
    breached: int

    @property
    def percent(self) -> float | None:
        return None if self.finished == 0 else round(100.0 * (self.finished - self.breached) / self.finished, 1)


@dataclass
class Dashboard:
    open_by_priority: dict[str, dict[str, int]] = field(default_factory=dict)   # priority -> status -> n
    warnings: list[tuple[str, str, str | None, datetime | None]] = field(default_factory=list)  # number, summary, team, due
    breaches: list[tuple[str, str, str | None, datetime | None]] = field(default_factory=list)
    paused: int = 0
    compliance: list[Compliance] = field(default_factory=list)
    weeks: list[str] = field(default_factory=list)
    open_total: int = 0


def _iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def sla_dashboard(session: Session, *, now: datetime, weeks: int = 4) -> Dashboard:
    board = Dashboard()
    open_cases = session.execute(select(CaseRow).where(CaseRow.status.not_in(OPEN_EXCLUDED))).scalars().all()
    board.open_total = len(open_cases)
    for case in open_cases:
        by_status = board.open_by_priority.setdefault(case.priority or "none", {})
        by_status[case.status] = by_status.get(case.status, 0) + 1
        clock = sla_clock(case, now=now)
        row = (case.number or "", case.summary, case.team, clock.due_at)
        if clock.state == "breach":
            board.breaches.append(row)
        elif clock.state == "warning":
            board.warnings.append(row)
        elif clock.state == "paused":
            board.paused += 1
    board.breaches.sort(key=lambda r: r[3] or now)
    board.warnings.sort(key=lambda r: r[3] or now)
    board.weeks = [_iso_week(now - timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    board.compliance = _compliance(session, now=now, weeks=weeks, labels=board.weeks)
    return board


def _compliance(session: Session, *, now: datetime, weeks: int, labels: list[str]) -> list[Compliance]:
    """Cases finished per team and ISO week; breached = a resolution breach was recorded or the case
    finished after its resolution deadline."""
    since = now - timedelta(weeks=weeks)
    finished_at = func.coalesce(CaseRow.resolved_at, CaseRow.closed_at)
    rows = session.execute(select(CaseRow).where(finished_at.is_not(None), finished_at >= since,
                                                 CaseRow.status.not_in(("routed",)))).scalars().all()
    breached_ids = set(session.execute(select(SlaEventRow.case_id).where(SlaEventRow.kind == "breach",
                                                                         SlaEventRow.target == "resolution"))
                       .scalars())
    table: dict[tuple[str, str], Compliance] = {}
    for case in rows:
        end = case.resolved_at or case.closed_at
        week = _iso_week(end)
        if week not in labels:
            continue
        entry = table.setdefault((case.team or "-", week), Compliance(case.team or "-", week, 0, 0))
        entry.finished += 1
        late = HAS_SLA and case.resolution_due is not None and end > case.resolution_due
        if case.id in breached_ids or late:
            entry.breached += 1
    return sorted(table.values(), key=lambda c: (c.team, c.week))


def weekly_compliance(board: Dashboard) -> list[tuple[str, float | None, int]]:
    """(week, percent met across teams, finished) for the chart."""
    result = []
    for week in board.weeks:
        finished = sum(c.finished for c in board.compliance if c.week == week)
        breached = sum(c.breached for c in board.compliance if c.week == week)
        result.append((week, None if finished == 0 else round(100.0 * (finished - breached) / finished, 1), finished))
    return result


# ---------------------------------------------------------------- outbox
def outbox_rows(session: Session, *, status: str | None = None, limit: int = 200) -> list[OutboxRow]:
    query = select(OutboxRow)
    if status:
        query = query.where(OutboxRow.status == status)
    return list(session.execute(query.order_by(OutboxRow.id.desc()).limit(limit)).scalars())


def outbox_counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())


def retry_outbox_item(session: Session, *, item_id: int, now: datetime) -> None:
    """Put a dead letter back in the queue (status pending, due now)."""
    retry_dead(session, item_id, now=now)


# ---------------------------------------------------------------- instances
@dataclass(frozen=True)
class ProblemInstance:
    instance_id: int
    case_number: str
    status: str
    problem: str            # error | stuck
    error: str | None
    updated_at: datetime
    label: str | None = None          # "Fejl i processen ved <element>" (issue 11)
    failed_by: str | None = None
    failed_at: datetime | None = None
    definition_id: int | None = None
    open_tasks: int = 0


def problem_instances(session: Session, *, limit: int = 200, team: str | None = None) -> list[ProblemInstance]:
    """Instances whose last step failed (issue 11: whether or not a task is open), with status error,
    and running ones that wait for nothing (no open task, no timer) while their case is not waiting
    for the customer. `team`: only the cases of that team (a coordinator's worklist)."""
    has_task = exists().where(HumanTaskRow.instance_id == ProcessInstanceRow.id, OPEN_TASK)
    has_timer = exists().where(WaitingTimerRow.instance_id == ProcessInstanceRow.id)
    query = (select(ProcessInstanceRow, CaseRow.number, CaseRow.status)
             .join(CaseRow, CaseRow.id == ProcessInstanceRow.case_id)
             .where(ProcessInstanceRow.failed_at.is_not(None) | (ProcessInstanceRow.status == "error")
                    | ((ProcessInstanceRow.status == "running") & ~has_task & ~has_timer
                       & (CaseRow.status != "waiting_for_customer")))
             .order_by(ProcessInstanceRow.updated_at.desc()).limit(limit))
    if team is not None:
        query = query.where(CaseRow.team == team)
    rows = session.execute(query).all()
    metas: dict[int, dict] = {}
    open_counts = dict(session.execute(select(HumanTaskRow.instance_id, func.count())
                                       .where(OPEN_TASK,
                                              HumanTaskRow.instance_id.in_([r.id for r, _, _ in rows]))
                                       .group_by(HumanTaskRow.instance_id)).all()) if rows else {}
    result = []
    for row, number, _ in rows:
        failed = row.failed_at is not None or row.status == "error"
        if row.failed_at is not None and row.definition_id not in metas:
            metas[row.definition_id] = session.get(ProcessDefinitionRow, row.definition_id).task_meta
        result.append(ProblemInstance(row.id, number or "", row.status, "error" if failed else "stuck", row.error,
                                      row.updated_at, failure_label(row, metas.get(row.definition_id, {})),
                                      row.failed_by, row.failed_at, row.definition_id, open_counts.get(row.id, 0)))
    return result
