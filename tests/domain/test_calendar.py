"""Business calendar: coverage hours, Danish holidays, closures, DST (H-S2, H-E1).

Expected values are computed by hand from the handbook defaults
(Mon-Fri 08:30-15:00 Europe/Copenhagen, one working day = 6.5 h).
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import (
    COPENHAGEN,
    BusinessCalendar,
    CalendarError,
    Closure,
    local_datetime,
    to_local,
)

DESK_CLOSURES = (
    Closure(month=12, day=24),
    Closure(month=12, day=31),
    Closure(month=6, day=5, closed_from=time(12)),
)
DAYTIME = BusinessCalendar.weekday_hours(closures=DESK_CLOSURES)
ALWAYS = BusinessCalendar.always_open()


def cph(text: str) -> datetime:
    """A Copenhagen wall-clock time written as 'YYYY-MM-DD HH:MM[:SS]'."""
    return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


def local_iso(at: datetime) -> str:
    return to_local(at).isoformat()


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        ("2024-03-04 08:30", True),  # Monday, opening instant
        ("2024-03-04 08:29:59", False),
        ("2024-03-04 14:59:59", True),
        ("2024-03-04 15:00", False),  # closing instant is closed
        ("2024-03-09 10:00", False),  # Saturday
        ("2024-04-01 10:00", False),  # Easter Monday
        ("2023-05-05 10:00", False),  # Store Bededag 2023
        ("2024-04-26 10:00", True),  # former Store Bededag, a working day from 2024
        ("2024-12-24 10:00", False),  # closure: Christmas Eve
        ("2024-06-05 11:59", True),  # Constitution Day morning
        ("2024-06-05 12:00", False),  # ... closed from 12:00
    ],
)
def test_h_s2_is_open_on_weekday_daytime(at, is_open):
    assert DAYTIME.is_open(cph(at)) is is_open


def test_h_s2_always_open_counts_holidays_and_nights():
    assert ALWAYS.is_open(cph("2024-12-25 03:00"))
    assert ALWAYS.working_day == timedelta(hours=24)
    assert DAYTIME.working_day == timedelta(hours=6, minutes=30)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2024-03-04 10:00", "2024-03-04T10:00:00+01:00"),
        ("2024-03-04 15:00", "2024-03-05T08:30:00+01:00"),
        ("2024-03-08 16:00", "2024-03-11T08:30:00+01:00"),  # Friday evening
        ("2024-03-27 15:30", "2024-04-02T08:30:00+02:00"),  # Easter 2024 and DST
        ("2024-12-23 15:00", "2024-12-27T08:30:00+01:00"),  # 24/12 closed, 25-26/12 holidays
    ],
)
def test_h_s2_next_open(at, expected):
    assert local_iso(DAYTIME.next_open(cph(at))) == expected


def test_h_s2_outputs_are_utc():
    assert DAYTIME.add(cph("2024-03-04 10:00"), timedelta(hours=1)).tzinfo is UTC
    assert ALWAYS.add(cph("2024-03-04 10:00"), timedelta(hours=1)).tzinfo is UTC


def test_h_s2_24x7_hours_are_real_elapsed_time_across_spring_forward():
    # 00:30 CET = 23:30 UTC; + 4 h = 03:30 UTC = 05:30 CEST (wall-clock arithmetic would say 04:30)
    assert local_iso(ALWAYS.add(cph("2024-03-31 00:30"), timedelta(hours=4))) == "2024-03-31T05:30:00+02:00"


def test_h_s2_24x7_hours_are_real_elapsed_time_across_fall_back():
    # 00:30 CEST = 22:30 UTC; +4 h = 02:30 UTC = 03:30 CET
    assert local_iso(ALWAYS.add(cph("2024-10-27 00:30"), timedelta(hours=4))) == "2024-10-27T03:30:00+01:00"
    assert ALWAYS.elapsed(cph("2024-10-27 00:00"), cph("2024-10-28 00:00")) == timedelta(hours=25)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2024-03-04 10:00", 2, "2024-03-06T10:00:00+01:00"),  # Mon 10:00 + 2 WD = Wed 10:00
        ("2024-03-27 14:00", 2, "2024-04-03T14:00:00+02:00"),  # over Easter and spring DST
        ("2024-10-25 14:00", 1, "2024-10-28T14:00:00+01:00"),  # over autumn DST
        ("2024-03-09 11:00", 1, "2024-03-11T15:00:00+01:00"),  # Saturday: Monday's whole window
        ("2024-06-04 10:00", 2, "2024-06-06T13:00:00+02:00"),  # 5 June closes at 12:00
        ("2024-03-04 10:00", 0, "2024-03-04T10:00:00+01:00"),
    ],
)
def test_h_s2_add_working_days_counts_full_coverage_days(start, days, expected):
    assert local_iso(DAYTIME.add_working_days(cph(start), days)) == expected


def test_h_s2_add_working_days_on_24x7_is_24_real_hours_per_day():
    # 2 x 24 h across the spring switch: 12:00 CET + 48 h = 13:00 CEST
    assert local_iso(ALWAYS.add_working_days(cph("2024-03-30 12:00"), 2)) == "2024-04-01T13:00:00+02:00"


def test_h_s2_deadline_that_uses_a_whole_window_ends_at_closing_time():
    assert local_iso(DAYTIME.add(cph("2024-03-04 10:00"), timedelta(hours=5))) == "2024-03-04T15:00:00+01:00"


def test_h_s2_elapsed_counts_only_coverage_time():
    # Fri 09:00-15:00 (6 h) + Mon 6.5 h + Tue 08:30-12:00 (3.5 h) = 16 h
    assert DAYTIME.elapsed(cph("2024-10-25 09:00"), cph("2024-10-29 12:00")) == timedelta(hours=16)
    assert DAYTIME.elapsed(cph("2024-03-09 09:00"), cph("2024-03-10 12:00")) == timedelta(0)


def test_h_s2_extra_hours_closure_in_the_middle_of_the_day():
    lunch = BusinessCalendar.weekday_hours(closures=(Closure(month=3, day=4, closed_from=time(11), closed_until=time(12)),))
    assert not lunch.is_open(cph("2024-03-04 11:30"))
    assert lunch.is_open(cph("2024-03-04 12:00"))
    assert local_iso(lunch.add(cph("2024-03-04 10:00"), timedelta(hours=2))) == "2024-03-04T13:00:00+01:00"
    assert not lunch.is_open(cph("2025-03-04 11:30"))  # recurring: every year on its date ...
    assert lunch.is_open(cph("2024-03-05 11:30"))  # ... and only on its date
    once = BusinessCalendar.weekday_hours(closures=(Closure(year=2024, month=3, day=5),))
    assert not once.is_open(cph("2024-03-05 10:00"))
    assert once.is_open(cph("2025-03-05 10:00"))  # ... a one-off only in its year


def test_h_s2_configurable_hours_and_weekdays():
    saturday_morning = BusinessCalendar.weekday_hours(opens=time(9), closes=time(12), weekdays=frozenset({5}))
    assert saturday_morning.working_day == timedelta(hours=3)
    assert local_iso(saturday_morning.add(cph("2024-03-04 10:00"), timedelta(hours=4))) == "2024-03-16T10:00:00+01:00"


def test_h_s2_daytime_window_containing_the_dst_switch_counts_real_time():
    night = BusinessCalendar.weekday_hours(opens=time(0), closes=time(6), weekdays=frozenset(range(7)), holiday_country=None)
    assert night.elapsed(cph("2024-03-31 00:00"), cph("2024-03-31 07:00")) == timedelta(hours=5)
    assert night.elapsed(cph("2024-10-27 00:00"), cph("2024-10-27 07:00")) == timedelta(hours=7)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DAYTIME.is_open(datetime(2024, 3, 4, 10)), "timezone-aware"),
        (lambda: DAYTIME.add(cph("2024-03-04 10:00"), timedelta(hours=-1)), "negative"),
        (lambda: DAYTIME.add_working_days(cph("2024-03-04 10:00"), -1), "whole number"),
        (lambda: DAYTIME.add_working_days(cph("2024-03-04 10:00"), 1.5), "whole number"),
        (lambda: DAYTIME.elapsed(cph("2024-03-05 10:00"), cph("2024-03-04 10:00")), "before start"),
        (lambda: BusinessCalendar.weekday_hours(opens=time(15), closes=time(8)), "after opening"),
        (lambda: BusinessCalendar.weekday_hours(weekdays=frozenset()), "non-empty"),
        # the holidays package is imported on first use (issue 15), so an unknown country fails there
        (lambda: BusinessCalendar.weekday_hours(holiday_country="XX").is_open(cph("2024-03-04 10:00")), "XX"),
        (lambda: BusinessCalendar.weekday_hours(holiday_categories=("nonsense",)).add(cph("2024-03-04 10:00"), timedelta(hours=1)),
         "nonsense"),
        (lambda: Closure(month=2, day=30), "closure date"),
        (lambda: Closure(month=6, day=5, closed_from=time(12), closed_until=time(11)), "after closed_from"),
    ],
)
def test_h_s2_bad_input_raises_calendar_error(make, message):
    with pytest.raises(CalendarError, match=message):
        make()


def test_h_s2_calendar_without_open_hours_fails_instead_of_looping():
    all_closed = tuple(
        Closure(year=day.year, month=day.month, day=day.day)
        for day in (date(2025, 1, 1) + timedelta(days=n) for n in range(731))
    )
    never = BusinessCalendar.weekday_hours(closures=all_closed)
    with pytest.raises(CalendarError, match="no open hours"):
        never.add(cph("2025-01-01 10:00"), timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "message"),
    [("2024-03-31 02:30", "does not exist"), ("2024-10-27 02:30", "occurs twice")],
)
def test_h_s2_local_times_that_dst_skips_or_repeats_are_rejected(text, message):
    with pytest.raises(CalendarError, match=message):
        local_datetime(datetime.fromisoformat(text))


def test_h_s2_local_datetime_reads_copenhagen_wall_clock():
    assert local_datetime(datetime(2024, 7, 1, 8, 30)).isoformat() == "2024-07-01T08:30:00+02:00"


instants = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC))
coverage = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=80))


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(start=instants, duration=coverage)
def test_h_s2_elapsed_inverts_add(start, duration):
    for calendar in (DAYTIME, ALWAYS):
        assert calendar.elapsed(start, calendar.add(start, duration)) == duration


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(first=instants, later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), duration=coverage)
def test_h_s2_add_never_decreases_when_start_moves_later(first, later_by, duration):
    assert DAYTIME.add(first, duration) <= DAYTIME.add(first + later_by, duration)
