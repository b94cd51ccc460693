"""prefill_from (issue 14): a field without case data of its own starts from an expression over the
case data — a proposal (e.g. Remedy's team and technician) that the person may keep or change; an
expression that cannot be evaluated, or an enum value the field does not offer, proposes nothing."""
from __future__ import annotations

from domain.forms import FieldSpec, FormSpec, Option, lint_form, validate_submission

TEAM = FieldSpec(id="team", type="enum", label="Team", properties={"prefill_from": "remedy_team"},
                 options=[Option(id="network", name="Netværk"), Option(id="unix", name="Unix")])
ASSIGNEE = FieldSpec(id="assignee", type="string", label="Tekniker",
                     properties={"prefill": "true", "prefill_from": "remedy_assignee if team == remedy_team else None"})


class Everyone:
    def is_member(self, username, team):
        return True


def test_a_proposal_is_the_starting_value_and_is_kept_when_not_answered():
    assert TEAM.starting_value({"remedy_team": "network"}) == "network"
    values = validate_submission(FormSpec(fields=[TEAM]), {}, {"remedy_team": "network"}, directory=Everyone())
    assert values["team"] == "network"
    answered = validate_submission(FormSpec(fields=[TEAM]), {"team": "unix"}, {"remedy_team": "network"},
                                   directory=Everyone())
    assert answered["team"] == "unix"                    # the person decides


def test_the_fields_own_data_wins_and_a_condition_can_withdraw_the_proposal():
    data = {"team": "network", "remedy_team": "network", "remedy_assignee": "net.tekniker"}
    assert ASSIGNEE.starting_value(data) == "net.tekniker"
    assert ASSIGNEE.starting_value({**data, "team": "unix"}) is None
    assert ASSIGNEE.starting_value({**data, "assignee": "anden"}) == "anden"


def test_no_proposal_without_its_data_or_outside_the_fields_values():
    assert TEAM.starting_value({}) is None and ASSIGNEE.starting_value({"team": "unix"}) is None   # unknown names
    assert TEAM.starting_value({"remedy_team": "service_desk"}) is None                           # not offered


def test_lint_refuses_an_unsafe_prefill_from():
    bad = FieldSpec(id="team", type="string", label="Team", properties={"prefill_from": "__import__('os')"})
    assert any("prefill_from" in p for p in lint_form(FormSpec(fields=[bad])))
    assert lint_form(FormSpec(fields=[TEAM, ASSIGNEE])) == []
