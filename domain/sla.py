"""SLA targets and per-case deadlines (H-S, H-S1, H-S2, H-S3; pauses per H-R1.4).

The targets are data (``SlaPolicy``, loaded from ``config/sla.yaml`` by
``config.sla_config``); this module only computes. All results are aware UTC datetimes.

Rules implemented by ``compute_deadlines``
- Reaction runs from receipt (``received_at``) in the coverage of the case's SLA level;
  the reaction deadline is reported whether or not work has started (the watchdog
  compares it with ``started_at``). Resolution runs from ``started_at`` (H-S1); it is
  ``None`` until work has started.
- ``None`` where the handbook agrees no target (Medium/Lav have no reaction target).
- Clocks count coverage time only (H-S2): outside coverage nothing is consumed.
- *Working days* are counted in coverage time: one working day = the length of one full
  coverage day (6.5 h for 08:30-15:00, 24 h on 24 x 7). "2 working days" from Monday
  10:00 on weekday daytime ends Wednesday 10:00; on a half-day closure fewer hours are
  available that day, so the deadline moves later.
- Pauses (waiting for the customer, H-R1.4) are intervals ``(start, end | None)``. Only
  the parts after ``started_at`` count; overlapping pauses are merged. The resolution
  clock stops during a pause, so the deadline moves by the paused *coverage* time (a pause
  over a weekend on weekday daytime moves it only by the weekday hours it covered).
  A pause that starts after the deadline has passed does not move it. While a pause is
  open (``end is None``) the resolution clock has no deadline: ``resolution_due`` and
  ``resolution_warn_at`` are ``None`` and ``paused`` is ``True``. Reaction is not paused.
- Warnings fall at ``warning_share`` (default 0.75) of the target, in coverage time.
- A priority or level change is a recomputation with the same ``received_at``,
  ``started_at`` and pauses: elapsed time and pauses are kept, only the goal changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.calendar import BusinessCalendar, CalendarError, require_aware


class SlaError(ValueError):
    """Invalid SLA data or case times given to the SLA clock."""


class Priority(StrEnum):
    """Case priority (kategori): Kritisk, Høj, Medium, Lav."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SlaLevel(StrEnum):
    """SLA level of the affected service: Platin, Guld, Sølv, Bronze."""

    PLATINUM = "platinum"
    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"


@dataclass(frozen=True)
class TargetTime:
    """A target as coverage time: a fixed ``duration`` or a number of ``working_days``."""

    duration: timedelta | None = None
    working_days: int | None = None

    def __post_init__(self) -> None:
        if (self.duration is None) == (self.working_days is None):
            raise SlaError("a target needs exactly one of duration or working_days")
        if self.duration is not None and self.duration <= timedelta(0):
            raise SlaError(f"target duration must be positive, got {self.duration}")
        if self.working_days is not None and self.working_days <= 0:
            raise SlaError(f"target working days must be positive, got {self.working_days}")

    def coverage(self, calendar: BusinessCalendar) -> timedelta:
        """The target as an amount of coverage time in ``calendar``."""
        if self.duration is not None:
            return self.duration
        return calendar.working_day * self.working_days


@dataclass(frozen=True)
class PriorityTargets:
    """Reaction and resolution targets of one priority; ``None`` = no agreed target."""

    reaction: TargetTime | None
    resolution: TargetTime | None


@dataclass(frozen=True)
class SlaPolicy:
    """Everything the SLA clock needs: targets per priority, coverage per level."""

    targets: Mapping[Priority, PriorityTargets]
    coverage: Mapping[SlaLevel, BusinessCalendar]
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    warning_share: float = 0.75
    pause_while_waiting_for_customer: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.warning_share <= 1:
            raise SlaError(f"warning_share must be in (0, 1], got {self.warning_share}")
        missing = [p.value for p in Priority if p not in self.targets]
        missing += [level.value for level in SlaLevel if level not in self.coverage]
        if missing:
            raise SlaError(f"SLA policy lacks: {', '.join(missing)}")


@dataclass(frozen=True)
class Pause:
    """The case waited for the customer from ``start`` until ``end`` (``None``: still waiting)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Deadlines:
    """A case's SLA deadlines in UTC; ``None`` = no target, not started, or paused."""

    reaction_due: datetime | None
    reaction_warn_at: datetime | None
    resolution_due: datetime | None
    resolution_warn_at: datetime | None
    paused: bool


def _choice(enum: type[StrEnum], value: object, what: str):
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise SlaError(f"unknown {what} {value!r}; expected one of: {allowed}") from None


def _utc(value: datetime, name: str) -> datetime:
    try:
        return require_aware(value, name=name)
    except CalendarError as error:
        raise SlaError(str(error)) from error


def _merged_pauses(pauses: Iterable[Pause | tuple], started: datetime) -> list[tuple[datetime, datetime | None]]:
    """Pauses clipped to start no earlier than ``started``, sorted and merged."""
    intervals = []
    for item in pauses:
        if isinstance(item, Pause):
            start, end = item.start, item.end
        elif isinstance(item, tuple) and len(item) == 2:
            start, end = item
        else:
            raise SlaError(f"a pause must be Pause(start, end) or a (start, end) pair, got {item!r}")
        start = _utc(start, "pause start")
        end = None if end is None else _utc(end, "pause end")
        if end is not None and end < start:
            raise SlaError(f"pause ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        if end is not None and end <= started:
            continue
        intervals.append((max(start, started), end))
    if sum(1 for _, end in intervals if end is None) > 1:
        raise SlaError("more than one open pause; close the earlier pause first")
    intervals.sort(key=lambda interval: interval[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for start, end in intervals:
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            joined_end = None if last_end is None or end is None else max(last_end, end)
            merged[-1] = (last_start, joined_end)
        else:
            merged.append((start, end))
    return merged


def _run_clock(
    calendar: BusinessCalendar,
    start: datetime,
    target: timedelta,
    pauses: Sequence[tuple[datetime, datetime | None]],
) -> datetime | None:
    """When a clock started at ``start`` and stopped during ``pauses`` reaches ``target``."""
    cursor, remaining = start, target
    for pause_start, pause_end in pauses:
        due = calendar.add(cursor, remaining)
        if due <= pause_start:
            return due
        remaining -= calendar.elapsed(cursor, pause_start)
        if pause_end is None:
            return None
        cursor = pause_end
    return calendar.add(cursor, remaining)


def compute_deadlines(
    *,
    priority: Priority | str,
    sla_level: SlaLevel | str,
    received_at: datetime,
    started_at: datetime | None,
    pauses: Iterable[Pause | tuple[datetime, datetime | None]] = (),
    policy: SlaPolicy,
    coverage: str | None = None,
    stops: Iterable[Pause | tuple[datetime, datetime | None]] = (),
) -> Deadlines:
    """Deadlines of one case (see the module docstring for the rules).

    ``coverage`` names a calendar of ``policy.calendars`` that replaces the level's
    coverage for this case (e.g. "24x7" for a Sølv service with 24 x 7 by agreement).
    ``stops`` are intervals that always stop the resolution clock: the time a case spent resolved
    before it was reopened (H-S1), whatever ``pause_while_waiting_for_customer`` says.
    """
    priority = _choice(Priority, priority, "priority")
    level = _choice(SlaLevel, sla_level, "SLA level")
    received = _utc(received_at, "received_at")
    started = None if started_at is None else _utc(started_at, "started_at")
    if started is not None and started < received:
        raise SlaError(f"started_at {started_at.isoformat()} is before received_at {received_at.isoformat()}")
    if coverage is None:
        calendar = policy.coverage[level]
    elif coverage in policy.calendars:
        calendar = policy.calendars[coverage]
    else:
        raise SlaError(f"unknown coverage {coverage!r}; expected one of: {', '.join(sorted(policy.calendars))}")
    targets = policy.targets[priority]
    share = policy.warning_share

    reaction_due = reaction_warn = None
    if targets.reaction is not None:
        goal = targets.reaction.coverage(calendar)
        reaction_due = calendar.add(received, goal)
        reaction_warn = calendar.add(received, goal * share)

    pause_list = (list(pauses) if policy.pause_while_waiting_for_customer else []) + list(stops)
    merged = _merged_pauses(pause_list, started or received)
    paused = any(end is None for _, end in merged)
    resolution_due = resolution_warn = None
    if targets.resolution is not None and started is not None and not paused:
        goal = targets.resolution.coverage(calendar)
        resolution_due = _run_clock(calendar, started, goal, merged)
        resolution_warn = _run_clock(calendar, started, goal * share, merged)
    return Deadlines(
        reaction_due=reaction_due,
        reaction_warn_at=reaction_warn,
        resolution_due=resolution_due,
        resolution_warn_at=resolution_warn,
        paused=paused,
    )
