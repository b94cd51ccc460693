"""The SLA clock a person sees on a case (H-S, H-S1): the deadline that matters now — reaction before
work starts, resolution afterwards — and its state (ok, warning, breach, paused; met or missed once
resolved). Shown in the worklist, the case list, the case page and the admin's SLA view."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from store.models import CaseRow

HAS_SLA = hasattr(CaseRow, "reaction_due")


class SlaClock(NamedTuple):
    """The deadline that matters now: reaction before work starts, resolution afterwards. (Named tuples,
    this and WorklistItem: immutable like a frozen dataclass, a third of the cost for 200 rows.)"""

    target: str | None          # reaction | resolution | None
    due_at: datetime | None
    warn_at: datetime | None
    state: str                  # none | ok | warning | breach | paused | met | missed (finished cases)
    seconds_left: int | None


def sla_clock(case: CaseRow, *, now: datetime) -> SlaClock:
    if not HAS_SLA:
        return SlaClock(None, None, None, "none", None)
    started = case.started_at is not None
    due, warn = (case.resolution_due, case.resolution_warn_at) if started else (case.reaction_due, case.reaction_warn_at)
    return clock(started, due, warn, case.resolved_at or case.closed_at, case.sla_paused, now)


def clock(started: bool, due: datetime | None, warn: datetime | None, done: datetime | None, paused: bool,
          now: datetime) -> SlaClock:
    """The clock from the deadline that matters (reaction before work starts, resolution after) and
    when the case was resolved or closed."""
    target = "resolution" if started else "reaction"
    if done is not None:
        if started and due is not None:
            return SlaClock("resolution", due, None, "met" if done <= due else "missed", None)
        return SlaClock(None, None, None, "none", None)
    if started and paused:
        return SlaClock(target, None, None, "paused", None)
    if due is None:
        return SlaClock(target, None, None, "none", None)
    left = int((due - now).total_seconds())
    state = "breach" if left <= 0 else "warning" if warn is not None and now >= warn else "ok"
    return SlaClock(target, due, warn, state, left)
