"""Issue 10, replay before deploy: the recorded answers of the latest cases and docs/examples/ are
replayed on a candidate version without side effects; per case the same path, a changed path at an
element (what it now asks), a failure at an element, or answers needed for new fields."""
from __future__ import annotations

import json

from casewalk import T0, CaseWalk
from cli.main import main
from config.settings import ROOT
from services.deployments import read_directory
from services.simulate import simulate
from store.models import HumanTaskRow, OutboxRow, ProcessDefinitionRow, RecordedAnswerRow, WorkInfoRow

BPMN_DIR = ROOT / "workflows" / "bpmn"
SWAP = [('team == "application_operations"', 'team == "x_network"'), ('team == "network"', 'team == "application_operations"'),
        ('team == "x_network"', 'team == "network"')]
NEW_FIELD = ('<camunda:formField id="what_not_working"',
             '<camunda:formField id="building" label="Bygning" type="string"><camunda:validation>'
             '<camunda:constraint name="required" /></camunda:validation></camunda:formField>'
             '<camunda:formField id="what_not_working"')


def candidate(file: str, *changes) -> dict[str, str]:
    sources, _ = read_directory(BPMN_DIR)
    for old, new in changes:
        assert old in sources[file], old
        sources[file] = sources[file].replace(old, new, 1)
    return sources


def cases(session, runtime):
    at_distribution = CaseWalk(session, runtime)
    at_distribution.to_distribution(team="application_operations")
    at_triage = CaseWalk(session, runtime)
    at_triage.do("classify_case", "sd.tekniker", {"classification": "incident"})
    return at_distribution.number, at_triage.number


def counts(session):
    return [session.query(model).count() for model in (WorkInfoRow, OutboxRow, RecordedAnswerRow, ProcessDefinitionRow)] + [
        session.query(HumanTaskRow).filter(HumanTaskRow.answer_seq.is_not(None)).count()]


def test_the_current_version_replays_every_case_and_the_examples_unchanged(session, runtime):
    cases(session, runtime)
    before = counts(session)
    result = simulate(session, runtime, sources=read_directory(BPMN_DIR)[0], cases=10, now=T0)
    assert result.summary() == {"cases": 2, "unchanged": 2, "changed": 0, "failed": 0, "needs_answers": 0}
    assert result.examples.outcome == "same" and result.examples.steps >= 9, result.examples.describe()
    session.rollback()
    assert counts(session) == before


def test_a_changed_route_is_reported_with_what_the_candidate_now_asks(session, runtime):
    moved, stays = cases(session, runtime)
    result = simulate(session, runtime, sources=candidate("second_triage.bpmn", *SWAP), cases=10, now=T0)
    by_case = {r.case: r for r in result.cases}
    assert by_case[moved].outcome == "changed" and by_case[moved].element == "questionnaire_application_operations"
    assert by_case[moved].describe() == ("path changed at «Visitation: Applikationsdrift» "
                                         "(questionnaire_application_operations): now asks «Visitation: Netværk» instead")
    assert by_case[stays].outcome == "same"
    assert result.summary()["changed"] == 1


def test_a_new_required_field_needs_answers_and_a_removed_option_would_fail(session, runtime):
    answered, not_yet = cases(session, runtime)
    result = simulate(session, runtime, sources=candidate("incident_handling.bpmn", NEW_FIELD), cases=10, now=T0)
    by_case = {r.case: r for r in result.cases}
    assert (by_case[answered].outcome, by_case[answered].element, by_case[answered].fields) == (
        "needs_answers", "first_triage", ["Bygning"])
    assert by_case[not_yet].outcome == "same"
    removed = candidate("incident_handling.bpmn", ('<camunda:value id="incident" name="Incident – fejl i infrastruktur, system eller applikation" />', ""))
    failed = simulate(session, runtime, sources=removed, cases=10, now=T0, examples=False)
    assert {r.outcome for r in failed.cases} == {"failed"}
    assert failed.cases[0].element == "classify_case" and "Ugyldigt valg" in failed.cases[0].error


def test_bpmn_simulate_on_the_command_line(session, runtime, cli_env, tmp_path, capsys):
    cases(session, runtime)
    directory = tmp_path / "bpmn"
    directory.mkdir()
    for name, text in candidate("second_triage.bpmn", *SWAP).items():
        (directory / name).write_text(text, encoding="utf-8")
    assert main(["bpmn", "simulate", str(directory), "--cases", "5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"] == {"cases": 2, "unchanged": 1, "changed": 1, "failed": 0, "needs_answers": 0}
    assert main(["bpmn", "simulate", str(directory)]) == 0
    assert capsys.readouterr().out.strip().endswith(
        "2 cases: 1 unchanged, 1 changed, 0 would fail, 0 need answers to new fields")


def test_a_customers_mail_reply_is_recorded_and_replayed(session, runtime):
    from services.messages import deliver_customer_reply
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    deliver_customer_reply(session, runtime, case_number=walk.number, text="Det er 60-143B", now=walk.now())
    session.commit()
    assert session.query(RecordedAnswerRow).filter_by(bpmn_id="message:customer_reply").one().answers == {
        "text": "Det er 60-143B"}
    [same] = simulate(session, runtime, sources=read_directory(BPMN_DIR)[0], cases=1, now=T0, examples=False).cases
    assert same.outcome == "same", same.describe()
    no_wait = candidate("resolve_case.bpmn", ('name="customer_reply"', 'name="customer_answer"'))
    [changed] = simulate(session, runtime, sources=no_wait, cases=1, now=T0, examples=False).cases
    assert (changed.outcome, changed.element) == ("changed", "message:customer_reply"), changed.describe()
