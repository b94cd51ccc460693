"""H-R1.3: the contact-attempt closure guard and the schedule of further attempts."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import BusinessCalendar
from domain.contact_guard import Attempt, GuardPolicy, evaluate_guard, next_attempt_due

CPH = ZoneInfo("Europe/Copenhagen")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CPH)


def mail(text, **kw):
    return Attempt(at(text), "mail", **kw)


def phone(text, **kw):
    return Attempt(at(text), "phone", **kw)


@pytest.mark.parametrize("attempts, satisfied, missing_fragments", [
    # confirmation at the first attempt closes at once
    ([phone("2026-11-23 10:00", confirmed=True)], True, []),
    # three attempts, two weeks, both channels
    ([mail("2026-11-23 10:00"), phone("2026-11-25 10:00"), phone("2026-11-30 10:00")], True, []),
    # across new year: ISO week 53 of 2026 and week 1 of 2027 are different weeks
    ([mail("2026-12-29 10:00"), phone("2026-12-31 10:00"), mail("2027-01-04 10:00")], True, []),
    # Sunday night / Monday morning within the gap: one occasion in one week
    ([mail("2026-11-29 23:30"), phone("2026-11-30 00:30"), phone("2026-11-30 09:00")], False, ["1 kontaktforsøg mere"]),
    ([mail("2026-11-29 23:30"), phone("2026-11-30 00:30"), mail("2026-12-02 09:00")], False,
     ["1 kontaktforsøg mere"]),
    # the default schedule: mail + call together, again after 2 working days, again next week
    ([mail("2026-11-23 10:00"), phone("2026-11-23 10:20"), mail("2026-11-25 10:00"), phone("2026-11-25 11:00"),
      mail("2026-11-30 08:30")], True, []),
    # Sunday night / Monday morning far enough apart count as two weeks
    ([mail("2026-11-29 18:00"), phone("2026-11-30 09:00"), mail("2026-12-01 09:00")], True, []),
    # only one channel
    ([mail("2026-11-23 10:00"), mail("2026-11-25 10:00"), mail("2026-11-30 10:00")], False, ["via telefon"]),
    # all in one week
    ([mail("2026-11-23 10:00"), phone("2026-11-24 10:00"), mail("2026-11-26 10:00")], False, ["kalenderuge"]),
    # auto-replies and bounces don't count
    ([mail("2026-11-23 10:00"), phone("2026-11-25 10:00"), mail("2026-11-30 10:00", counts=False)], False,
     ["1 kontaktforsøg mere"]),
    ([], False, ["3 kontaktforsøg mere", "2 kalenderuge", "via e-mail", "via telefon"]),
])
def test_h_r1_3_closure_guard_table(attempts, satisfied, missing_fragments):
    result = evaluate_guard(attempts)
    assert result.satisfied is satisfied
    for fragment in missing_fragments:
        assert fragment in result.message
    if not satisfied:
        assert result.message.startswith("Sagen kan ikke lukkes endnu: ") and "H-R" not in result.message


def test_h_r1_3_policy_is_configurable():
    attempts = [mail("2026-11-23 10:00"), phone("2026-11-23 15:00")]
    assert evaluate_guard(attempts, GuardPolicy(min_attempts=2, min_weeks=1)).satisfied
    assert not evaluate_guard(attempts, GuardPolicy(min_attempts=2, min_weeks=1, min_gap=timedelta(hours=6))).satisfied
    assert "med mindst 6 timer imellem" in evaluate_guard(attempts, GuardPolicy(min_gap=timedelta(hours=6))).message


def test_h_r1_3_next_attempts_after_two_working_days_then_a_later_week():
    calendar = BusinessCalendar.weekday_hours()
    first = [mail("2026-11-26 10:00")]                      # Thursday
    assert next_attempt_due(first, calendar) == at("2026-11-30 10:00")          # + 2 working days (Mon)
    two_same_week = [mail("2026-11-23 10:00"), phone("2026-11-25 10:00")]      # Mon, Wed
    assert next_attempt_due(two_same_week, calendar) == at("2026-11-30 08:30")  # opening of next ISO week
    done = [mail("2026-11-23 10:00"), phone("2026-11-25 10:00"), phone("2026-11-30 10:00")]
    assert next_attempt_due(done, calendar) is None
    christmas = [mail("2026-12-23 10:00")]                   # 24-26 Dec closed → 2 working days later
    assert next_attempt_due(christmas, BusinessCalendar.weekday_hours()) >= at("2026-12-28 08:30")
