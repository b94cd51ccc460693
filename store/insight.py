"""The case histories the insight report measures (issue 16; H-R1.1, H-R1.5, H-R4, H-R1.3, H-C): for
the cases received in a period (optionally of one team), their Work Info, human tasks, contact
attempts, outbox items and SLA events — a handful of set-based queries, no query per case."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from store.models import CaseRow, ContactAttemptRow, HumanTaskRow, OutboxRow, SlaEventRow, TeamRow, WorkInfoRow


def cases_in_period(session: Session, *, since: datetime, until: datetime, team: str | None) -> list[CaseRow]:
    query = select(CaseRow).where(CaseRow.received_at >= since, CaseRow.received_at < until)
    if team:
        query = query.where(CaseRow.team == team)
    return list(session.scalars(query.order_by(CaseRow.received_at, CaseRow.id)))


def _grouped(session: Session, columns: list, case_id, case_ids: list[int], order) -> dict[int, list]:
    """Light rows (only the columns the measures read), grouped by case, in time order."""
    grouped: dict[int, list] = defaultdict(list)
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        for row in session.execute(select(*columns).where(case_id.in_(chunk)).order_by(*order)):
            grouped[row.case_id].append(row)
    return grouped


def histories(session: Session, case_ids: list[int]) -> dict[str, dict[int, list]]:
    """work_info, tasks, contacts, outbox, sla_events: case id -> rows in time order."""
    w, t, c, o, e = WorkInfoRow, HumanTaskRow, ContactAttemptRow, OutboxRow, SlaEventRow
    return {"work_info": _grouped(session, [w.case_id, w.event, w.notes, w.created_at], w.case_id, case_ids,
                                  (w.created_at, w.id)),
            "tasks": _grouped(session, [t.case_id, t.bpmn_id, t.team, t.role, t.status, t.created_at, t.completed_at],
                              t.case_id, case_ids, (t.created_at, t.id)),
            "contacts": _grouped(session, [c.case_id, c.at, c.outcome], c.case_id, case_ids, (c.at, c.id)),
            "outbox": _grouped(session, [o.case_id, o.kind, o.status, o.sent_at, o.payload], o.case_id, case_ids,
                               (o.created_at, o.id)),
            "sla_events": _grouped(session, [e.case_id, e.kind, e.due_at], e.case_id, case_ids,
                                   (e.recorded_at, e.id))}


def later_cases_of_customers(session: Session, *, customers: list[tuple[str | None, str]],
                             since: datetime) -> list[CaseRow]:
    """Cases received after `since` by any of the (e-mail, name) customers (re-registrations)."""
    if not customers:
        return []
    emails = sorted({e.lower() for e, _ in customers if e})
    names = sorted({n.lower() for _, n in customers if n})
    return list(session.scalars(select(CaseRow).where(
        CaseRow.received_at > since,
        or_(func.lower(CaseRow.customer_email).in_(emails or [""]), func.lower(CaseRow.customer_name).in_(names or [""])))))


def team_names(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every team, by name (the team filter)."""
    return [(row.code, row.name) for row in session.scalars(select(TeamRow).order_by(TeamRow.name))]
