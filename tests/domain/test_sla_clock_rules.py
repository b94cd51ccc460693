"""The clock's start/stop rules of H-S1 (issue 12), against hand-worked cases — including the DST
nights: resolution runs from the start of work until resolved, excluding customer pauses and the
time a case spent resolved before it was reopened; reaction runs from receipt and is never stopped."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from config.sla_config import DEFAULT_PATH, load_sla_config
from domain.calendar import COPENHAGEN, local_text, to_local
from domain.sla import Pause, compute_deadlines

POLICY = load_sla_config(DEFAULT_PATH).sla_policy


def cph(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


def local(at: datetime | None) -> str | None:
    return to_local(at).strftime("%Y-%m-%d %H:%M %Z") if at else None


def test_h_s1_resolved_time_before_a_reopen_does_not_count_across_the_spring_forward_night():
    # critical, gold (24 x 7): 4 h. Work 00:30-01:30 (1 h), resolved until 04:00 CEST — the clock
    # jumps 02:00 -> 03:00 that night, so the stop is 1.5 real hours — then 3 h left: 07:00 CEST.
    started = cph("2026-03-29T00:30")
    result = compute_deadlines(priority="critical", sla_level="gold", received_at=started, started_at=started,
                               stops=[Pause(cph("2026-03-29T01:30"), cph("2026-03-29T04:00"))], policy=POLICY)
    assert local(result.resolution_due) == "2026-03-29 07:00 CEST"
    assert local(result.resolution_warn_at) == "2026-03-29 06:00 CEST"   # 3 h of 4 h consumed


def test_h_s1_the_fall_back_night_has_one_more_hour():
    # high, gold (24 x 7): 8 real hours from 00:00 CEST on 25 October end at 07:00 CET on the wall clock
    started = cph("2026-10-25T00:00")
    result = compute_deadlines(priority="high", sla_level="gold", received_at=started, started_at=started,
                               policy=POLICY)
    assert local(result.resolution_due) == "2026-10-25 07:00 CET"
    assert local(result.reaction_due) == "2026-10-25 00:30 CEST"


def test_h_s1_daytime_resolution_excludes_the_resolved_stretch_and_the_customer_pause():
    # medium, bronze (Mon-Fri 08:30-15:00): 2 working days = 13 coverage hours from Monday 10:00.
    # Resolved Monday 12:00-Tuesday 10:00 (2 h used, not counted); waiting for the customer Tuesday
    # 11:00-13:00 (2 h). Left after Tuesday 10:00: 11 h, of which Tuesday gives 1 + 2 = 3 h
    # (10-11, 13-15), Wednesday 6.5 h, Thursday the last 1.5 h: due Thursday 10:00.
    started = cph("2026-11-23T10:00")
    result = compute_deadlines(priority="medium", sla_level="bronze", received_at=started, started_at=started,
                               pauses=[Pause(cph("2026-11-24T11:00"), cph("2026-11-24T13:00"))],
                               stops=[Pause(cph("2026-11-23T12:00"), cph("2026-11-24T10:00"))], policy=POLICY)
    assert local(result.resolution_due) == "2026-11-26 10:00 CET"


def test_h_s1_a_resolved_stretch_counts_out_even_when_customer_pauses_are_switched_off():
    started = cph("2026-11-23T10:00")
    no_pauses = replace(POLICY, pause_while_waiting_for_customer=False)
    result = compute_deadlines(priority="critical", sla_level="platinum", received_at=started, started_at=started,
                               pauses=[Pause(cph("2026-11-23T10:30"), cph("2026-11-23T11:30"))],
                               stops=[Pause(cph("2026-11-23T12:00"), cph("2026-11-23T13:00"))], policy=no_pauses)
    assert local(result.resolution_due) == "2026-11-23 15:00 CET"   # 4 h + the 1 h resolved; the pause counts


def test_h_s1_reaction_runs_from_receipt_and_is_not_stopped():
    received = cph("2026-11-23T10:00")
    result = compute_deadlines(priority="critical", sla_level="gold", received_at=received, started_at=None,
                               stops=[Pause(cph("2026-11-23T10:02"), cph("2026-11-23T10:30"))], policy=POLICY)
    assert local(result.reaction_due) == "2026-11-23 10:10 CET" and result.resolution_due is None


def test_times_for_people_are_copenhagen_and_danish():
    assert local_text(datetime.fromisoformat("2026-12-03T08:40:12.950726+00:00")) == "03-12-2026 kl. 09:40"
    assert local_text(datetime.fromisoformat("2026-07-01T08:40:00+00:00")) == "01-07-2026 kl. 10:40"
