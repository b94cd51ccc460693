"""SLA persistence (H-S, H-S1, H-R1.4): pauses while waiting for the customer, SLA events recorded
once per case/target/kind, the one indexed query that selects due cases, and the per-case claim
(row lock `FOR UPDATE SKIP LOCKED` on PostgreSQL, the database write lock on SQLite)."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from domain.errors import InvalidState
from store.insert_once import SUPPORTED, insert_or_skip
from store.models import CasePauseRow, CaseRow, ProcessInstanceRow, SlaEventRow, WaitingTimerRow


# ---------------------------------------------------------------- pauses (H-R1.4)
def open_pause(session: Session, *, case_id: int, now: datetime) -> CasePauseRow:
    """Start a pause unless one is already open (asking twice keeps the first start)."""
    current = open_pause_of(session, case_id)
    if current is not None:
        return current
    row = CasePauseRow(case_id=case_id, started_at=now, ended_at=None)
    session.add(row)
    session.flush()
    return row


def close_pause(session: Session, *, case_id: int, now: datetime) -> CasePauseRow | None:
    """End the open pause, if any; returns it (None when the case was not paused)."""
    current = open_pause_of(session, case_id)
    if current is None:
        return None
    if now < current.started_at:
        raise InvalidState(f"a pause cannot end ({now.isoformat()}) before it started "
                           f"({current.started_at.isoformat()})")
    current.ended_at = now
    session.flush()
    return current


def add_resolved_pause(session: Session, *, case_id: int, start: datetime, end: datetime) -> CasePauseRow:
    """The case was resolved from `start` until it was reopened at `end` (H-S1: not resolution time)."""
    row = CasePauseRow(case_id=case_id, started_at=start, ended_at=max(start, end), reason="resolved")
    session.add(row)
    session.flush()
    return row


def open_pause_of(session: Session, case_id: int) -> CasePauseRow | None:
    return session.execute(select(CasePauseRow).where(CasePauseRow.case_id == case_id, CasePauseRow.reason == "customer",
                                                      CasePauseRow.ended_at.is_(None))).scalars().first()


def pauses_of(session: Session, case_id: int) -> list[CasePauseRow]:
    return list(session.execute(_pauses_query(), {"case_id": case_id}).scalars())


@functools.cache
def _pauses_query():   # built once: building a statement costs more CPU than running it (issue 15)
    return (select(CasePauseRow).where(CasePauseRow.case_id == bindparam("case_id"))
            .order_by(CasePauseRow.started_at, CasePauseRow.id))


# ---------------------------------------------------------------- events
def events_of(session: Session, case_id: int) -> list[SlaEventRow]:
    return list(session.execute(select(SlaEventRow).where(SlaEventRow.case_id == case_id)
                                .order_by(SlaEventRow.recorded_at, SlaEventRow.id)).scalars())


def recorded_events_of(session: Session, case_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    """The (target, kind) events already recorded, for a batch of cases in one query (every id is a key).
    No autoflush: only the sweep writes sla_event, and its rows are inserted at once, not left pending."""
    found: dict[int, set[tuple[str, str]]] = {case_id: set() for case_id in case_ids}
    if case_ids:
        with session.no_autoflush:
            rows = session.execute(select(SlaEventRow.case_id, SlaEventRow.target, SlaEventRow.kind)
                                   .where(SlaEventRow.case_id.in_(case_ids)))
            for case_id, target, kind in rows:
                found[case_id].add((target, kind))
    return found


def record_event_once(session: Session, *, case_id: int, target: str, kind: str, due_at: datetime,
                      now: datetime) -> SlaEventRow | None:
    """Insert-or-skip: the row, or None when another sweep already recorded this event.

    One INSERT … ON CONFLICT (case_id, target, kind) DO NOTHING RETURNING id (SQLite, PostgreSQL): a lost
    race inserts nothing and leaves the caller's transaction usable; the caller writes nothing else for
    the event. Other databases: a savepoint around the insert."""
    dialect = session.get_bind().dialect.name
    if dialect in SUPPORTED:
        new_id = session.connection().execute(_insert_event(dialect), {
            "case_id": case_id, "target": target, "kind": kind, "due_at": due_at, "now": now}).scalar_one_or_none()
        if new_id is None:
            return None
        row = SlaEventRow(id=new_id, case_id=case_id, target=target, kind=kind, due_at=due_at, recorded_at=now)
        make_transient_to_detached(row)
        session.add(row)
        return row
    row = SlaEventRow(case_id=case_id, target=target, kind=kind, due_at=due_at, recorded_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def record_events_once(session: Session, events: list[tuple[int, str, str, datetime]], *,
                       now: datetime) -> set[tuple[int, str, str]]:
    """record_event_once for a batch of (case_id, target, kind, due_at), in that order: the (case_id, target,
    kind) that were inserted; an event another sweep already recorded is left out and writes nothing.

    SQLite, PostgreSQL: one INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING for the batch (the
    rows are not added to the session: the sweep does not read them back). Other databases: one by one."""
    if not events:
        return set()
    dialect = session.get_bind().dialect.name
    if dialect not in SUPPORTED:
        return {(case_id, target, kind) for case_id, target, kind, due_at in events
                if record_event_once(session, case_id=case_id, target=target, kind=kind, due_at=due_at,
                                     now=now) is not None}
    rows = session.connection().execute(_insert_events(dialect), [
        {"case_id": case_id, "target": target, "kind": kind, "due_at": due_at, "now": now}
        for case_id, target, kind, due_at in events])
    return {(case_id, target, kind) for case_id, target, kind in rows}


_EVENT_BINDS = {"case_id": "case_id", "target": "target", "kind": "kind", "due_at": "due_at", "recorded_at": "now"}
_EVENT_KEY = ("case_id", "target", "kind")


def _insert_events(dialect: str):
    """The insert-or-skip of _insert_event returning the key; executemany sends it as one multi-row INSERT."""
    return insert_or_skip(dialect, SlaEventRow.__table__, binds=_EVENT_BINDS, unique=_EVENT_KEY, returning=_EVENT_KEY)


def _insert_event(dialect: str):
    return insert_or_skip(dialect, SlaEventRow.__table__, binds=_EVENT_BINDS, unique=_EVENT_KEY, returning=("id",))


# ---------------------------------------------------------------- the sweep's queries
def due_case_ids(session: Session, *, now: datetime, limit: int = 1000) -> list[int]:
    """Cases with a warning or breach due at `now`: one range scan on ix_case_record_next_sla_check_at."""
    return list(session.execute(select(CaseRow.id).where(CaseRow.next_sla_check_at <= now)
                                .order_by(CaseRow.next_sla_check_at).limit(limit)).scalars())


def claim_due_cases(session: Session, *, case_ids: list[int], now: datetime) -> list[CaseRow]:
    """Lock a batch of due cases for this transaction; cases another sweep holds or handled are left out.
    PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: the UPDATE takes the database write lock first."""
    if not case_ids:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.execute(select(CaseRow.id).where(CaseRow.id.in_(case_ids), CaseRow.next_sla_check_at <= now)
                                   .with_for_update(skip_locked=True)).scalars())
    else:
        session.execute(update(CaseRow).where(CaseRow.id.in_(case_ids), CaseRow.next_sla_check_at <= now)
                        .values(next_sla_check_at=CaseRow.next_sla_check_at)
                        .execution_options(synchronize_session=False))
        ids = list(session.execute(select(CaseRow.id).where(CaseRow.id.in_(case_ids),
                                                            CaseRow.next_sla_check_at <= now)).scalars())
    if not ids:
        return []
    return list(session.execute(select(CaseRow).where(CaseRow.id.in_(ids)).order_by(CaseRow.id)
                                .execution_options(populate_existing=True)).scalars())


def due_timer_instance_ids(session: Session, *, now: datetime, limit: int = 1000) -> list[int]:
    """Process instances with a BPMN timer due at `now` (index ix_waiting_timer_due_at); a failed
    instance waits for `case retry` instead of failing again every sweep (issue 11)."""
    return list(session.execute(select(WaitingTimerRow.instance_id)
                                .join(ProcessInstanceRow, ProcessInstanceRow.id == WaitingTimerRow.instance_id)
                                .where(WaitingTimerRow.due_at <= now, ProcessInstanceRow.failed_at.is_(None))
                                .group_by(WaitingTimerRow.instance_id)
                                .order_by(WaitingTimerRow.instance_id).limit(limit)).scalars())


def due_timers_of(session: Session, *, instance_id: int, now: datetime) -> list[WaitingTimerRow]:
    return list(session.execute(select(WaitingTimerRow).where(WaitingTimerRow.instance_id == instance_id,
                                                              WaitingTimerRow.due_at <= now)).scalars())


def claim_instance(session: Session, *, instance_id: int) -> ProcessInstanceRow | None:
    """Lock one running process instance for this transaction (same locking as claim_due_cases)."""
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(select(ProcessInstanceRow.id).where(ProcessInstanceRow.id == instance_id,
                                                                    ProcessInstanceRow.status == "running")
                                .with_for_update(skip_locked=True)).scalar_one_or_none()
        if found is None:
            return None
    else:
        result = session.execute(update(ProcessInstanceRow).where(ProcessInstanceRow.id == instance_id,
                                                                  ProcessInstanceRow.status == "running")
                                 .values(status=ProcessInstanceRow.status)
                                 .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return None
    return session.get(ProcessInstanceRow, instance_id, populate_existing=True)
