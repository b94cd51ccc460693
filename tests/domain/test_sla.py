"""SLA deadlines per case and the SLA data file (H-S, H-S1, H-S2, H-S3, H-R1.4).

The table's expected values are computed by hand from the handbook
(daytime Mon-Fri 08:30-15:00, 1 working day = 6.5 h, warning at 75 %), not by the code.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.sla_config import DEFAULT_PATH, SlaConfigError, load_sla_config
from domain.calendar import COPENHAGEN, to_local
from domain.sla import Pause, Priority, SlaError, SlaLevel, compute_deadlines

CONFIG = load_sla_config()
POLICY = CONFIG.sla_policy


def cph(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


def iso(at: datetime | None) -> str | None:
    return None if at is None else to_local(at).isoformat()


def deadlines(priority, level, received, started, pauses=(), **options):
    return compute_deadlines(
        priority=priority,
        sla_level=level,
        received_at=cph(received),
        started_at=cph(started),
        pauses=[Pause(start=cph(start), end=cph(end)) for start, end in pauses],
        policy=options.pop("policy", POLICY),
        **options,
    )


# fmt: off
TABLE = [
    # id, priority, level, received, started, pauses,
    #   reaction_due, reaction_warn_at, resolution_due, resolution_warn_at
    ("weekday_medium_2wd_mon_to_wed", "medium", "bronze", "2024-03-04 10:00", "2024-03-04 10:00", [],
     None, None, "2024-03-06T10:00:00+01:00", "2024-03-05T13:15:00+01:00"),
    ("friday_afternoon_critical_runs_into_monday", "critical", "bronze", "2024-03-08 14:55", "2024-03-08 14:58", [],
     "2024-03-11T08:35:00+01:00", "2024-03-11T08:32:30+01:00", "2024-03-11T12:28:00+01:00", "2024-03-11T11:28:00+01:00"),
    ("received_saturday_not_started", "high", "bronze", "2024-06-01 11:00", None, [],
     "2024-06-03T09:00:00+02:00", "2024-06-03T08:52:30+02:00", None, None),
    ("received_16_00_reacts_next_morning", "high", "silver", "2024-03-05 16:00", "2024-03-06 08:40", [],
     "2024-03-06T09:00:00+01:00", "2024-03-06T08:52:30+01:00", "2024-03-07T10:10:00+01:00", "2024-03-06T14:40:00+01:00"),
    ("received_07_00_before_opening", "critical", "bronze", "2024-03-06 07:00", "2024-03-06 08:35", [],
     "2024-03-06T08:40:00+01:00", "2024-03-06T08:37:30+01:00", "2024-03-06T12:35:00+01:00", "2024-03-06T11:35:00+01:00"),
    ("easter_2024_medium", "medium", "bronze", "2024-03-27 14:00", "2024-03-27 14:00", [],
     None, None, "2024-04-03T14:00:00+02:00", "2024-04-03T10:45:00+02:00"),
    ("easter_2024_low_5wd", "low", "bronze", "2024-03-27 14:00", "2024-03-27 14:00", [],
     None, None, "2024-04-08T14:00:00+02:00", "2024-04-05T12:22:30+02:00"),
    ("christmas_2024_24th_closed", "medium", "bronze", "2024-12-23 12:00", "2024-12-23 12:00", [],
     None, None, "2024-12-30T12:00:00+01:00", "2024-12-30T08:45:00+01:00"),
    ("new_year_31st_closed", "medium", "bronze", "2024-12-30 14:00", "2024-12-30 14:00", [],
     None, None, "2025-01-03T14:00:00+01:00", "2025-01-03T10:45:00+01:00"),
    ("store_bededag_2023_is_holiday", "medium", "bronze", "2023-05-04 10:00", "2023-05-04 10:00", [],
     None, None, "2023-05-09T10:00:00+02:00", "2023-05-08T13:15:00+02:00"),
    ("store_bededag_2024_is_working_day", "medium", "bronze", "2024-04-25 10:00", "2024-04-25 10:00", [],
     None, None, "2024-04-29T10:00:00+02:00", "2024-04-26T13:15:00+02:00"),
    ("half_day_closure_5_june", "medium", "bronze", "2024-06-04 10:00", "2024-06-04 10:00", [],
     None, None, "2024-06-06T13:00:00+02:00", "2024-06-06T09:45:00+02:00"),
    ("24x7_spring_forward", "critical", "platinum", "2024-03-31 00:20", "2024-03-31 00:30", [],
     "2024-03-31T00:30:00+01:00", "2024-03-31T00:27:30+01:00", "2024-03-31T05:30:00+02:00", "2024-03-31T04:30:00+02:00"),
    ("24x7_fall_back", "high", "gold", "2024-10-27 00:30", "2024-10-27 01:00", [],
     "2024-10-27T01:00:00+02:00", "2024-10-27T00:52:30+02:00", "2024-10-27T08:00:00+01:00", "2024-10-27T06:00:00+01:00"),
    ("24x7_working_days_are_24_real_hours", "medium", "platinum", "2024-03-30 12:00", "2024-03-30 12:00", [],
     None, None, "2024-04-01T13:00:00+02:00", "2024-04-01T01:00:00+02:00"),
    ("daytime_across_autumn_dst_ends_at_closing", "medium", "bronze", "2024-10-25 15:00", "2024-10-25 15:00", [],
     None, None, "2024-10-29T15:00:00+01:00", "2024-10-29T11:45:00+01:00"),
    ("daytime_across_spring_dst", "high", "bronze", "2025-03-28 13:00", "2025-03-28 13:00", [],
     "2025-03-28T13:30:00+01:00", "2025-03-28T13:22:30+01:00", "2025-03-31T14:30:00+02:00", "2025-03-31T12:30:00+02:00"),
    ("pause_same_day_moves_by_2h", "medium", "bronze", "2024-03-04 10:00", "2024-03-04 10:00",
     [("2024-03-04 11:00", "2024-03-04 13:00")],
     None, None, "2024-03-06T12:00:00+01:00", "2024-03-06T08:45:00+01:00"),
    ("overlapping_pauses_count_once", "medium", "bronze", "2024-03-04 10:00", "2024-03-04 10:00",
     [("2024-03-04 11:30", "2024-03-04 13:00"), ("2024-03-04 11:00", "2024-03-04 12:00")],
     None, None, "2024-03-06T12:00:00+01:00", "2024-03-06T08:45:00+01:00"),
    ("pause_over_weekend_moves_by_weekday_hours_only", "high", "bronze", "2024-03-08 13:00", "2024-03-08 13:00",
     [("2024-03-08 14:00", "2024-03-11 10:00")],
     "2024-03-08T13:30:00+01:00", "2024-03-08T13:22:30+01:00", "2024-03-12T10:30:00+01:00", "2024-03-11T15:00:00+01:00"),
    ("pause_after_breach_does_not_move_deadline", "critical", "bronze", "2024-03-04 09:00", "2024-03-04 09:00",
     [("2024-03-04 14:00", "2024-03-04 14:30")],
     "2024-03-04T09:10:00+01:00", "2024-03-04T09:07:30+01:00", "2024-03-04T13:00:00+01:00", "2024-03-04T12:00:00+01:00"),
    ("pause_before_start_counts_from_start", "critical", "bronze", "2024-03-04 08:50", "2024-03-04 09:00",
     [("2024-03-04 08:00", "2024-03-04 09:30")],
     "2024-03-04T09:00:00+01:00", "2024-03-04T08:57:30+01:00", "2024-03-04T13:30:00+01:00", "2024-03-04T12:30:00+01:00"),
    ("24x7_pause_on_saturday", "critical", "gold", "2024-03-09 10:00", "2024-03-09 10:00",
     [("2024-03-09 11:00", "2024-03-09 12:30")],
     "2024-03-09T10:10:00+01:00", "2024-03-09T10:07:30+01:00", "2024-03-09T15:30:00+01:00", "2024-03-09T14:30:00+01:00"),
]
# fmt: on


@pytest.mark.parametrize(
    ("priority", "level", "received", "started", "pauses", "reaction_due", "reaction_warn", "resolution_due", "resolution_warn"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_h_s1_h_s2_deadline_table(priority, level, received, started, pauses, reaction_due, reaction_warn, resolution_due, resolution_warn):
    result = deadlines(priority, level, received, started, pauses)
    assert (iso(result.reaction_due), iso(result.reaction_warn_at)) == (reaction_due, reaction_warn)
    assert (iso(result.resolution_due), iso(result.resolution_warn_at)) == (resolution_due, resolution_warn)
    assert result.paused is False


def test_h_r1_4_open_pause_suspends_resolution_deadline():
    result = deadlines("high", "bronze", "2024-03-08 13:00", "2024-03-08 13:00", [("2024-03-08 14:00", None)])
    assert result.paused is True
    assert (result.resolution_due, result.resolution_warn_at) == (None, None)
    assert iso(result.reaction_due) == "2024-03-08T13:30:00+01:00"  # reaction is not paused


def test_h_s1_priority_change_keeps_received_started_and_pauses():
    case = dict(received="2024-03-04 10:00", started="2024-03-04 10:20", pauses=[("2024-03-04 11:00", "2024-03-04 12:00")])
    low = deadlines("low", "bronze", **case)
    assert iso(low.resolution_due) == "2024-03-11T11:20:00+01:00"
    high = deadlines("high", "bronze", **case)  # re-prioritised: same history, new goal
    assert iso(high.reaction_due) == "2024-03-04T10:30:00+01:00"
    assert iso(high.reaction_warn_at) == "2024-03-04T10:22:30+01:00"
    assert iso(high.resolution_due) == "2024-03-05T12:50:00+01:00"
    assert iso(high.resolution_warn_at) == "2024-03-05T10:50:00+01:00"


def test_h_s_silver_24x7_by_agreement_via_coverage_override():
    result = deadlines("high", "silver", "2024-06-01 11:00", "2024-06-01 11:00", coverage="24x7")
    assert iso(result.reaction_due) == "2024-06-01T11:30:00+02:00"
    assert iso(result.resolution_due) == "2024-06-01T19:00:00+02:00"


def test_h_s3_pausing_can_be_switched_off():
    policy = replace(POLICY, pause_while_waiting_for_customer=False)
    result = deadlines("medium", "bronze", "2024-03-04 10:00", "2024-03-04 10:00", [("2024-03-04 11:00", None)], policy=policy)
    assert result.paused is False
    assert iso(result.resolution_due) == "2024-03-06T10:00:00+01:00"


def test_h_s3_warning_share_is_configurable():
    policy = replace(POLICY, warning_share=0.5)
    result = deadlines("medium", "bronze", "2024-03-04 10:00", "2024-03-04 10:00", policy=policy)
    assert iso(result.resolution_warn_at) == "2024-03-05T10:00:00+01:00"  # 6.5 h: Mon 5 h + Tue 1.5 h


def test_h_s1_results_are_utc_and_accept_enums_and_tuples():
    result = compute_deadlines(
        priority=Priority.CRITICAL,
        sla_level=SlaLevel.GOLD,
        received_at=datetime(2024, 3, 4, 9, 0, tzinfo=UTC),
        started_at=datetime(2024, 3, 4, 9, 5, tzinfo=UTC),
        pauses=[(datetime(2024, 3, 4, 10, 0, tzinfo=UTC), datetime(2024, 3, 4, 11, 0, tzinfo=UTC))],
        policy=POLICY,
    )
    assert result.reaction_due == datetime(2024, 3, 4, 9, 10, tzinfo=UTC)
    assert result.resolution_due == datetime(2024, 3, 4, 14, 5, tzinfo=UTC)
    assert result.resolution_due.tzinfo is UTC


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(priority="urgent"), "unknown priority 'urgent'"),
        (dict(sla_level="diamond"), "unknown SLA level"),
        (dict(received_at=datetime(2024, 3, 4, 10)), "timezone-aware"),
        (dict(started_at=cph("2024-03-04 09:00")), "before received_at"),
        (dict(coverage="weekends"), "unknown coverage"),
        (dict(pauses=[Pause(start=cph("2024-03-04 12:00"), end=cph("2024-03-04 11:00"))]), "before it starts"),
        (dict(pauses=[Pause(start=cph("2024-03-04 11:00")), Pause(start=cph("2024-03-04 12:00"))]), "more than one open pause"),
        (dict(pauses=[cph("2024-03-04 11:00")]), "a pause must be"),
    ],
)
def test_h_s1_bad_case_input_raises_sla_error(change, message):
    arguments = dict(
        priority="high", sla_level="bronze", received_at=cph("2024-03-04 10:00"),
        started_at=cph("2024-03-04 10:30"), pauses=(), policy=POLICY,
    )
    arguments.update(change)
    with pytest.raises(SlaError, match=message):
        compute_deadlines(**arguments)


def test_h_s3_shipped_config_is_the_handbook_table():
    assert {level.value: entry.label for level, entry in CONFIG.levels.items()} == {
        "platinum": "Platin", "gold": "Guld", "silver": "Sølv", "bronze": "Bronze",
    }
    assert {p.value: entry.label for p, entry in CONFIG.priorities.items()} == {
        "critical": "Kritisk", "high": "Høj", "medium": "Medium", "low": "Lav",
    }
    targets = POLICY.targets
    assert targets[Priority.CRITICAL].reaction.duration == timedelta(minutes=10)
    assert targets[Priority.HIGH].reaction.duration == timedelta(minutes=30)
    assert targets[Priority.MEDIUM].reaction is None and targets[Priority.LOW].reaction is None
    assert targets[Priority.CRITICAL].resolution.duration == timedelta(hours=4)
    assert targets[Priority.HIGH].resolution.duration == timedelta(hours=8)
    assert (targets[Priority.MEDIUM].resolution.working_days, targets[Priority.LOW].resolution.working_days) == (2, 5)
    assert POLICY.warning_share == 0.75 and POLICY.pause_while_waiting_for_customer is True
    assert POLICY.coverage[SlaLevel.GOLD].open_always and not POLICY.coverage[SlaLevel.BRONZE].open_always


SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('closes: "15:00"', "closes: 15:00", 'calendars.daytime.closes: write times as quoted text'),
        ("silver: {label: Sølv, coverage: daytime}", "silver: {label: Sølv, coverage: nights}", "levels.silver.coverage: unknown calendar 'nights'"),
        ("resolution: {hours: 4}", "resolution: {hours: 4, minutes: 5}", "priorities.critical.resolution: give exactly one"),
        ("warning_share: 0.75", "warning_share: 1.5", "warning_share: Input should be less than or equal to 1"),
        ('{date: "12-24", label: Juleaftensdag}', '{date: "24/12", label: Juleaftensdag}', 'closure date must be "MM-DD"'),
        ("  low:\n", "  lowest:\n", "priorities.lowest.\\[key\\]"),
        ("after_hours: [red_hat_leader, duty_phone]", "after_hours: [boss, duty_phone]", "roles without an entry in contacts: boss"),
        ("opens: \"08:30\"", "opens: \"08:30\"\n    open: \"08:00\"", "calendars.daytime.open: Extra inputs are not permitted"),
    ],
)
def test_h_s3_config_mistakes_are_reported_with_their_place(tmp_path, old, new, message):
    assert old in SHIPPED
    path = tmp_path / "sla.yaml"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SlaConfigError, match=message):
        load_sla_config(path)


def test_h_s3_missing_or_broken_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(SlaConfigError, match="cannot read SLA configuration"):
        load_sla_config(tmp_path / "absent.yaml")
    (tmp_path / "broken.yaml").write_text("levels: [\n", encoding="utf-8")
    with pytest.raises(SlaConfigError, match="not valid YAML"):
        load_sla_config(tmp_path / "broken.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n", encoding="utf-8")
    with pytest.raises(SlaConfigError, match="expected a mapping"):
        load_sla_config(tmp_path / "list.yaml")


instants = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC))
priorities = st.sampled_from(list(Priority))
levels = st.sampled_from(list(SlaLevel))


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(received=instants, wait=st.timedeltas(timedelta(0), timedelta(days=3)),
       later_by=st.timedeltas(timedelta(0), timedelta(days=10)), priority=priorities, level=levels)
def test_h_s2_deadlines_never_decrease_when_start_moves_later(received, wait, later_by, priority, level):
    def due(shift):
        return compute_deadlines(priority=priority, sla_level=level, received_at=received + shift,
                                 started_at=received + shift + wait, pauses=(), policy=POLICY)
    early, late = due(timedelta(0)), due(later_by)
    for field in ("reaction_due", "reaction_warn_at", "resolution_due", "resolution_warn_at"):
        if getattr(early, field) is not None:
            assert getattr(early, field) <= getattr(late, field), field


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(received=instants, wait=st.timedeltas(timedelta(0), timedelta(days=3)), priority=priorities,
       level=st.sampled_from([SlaLevel.SILVER, SlaLevel.BRONZE]),
       pause_at=st.timedeltas(timedelta(0), timedelta(days=2)), pause_for=st.timedeltas(timedelta(0), timedelta(days=4)))
def test_h_s2_daytime_deadlines_lie_inside_coverage_or_at_window_end(received, wait, priority, level, pause_at, pause_for):
    started = received + wait
    pause = Pause(start=started + pause_at, end=started + pause_at + pause_for)
    result = compute_deadlines(priority=priority, sla_level=level, received_at=received, started_at=started,
                               pauses=[pause], policy=POLICY)
    calendar = POLICY.coverage[level]
    for due in (result.reaction_due, result.reaction_warn_at, result.resolution_due, result.resolution_warn_at):
        if due is None:
            continue
        window_ends = {end for _, end in calendar.windows_on(to_local(due).date())}
        assert calendar.is_open(due) or due in window_ends, to_local(due)
