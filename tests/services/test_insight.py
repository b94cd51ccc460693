"""The handbook's four preconditions and the bad case flows, measured on hand-built case histories
(issue 16; H-R1.5 ownership, H-R4/H-D4 handover, H-R1.3/H-R1.4 communication, H-R1.1/H-R1.2/H-C/H-C2
documentation): one good case and one of each bad pattern, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest

from domain.errors import FormInvalid
from services.insight_report import insight_report

from insight_cases import NOW, build_all


@pytest.fixture
def report(session):
    cases = build_all(session)
    session.commit()
    built = insight_report(session, now=NOW, start=date(2026, 11, 23), end=date(2026, 12, 3))
    return cases, {c.number: c for c in built.cases}, built


def test_h_r1_5_the_good_case_meets_all_four_preconditions(report):
    cases, by_number, _ = report
    good = by_number[cases["good"].case.number]
    assert good.ok == {"ownership": True, "handover": True, "communication": True, "documentation": True}
    assert (good.unowned_hours, good.owner_changes, good.team_changes) == (0.7, 0, 0)
    assert good.customer_told == {"resolution": True, "closure": True}
    assert (good.steps, good.steps_documented) == (6, 6)
    assert (good.solution_before_resolution, good.checklist_complete, good.cmdb_mail_sent) == (True, True, None)
    assert good.patterns == [] and good.days_since_contact is None


def test_each_bad_flow_is_found_with_its_case_and_only_there(report):
    cases, _, built = report
    number = {name: b.case.number for name, b in cases.items()}
    assert built.patterns == {"reopened": [number["reopened"]], "many_team_changes": [number["many_team_changes"]],
                              "silent": [number["silent"]], "rejected_reregistered": [number["rejected"]],
                              "breached_waiting_coordinator": [number["breached_waiting"]]}


def test_h_r4_handover_measures_named_receivers_ping_pong_and_unconfirmed_critical(report):
    cases, by_number, _ = report
    many = by_number[cases["many_team_changes"].case.number]
    assert (many.team_changes, many.named_handovers, many.ping_pong) == (3, 3, False)
    assert many.ok["handover"] and not many.ok["ownership"] and many.owner_changes == 3
    pong = by_number[cases["ping_pong"].case.number]
    assert pong.teams == ["application_operations", "network", "application_operations"]
    assert (pong.team_changes, pong.named_handovers, pong.ping_pong, pong.unconfirmed_critical) == (2, 0, True, 2)
    assert not pong.ok["handover"]


def test_h_r1_3_communication_silence_and_told_of_rejection(report):
    cases, by_number, _ = report
    silent = by_number[cases["silent"].case.number]
    assert silent.days_since_contact == 10.0 and silent.silent_working_days > 3 and not silent.ok["communication"]
    rejected = by_number[cases["rejected"].case.number]
    assert rejected.customer_told == {"rejection": True} and rejected.ok["communication"]


def test_h_r1_5_ownership_a_breach_while_the_coordinator_has_not_distributed(report):
    cases, by_number, _ = report
    waiting = by_number[cases["breached_waiting"].case.number]
    assert waiting.coordinator_tasks_open == 1 and waiting.unowned_hours > 200 and not waiting.ok["ownership"]
    assert waiting.unconfirmed_critical == 0 and waiting.ok["handover"]


def test_h_c_documentation_missing_step_text_solution_and_cmdb_mail(report):
    cases, by_number, _ = report
    bad = by_number[cases["undocumented"].case.number]
    assert (bad.steps, bad.steps_documented) == (5, 4)
    assert (bad.solution_before_resolution, bad.cmdb_mail_sent) == (False, False)
    assert not bad.ok["documentation"] and bad.patterns == []


def test_per_team_and_week_the_share_of_cases_that_met_each_precondition(report):
    cases, _, built = report
    weeks = {(tw.team, tw.week): tw.as_dict() for tw in built.team_weeks}
    assert weeks[("databases", "2026-W48")] == {"team": "databases", "week": "2026-W48", "cases": 1,
                                                "ownership": 0.0, "handover": 100.0, "communication": 100.0,
                                                "documentation": 100.0}
    assert weeks[("network", "2026-W48")]["communication"] == 0.0
    app = weeks[("application_operations", "2026-W48")]
    assert app["cases"] == 4 and app["handover"] == 75.0              # good, reopened, rejected; not the ping-pong
    assert built.worst()[0].number == cases["ping_pong"].case.number   # two preconditions failed: first
    assert cases["good"].case.number not in [c.number for c in built.worst()]


def test_a_team_filter_and_a_bad_period_are_handled(session, report):
    cases, _, _ = report
    only = insight_report(session, now=NOW, start=date(2026, 11, 23), end=date(2026, 12, 3), team="network")
    assert [c.number for c in only.cases] == [cases["silent"].case.number]
    with pytest.raises(FormInvalid):
        insight_report(session, now=NOW, start=date(2026, 12, 3), end=date(2026, 11, 23))
