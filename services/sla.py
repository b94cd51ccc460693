"""SLA deadlines on a case (H-S, H-S1, H-S2, H-R1.4): recomputed from priority, SLA level, receipt,
start of work and pauses whenever the runtime projects a case; the pending warning/breach times
that the watchdog sweeps; and the "sla" part of the case document.

Rules on top of domain.sla.compute_deadlines:
- Reaction is pending only until work starts (started_at); afterwards it is met or breached and no
  longer swept. Resolution is pending from the start of work until the case is resolved, closed,
  rejected or routed (resolved_at/closed_at or such a status).
- A warning is pending until the warning or the breach of that target is recorded (a sweep that
  comes late records only the breach). ``next_sla_check_at`` is the earliest pending time.
- While the case waits for the customer (an open pause) the resolution clock has no deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from store.models import CaseRow
from store.sla import events_of, pauses_of, recorded_events_of

if TYPE_CHECKING:   # the SLA tables and clock are imported to compute deadlines, not to show a case (issue 15)
    from config.sla_config import SlaConfig
    from domain.sla import Deadlines

TARGETS = ("reaction", "resolution")
FINISHED_STATUSES = frozenset({"resolved", "closed", "rejected", "routed"})


@dataclass(frozen=True)
class DueEvent:
    """A warning or breach whose time has come for one case and target."""

    target: str        # reaction | resolution
    kind: str          # warning | breach
    due_at: datetime   # the warning time or the deadline


@lru_cache(maxsize=8)
def _cached_config(path: Path) -> SlaConfig:
    from config.sla_config import load_sla_config
    return load_sla_config(path)


def sla_config(config_dir: Path) -> SlaConfig:
    """config/sla.yaml of this deployment, loaded and validated once per process."""
    return _cached_config(Path(config_dir) / "sla.yaml")


def refresh_deadlines(session: Session, *, case: CaseRow, config: SlaConfig) -> Deadlines | None:
    """Recompute and store the case's deadlines and next check time; None while it has no priority."""
    from domain.sla import Pause, compute_deadlines
    if case.priority is None:
        case.reaction_due = case.reaction_warn_at = case.resolution_due = case.resolution_warn_at = None
        case.sla_paused = False
        case.next_sla_check_at = None
        return None
    rows = pauses_of(session, case.id) if case.id else []
    pauses = [Pause(p.started_at, p.ended_at) for p in rows if p.reason != "resolved"]
    stops = [Pause(p.started_at, p.ended_at) for p in rows if p.reason == "resolved"]
    coverage = case.coverage if case.coverage in config.sla_policy.calendars else None
    deadlines = compute_deadlines(priority=case.priority, sla_level=case.sla_level, received_at=case.received_at,
                                  started_at=case.started_at, pauses=pauses, stops=stops, policy=config.sla_policy,
                                  coverage=coverage)
    case.reaction_due, case.reaction_warn_at = deadlines.reaction_due, deadlines.reaction_warn_at
    case.resolution_due, case.resolution_warn_at = deadlines.resolution_due, deadlines.resolution_warn_at
    case.sla_paused = deadlines.paused
    update_next_check(session, case=case)
    return deadlines


def update_next_check(session: Session, *, case: CaseRow, recorded: set[tuple[str, str]] | None = None) -> None:
    """`recorded`: the (target, kind) events already recorded, when the caller knows them (saves a query)."""
    targets = _pending_targets(case)
    if not targets:   # resolved, closed or finished: nothing to check, no need to read the events
        case.next_sla_check_at = None
        return
    recorded = _recorded(session, case) if recorded is None else recorded
    times = [when for target in targets for _, when in _pending_of(case, target, recorded)]
    case.next_sla_check_at = min(times) if times else None


def due_events(session: Session, *, case: CaseRow, now: datetime,
               recorded: set[tuple[str, str]] | None = None) -> list[DueEvent]:
    """What the watchdog must record for this case at `now`: per target a breach, else a warning."""
    recorded = _recorded(session, case) if recorded is None else recorded
    found = []
    for target in _pending_targets(case):
        pending = [(kind, when) for kind, when in _pending_of(case, target, recorded) if when <= now]
        if pending:
            kind, when = max(pending, key=lambda item: item[1])   # the breach wins over a late warning
            found.append(DueEvent(target, kind, when))
    return found


def sla_document(session: Session, case: CaseRow) -> dict:
    """The "sla" object of the case document (times in UTC ISO 8601)."""
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    reaction_met = None
    if case.started_at is not None and case.reaction_due is not None:
        reaction_met = case.started_at <= case.reaction_due
    return {
        "reaction_due": iso(case.reaction_due), "reaction_warn_at": iso(case.reaction_warn_at),
        "resolution_due": iso(case.resolution_due), "resolution_warn_at": iso(case.resolution_warn_at),
        "paused": bool(case.sla_paused), "reaction_met": reaction_met, "next_check_at": iso(case.next_sla_check_at),
        "pauses": [{"start": iso(p.started_at), "end": iso(p.ended_at), "reason": p.reason}
                   for p in pauses_of(session, case.id)],
        "events": [{"target": e.target, "kind": e.kind, "due_at": iso(e.due_at), "recorded_at": iso(e.recorded_at)}
                   for e in events_of(session, case.id)],
    }


def recorded_events(session: Session, case: CaseRow) -> set[tuple[str, str]]:
    return _recorded(session, case)


def recorded_events_by_case(session: Session, cases: list[CaseRow]) -> dict[int, set[tuple[str, str]]]:
    """recorded_events of a batch of cases in one query (the watchdog's batch of claimed cases)."""
    return recorded_events_of(session, [case.id for case in cases if case.id])


def _recorded(session: Session, case: CaseRow) -> set[tuple[str, str]]:
    return {(e.target, e.kind) for e in events_of(session, case.id)} if case.id else set()


def _pending_targets(case: CaseRow) -> list[str]:
    if case.status in FINISHED_STATUSES or case.closed_at is not None:
        return []
    if case.started_at is None:
        return ["reaction"]
    return [] if case.resolved_at is not None else ["resolution"]


def _pending_of(case: CaseRow, target: str, recorded: set[tuple[str, str]]) -> list[tuple[str, datetime]]:
    warn_at, due = ((case.reaction_warn_at, case.reaction_due) if target == "reaction"
                    else (case.resolution_warn_at, case.resolution_due))
    if due is None or (target, "breach") in recorded:
        return []
    pending = [("breach", due)]
    if warn_at is not None and (target, "warning") not in recorded:
        pending.append(("warning", warn_at))
    return pending
