"""Business calendars: when the service desk's clocks run (H-S2, H-E1, H-E2).

A ``BusinessCalendar`` is either *always open* (24 x 7, the Platin/Guld coverage) or
open on given weekdays between an opening and a closing wall-clock time in
Europe/Copenhagen (default: Mon-Fri 08:30-15:00, the only working hours the handbook
names), minus Danish public holidays (``holidays`` package, country "DK", category
"public": Store Bededag counts up to 2023 and not from 2024 on) and minus extra
``Closure`` days or part-days (24 Dec, 31 Dec, 5 June from 12:00, ...).

Conventions
- Every input datetime must be timezone-aware; naive input raises ``CalendarError``.
  ``local_datetime`` turns a naive Copenhagen wall-clock time into an aware one.
- Every output datetime is aware **UTC**; convert with ``to_local`` for display.
- Open windows are half-open ``[opens, closes)``: 08:30 is open, 15:00 is closed.
  A deadline that uses up the last minute of a window lies exactly at its end (15:00).
- Arithmetic is done in UTC, so hour targets count real elapsed time across DST
  switches (4 h from 00:30 local on the spring-forward night ends 05:30 local).
- A *working day* is the length of one full coverage day: ``closes - opens`` (6.5 h for
  08:30-15:00) or 24 h when always open; ``add_working_days`` adds that much coverage
  time, so 2 working days from Monday 10:00 end Wednesday 10:00.

The calendar walks whole open windows (one day at a time), never minutes, and caches
holidays per year and windows per day. The ``holidays`` package (its import loads every
country it knows, ~0.15 s) is imported when a computation first asks whether a day is a
holiday, not when a calendar is built (issue 15: `sagsflow sla due` for a 24 x 7 level never
pays for it); an unknown country or category raises ``CalendarError`` then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
WEEKDAYS = frozenset(range(5))  # Monday=0 ... Friday=4
_DAY = timedelta(days=1)
_MAX_CLOSED_DAYS = 400  # a calendar with no open window for this long is broken
_WINDOW_CACHE_LIMIT = 4096

Window = tuple[datetime, datetime]  # [start, end) in UTC


class CalendarError(ValueError):
    """Invalid calendar definition or invalid time given to a calendar."""


def require_aware(at: datetime, *, name: str = "time") -> datetime:
    """Return ``at`` in UTC; raise ``CalendarError`` if it is not a timezone-aware datetime."""
    if not isinstance(at, datetime):
        raise CalendarError(f"{name} must be a datetime, got {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise CalendarError(f"{name} must be timezone-aware, got naive {at.isoformat()}")
    return at.astimezone(UTC)


def local_datetime(naive: datetime, *, tz: ZoneInfo = COPENHAGEN) -> datetime:
    """Read a naive wall-clock time in ``tz``; reject times that DST makes missing or ambiguous."""
    if naive.tzinfo is not None:
        return naive
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise CalendarError(
            f"{naive.isoformat()} does not exist in {tz.key} (clocks jump forward); give a UTC offset"
        )
    if first.utcoffset() != second.utcoffset():
        raise CalendarError(
            f"{naive.isoformat()} occurs twice in {tz.key} (clocks fall back); give a UTC offset"
        )
    return first


def to_local(at: datetime, *, tz: ZoneInfo = COPENHAGEN) -> datetime:
    """The same instant in Copenhagen wall-clock time (for display)."""
    return require_aware(at).astimezone(tz)


def local_text(at: datetime) -> str:
    """A time as a Danish reader reads it, in Copenhagen: `03-12-2026 kl. 09:40` (Work Info, mails)."""
    return to_local(at).strftime("%d-%m-%Y kl. %H:%M")


@lru_cache(maxsize=256)
def _holiday_dates(country: str, categories: tuple[str, ...], year: int) -> frozenset[date]:
    import holidays   # first use only (see the module docstring)

    try:
        table = holidays.country_holidays(country, years=year, categories=categories)
    except (NotImplementedError, ValueError) as error:
        raise CalendarError(f"holidays for {country} {categories}: {error}") from error
    return frozenset(table.keys())


@dataclass(frozen=True)
class Closure:
    """An extra closed day or part of a day, every year (``year=None``) or once.

    ``closed_from``/``closed_until`` are local wall-clock times; ``None`` means the start/end
    of the day, so ``Closure(month=6, day=5, closed_from=time(12))`` closes 5 June from noon.
    """

    month: int
    day: int
    year: int | None = None
    closed_from: time | None = None
    closed_until: time | None = None

    def __post_init__(self) -> None:
        try:
            date(self.year or 2000, self.month, self.day)  # 2000 is a leap year: 29 Feb allowed
        except (TypeError, ValueError) as error:
            raise CalendarError(f"closure date {self.year}-{self.month}-{self.day}: {error}") from error
        start, end = self.span()
        if end <= start:
            raise CalendarError(f"closure on {self.month:02d}-{self.day:02d}: closed_until must be after closed_from")

    def applies_to(self, day: date) -> bool:
        return (day.month, day.day) == (self.month, self.day) and self.year in (None, day.year)

    def span(self) -> tuple[timedelta, timedelta]:
        """Closed part of the day as offsets from local midnight."""
        start = _offset(self.closed_from) if self.closed_from else timedelta(0)
        end = _offset(self.closed_until) if self.closed_until else _DAY
        return start, end


def _offset(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute, seconds=moment.second)


@dataclass(frozen=True)
class BusinessCalendar:
    """Coverage hours in which SLA clocks run. Build with ``always_open()`` or ``weekday_hours()``."""

    open_always: bool = False
    weekdays: frozenset[int] = WEEKDAYS
    opens: time = time(8, 30)
    closes: time = time(15, 0)
    holiday_country: str | None = "DK"
    holiday_categories: tuple[str, ...] = ("public",)
    closures: tuple[Closure, ...] = ()
    tz: ZoneInfo = COPENHAGEN
    _windows: dict[date, tuple[Window, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "holiday_categories", tuple(self.holiday_categories))
        object.__setattr__(self, "closures", tuple(self.closures))
        if self.open_always:
            return
        if not self.weekdays or not set(self.weekdays) <= set(range(7)):
            raise CalendarError(f"weekdays must be a non-empty subset of 0..6 (Monday=0), got {sorted(self.weekdays)}")
        if self.closes <= self.opens:
            raise CalendarError(f"closing time {self.closes} must be after opening time {self.opens}")

    @classmethod
    def always_open(cls) -> BusinessCalendar:
        """24 x 7 coverage: every instant counts, holidays included (Platin, Guld)."""
        return cls(open_always=True, holiday_country=None)

    @classmethod
    def weekday_hours(
        cls,
        *,
        opens: time = time(8, 30),
        closes: time = time(15, 0),
        weekdays: frozenset[int] = WEEKDAYS,
        holiday_country: str | None = "DK",
        holiday_categories: tuple[str, ...] = ("public",),
        closures: tuple[Closure, ...] = (),
    ) -> BusinessCalendar:
        """Weekday daytime coverage (default Mon-Fri 08:30-15:00 without DK public holidays)."""
        return cls(
            weekdays=weekdays,
            opens=opens,
            closes=closes,
            holiday_country=holiday_country,
            holiday_categories=holiday_categories,
            closures=closures,
        )

    @property
    def working_day(self) -> timedelta:
        """Coverage time of one full working day (6.5 h for 08:30-15:00, 24 h when always open)."""
        if self.open_always:
            return _DAY
        return _offset(self.closes) - _offset(self.opens)

    def is_holiday(self, day: date) -> bool:
        if not self.holiday_country:
            return False
        return day in _holiday_dates(self.holiday_country, self.holiday_categories, day.year)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """Open windows of a local calendar day as UTC ``(start, end)`` pairs, in order."""
        if self.open_always:
            start = datetime.combine(day, time.min, self.tz)
            return ((start.astimezone(UTC), (start + _DAY).astimezone(UTC)),)
        cached = self._windows.get(day)
        if cached is None:
            cached = self._compute_windows(day)
            if len(self._windows) >= _WINDOW_CACHE_LIMIT:
                self._windows.clear()
            self._windows[day] = cached
        return cached

    def _compute_windows(self, day: date) -> tuple[Window, ...]:
        if day.weekday() not in self.weekdays or self.is_holiday(day):
            return ()
        spans = [(_offset(self.opens), _offset(self.closes))]
        for closure in self.closures:
            if closure.applies_to(day):
                spans = _subtract(spans, closure.span())
        midnight = datetime.combine(day, time.min, self.tz)
        # wall-clock offsets from local midnight, then converted: correct on DST days
        return tuple(
            ((midnight + start).astimezone(UTC), (midnight + end).astimezone(UTC)) for start, end in spans
        )

    def _windows_from(self, at: datetime):
        """Yield open windows that end after ``at`` (UTC), day by day, forever."""
        day = at.astimezone(self.tz).date()
        closed_days = 0
        while True:
            windows = self.windows_on(day)
            closed_days = 0 if windows else closed_days + 1
            if closed_days > _MAX_CLOSED_DAYS:
                raise CalendarError(f"calendar has no open hours within {_MAX_CLOSED_DAYS} days of {day}")
            for start, end in windows:
                if end > at:
                    yield start, end
            day += _DAY

    def is_open(self, at: datetime) -> bool:
        """True if ``at`` lies inside an open window (start inclusive, end exclusive)."""
        moment = require_aware(at)
        if self.open_always:
            return True
        day = moment.astimezone(self.tz).date()
        return any(start <= moment < end for start, end in self.windows_on(day))

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself (in UTC) if open, else the start of the next open window."""
        moment = require_aware(at)
        if self.open_always:
            return moment
        start, _ = next(self._windows_from(moment))
        return max(start, moment)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC instant when ``duration`` of coverage time has passed after ``start``.

        A start outside coverage begins counting at the next opening; a result that uses
        a window up to its end is that end (e.g. 15:00), not the next opening.
        """
        moment = require_aware(start, name="start")
        if duration < timedelta(0):
            raise CalendarError(f"duration must not be negative, got {duration}")
        if self.open_always:
            return moment + duration
        remaining = duration
        for window_start, window_end in self._windows_from(moment):
            begin = max(window_start, moment)
            available = window_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: _windows_from is endless")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Add ``days`` working days, each the coverage time of one full day (see module doc)."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise CalendarError(f"working days must be a whole number >= 0, got {days!r}")
        return self.add(start, self.working_day * days)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Coverage time between ``start`` and ``end`` (``end`` must not be before ``start``)."""
        begin, finish = require_aware(start, name="start"), require_aware(end, name="end")
        if finish < begin:
            raise CalendarError(f"end {end.isoformat()} is before start {start.isoformat()}")
        if self.open_always:
            return finish - begin
        total = timedelta(0)
        day = begin.astimezone(self.tz).date()
        last_day = finish.astimezone(self.tz).date()
        while day <= last_day:
            for window_start, window_end in self.windows_on(day):
                overlap = min(window_end, finish) - max(window_start, begin)
                if overlap > timedelta(0):
                    total += overlap
            day += _DAY
        return total


def _subtract(
    spans: list[tuple[timedelta, timedelta]], closed: tuple[timedelta, timedelta]
) -> list[tuple[timedelta, timedelta]]:
    """Remove the closed span from a list of open spans (all offsets from local midnight)."""
    closed_start, closed_end = closed
    result = []
    for start, end in spans:
        if closed_end <= start or closed_start >= end:
            result.append((start, end))
            continue
        if start < closed_start:
            result.append((start, closed_start))
        if closed_end < end:
            result.append((closed_end, end))
    return result
