"""prefill_from in the data-flow validation (issue 10 / issue 14): a proposal may be missing on a path
(it then proposes nothing), but a name it reads must be set somewhere or be a declared proposal
(domain/process_data.py PROPOSALS) — a typo is an error naming the name meant."""
from __future__ import annotations

from test_diagram_validation import shipped, validate, with_change

SHIPPED = 'id="prefill_from" value="remedy_assignee if team == remedy_team else None"'


def test_the_shipped_proposals_validate_although_most_cases_have_none():
    assert 'value="remedy_team"' in shipped()["incident_handling.bpmn"] and SHIPPED in shipped()["incident_handling.bpmn"]
    assert validate(shipped()) == []


def test_a_typo_in_prefill_from_is_an_error_naming_the_proposal_meant():
    problems = validate(with_change("incident_handling.bpmn", SHIPPED,
                                    'id="prefill_from" value="remedy_asignee if team == remedy_team else None"'))
    [problem] = problems
    assert (problem.element, problem.severity) == ("distribute_case", "error")
    assert problem.message == ('prefill_from of field assignee: "remedy_asignee" is never set; did you mean '
                               '"remedy_assignee" (set by a proposal an integration adds to the case (prefill_from only))?')


def test_a_condition_may_not_rely_on_a_proposal():
    problems = validate(with_change("incident_handling.bpmn", 'priority in ("critical", "high")',
                                    'remedy_team == &quot;network&quot;'))
    assert any(p.severity == "error" and '"remedy_team" is not set on any path' in p.message for p in problems)
