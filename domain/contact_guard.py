"""The closure guard for contact attempts (H-R1.3) and when the next attempt is due.

Before a case is closed the customer is contacted at least three times over two different calendar
weeks, by both e-mail and phone, to confirm the case is solved. Default interpretation (configurable):
the guard holds when the customer confirmed, or when counting attempts form ≥ `min_attempts`
contact occasions that fall in ≥ `min_weeks` distinct ISO weeks (Europe/Copenhagen) and together use
every channel in `channels`. An occasion starts with an attempt made at least `min_gap` after the
start of the previous occasion; a mail and a call made together are one occasion, and a Sunday-night
mail with a Monday-morning call is one occasion in one week. Auto-replies, bounces and wrong numbers
don't count.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from domain.calendar import BusinessCalendar

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
CHANNEL_LABELS = {"mail": "e-mail", "phone": "telefon"}


@dataclass(frozen=True)
class Attempt:
    at: datetime                    # aware
    channel: Literal["mail", "phone"]
    counts: bool = True             # False for auto-replies, bounces, wrong numbers
    confirmed: bool = False         # the customer confirmed the case is solved


@dataclass(frozen=True)
class GuardPolicy:
    min_attempts: int = 3
    min_weeks: int = 2
    channels: tuple[str, ...] = ("mail", "phone")
    min_gap: timedelta = timedelta(hours=4)
    first_retry_working_days: int = 2


@dataclass(frozen=True)
class GuardResult:
    satisfied: bool
    confirmed: bool
    missing: tuple[str, ...]        # Danish, user-facing

    @property
    def message(self) -> str:
        if self.satisfied:
            return "Kontaktkravet er opfyldt."
        return "Sagen kan ikke lukkes endnu: " + "; ".join(self.missing) + "."


def iso_week(at: datetime) -> tuple[int, int]:
    year, week, _ = at.astimezone(COPENHAGEN).isocalendar()
    return year, week


def occasions(attempts: list[Attempt], policy: GuardPolicy) -> list[datetime]:
    """Start times of the contact occasions formed by the counting attempts."""
    starts: list[datetime] = []
    for attempt in sorted((a for a in attempts if a.counts), key=lambda a: a.at):
        if not starts or attempt.at - starts[-1] >= policy.min_gap:
            starts.append(attempt.at)
    return starts


def evaluate_guard(attempts: list[Attempt], policy: GuardPolicy = GuardPolicy()) -> GuardResult:
    if any(a.confirmed for a in attempts):
        return GuardResult(True, True, ())
    kept = occasions(attempts, policy)
    missing = []
    if len(kept) < policy.min_attempts:
        hours = int(policy.min_gap.total_seconds() // 3600)
        missing.append(f"{policy.min_attempts - len(kept)} kontaktforsøg mere (mindst {policy.min_attempts}, "
                       f"med mindst {hours} timer imellem)")
    weeks = {iso_week(at) for at in kept}
    if len(weeks) < policy.min_weeks:
        missing.append(f"forsøg i {policy.min_weeks - len(weeks)} kalenderuge(r) mere (mindst {policy.min_weeks} "
                       "forskellige uger)")
    used = {a.channel for a in attempts if a.counts}
    for channel in policy.channels:
        if channel not in used:
            missing.append(f"mindst ét forsøg via {CHANNEL_LABELS.get(channel, channel)}")
    return GuardResult(not missing, False, tuple(missing))


def next_attempt_due(attempts: list[Attempt], calendar: BusinessCalendar,
                     policy: GuardPolicy = GuardPolicy()) -> datetime | None:
    """When the next attempt should be made, or None when the guard already holds.

    Second attempt: `first_retry_working_days` working days after the first. Later attempts: if all
    counted attempts are in one ISO week, the first opening of the next ISO week; otherwise one
    working day after the last attempt (at least min_gap later).
    """
    kept = occasions(attempts, policy)
    if not kept or evaluate_guard(attempts, policy).satisfied:
        return None
    last = kept[-1]
    if len(kept) == 1:
        return calendar.add_working_days(last, policy.first_retry_working_days)
    if len({iso_week(at) for at in kept}) < policy.min_weeks:
        local = last.astimezone(COPENHAGEN)
        monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        next_week = (monday + timedelta(days=7)).replace(tzinfo=COPENHAGEN)
        return calendar.next_open(next_week)
    return max(calendar.add_working_days(last, 1), last + policy.min_gap)
