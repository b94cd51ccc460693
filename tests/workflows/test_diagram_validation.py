"""Diagram validation: the shipped diagrams pass; unsafe or broken diagrams are rejected with
`file:line: element: message` rows and nothing is deployed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.errors import UnsafeExpression
from tasks.operations import OPERATIONS
from engine.adapter import DiagramInvalid, Engine
from engine.validation import validate_sources

BPMN_DIR = Path(__file__).resolve().parents[2] / "workflows" / "bpmn"


def shipped() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in BPMN_DIR.iterdir() if p.suffix in (".bpmn", ".dmn")}


def validate(sources):
    return validate_sources(sources, known_topics=OPERATIONS.keys(), main_process="incident_handling")


def with_change(file: str, old: str, new: str, count: int = 1) -> dict[str, str]:
    sources = shipped()
    assert old in sources[file], old
    sources[file] = sources[file].replace(old, new, count)
    return sources


def test_shipped_diagrams_are_valid():
    assert validate(shipped()) == []


@pytest.mark.parametrize("condition", [
    '__import__("os").system("id")',
    '().__class__.__bases__[0].__subclasses__()',
    'priority.__class__',
    '[c for c in ().__class__.__mro__]',
    'open("/etc/passwd")',
    'lambda: 1',
    '2 ** 99999999',
])
def test_unsafe_gateway_condition_is_rejected_at_validation(condition):
    sources = with_change("incident_handling.bpmn", 'classification == "complaint"', condition.replace('"', "&quot;"))
    problems = validate(sources)
    assert len(problems) == 1
    assert problems[0].file == "incident_handling.bpmn" and problems[0].element == "flow_complaint"
    assert re.match(r"incident_handling\.bpmn:\d+: flow_complaint \(Klage\): condition: ", str(problems[0]))


def test_unsafe_dmn_cell_is_rejected():
    problems = validate(with_change("priority_matrix.dmn", '<text>"critical"</text>', "<text>().__class__</text>"))
    assert problems and "DMN cell" in problems[0].message and problems[0].file == "priority_matrix.dmn"


def test_script_task_is_rejected_with_advice():
    sources = with_change("verify_solution.bpmn", '<bpmn:serviceTask id="clear_verification"',
                          '<bpmn:scriptTask id="clear_verification"')
    sources["verify_solution.bpmn"] = sources["verify_solution.bpmn"].replace(
        "</bpmn:serviceTask>\n    <bpmn:exclusiveGateway id=\"test_waiver_requested\"",
        "</bpmn:scriptTask>\n    <bpmn:exclusiveGateway id=\"test_waiver_requested\"")
    problems = validate(sources)
    assert any("script tasks are not allowed" in p.message for p in problems)


def test_xxe_and_entity_expansion_are_refused_before_parsing():
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>')
    problems = validate({**shipped(), "evil.bpmn": xxe})
    assert [(p.file, p.message) for p in problems] == [
        ("evil.bpmn", "DOCTYPE and entity declarations are not allowed in diagrams")]


def test_huge_file_is_refused():
    problems = validate({**shipped(), "huge.bpmn": "<a>" + "x" * 2_100_000 + "</a>"})
    assert problems[0].file == "huge.bpmn" and "larger than" in problems[0].message


def test_user_task_without_lane_or_form_and_unknown_topic_are_reported():
    sources = with_change("incident_handling.bpmn", "<bpmn:flowNodeRef>choose_team</bpmn:flowNodeRef>", "")
    sources["incident_handling.bpmn"] = sources["incident_handling.bpmn"].replace(
        'camunda:topic="close_case"', 'camunda:topic="rm_rf"')
    messages = {(p.element, p.message.split(";")[0]) for p in validate(sources)}
    assert ("choose_team", "user task is in no lane") in messages
    assert ("close_case", "unknown topic 'rm_rf'") in messages


def test_unknown_form_constraint_is_reported():
    problems = validate(with_change("incident_handling.bpmn", 'name="must_be_true"', 'name="must_be_tru"'))
    assert problems and "unknown constraint 'must_be_tru'" in problems[0].message


def test_broken_xml_reports_file_and_line():
    problems = validate({**shipped(), "broken.bpmn": "<a>\n<b>\n</a>"})
    assert problems[0].file == "broken.bpmn" and problems[0].line == 3


def test_xsd_error_reports_line():
    problems = validate(with_change("second_triage.bpmn", "<bpmn:startEvent", "<bpmn:fooEvent", 1))
    assert problems and problems[0].file == "second_triage.bpmn" and problems[0].line


def _timer_diagram(expression: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="timer_test" isExecutable="true">
    <bpmn:startEvent id="timer_started"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_a_bit"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_def"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="timer_done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="timer_started" targetRef="wait_a_bit" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_a_bit" targetRef="timer_done" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("expression", ["PT10M", '"PT10M"'])
def test_camunda_bare_timer_literal_works(expression):
    engine = Engine()
    bundle = engine.build_bundle({"t.bpmn": _timer_diagram(expression)}, process_id="timer_test", known_topics=[])
    workflow = engine.start(bundle, {})
    engine.run(workflow, bundle, lambda call: {})
    (_, bpmn_id, due), = engine.waiting_timers(workflow)
    assert bpmn_id == "wait_a_bit" and due.tzinfo is not None


@pytest.mark.parametrize("expression, fragment", [
    ('"ten minutes"', "not valid ISO 8601"),
    ('__import__("os")', "only these functions may be called"),
])
def test_bad_timer_is_rejected_at_validation(expression, fragment):
    with pytest.raises(DiagramInvalid) as err:
        Engine().build_bundle({"t.bpmn": _timer_diagram(expression)}, process_id="timer_test", known_topics=[])
    assert fragment in str(err.value) and "t.bpmn:" in str(err.value)


def test_camunda_dollar_condition_works_after_normalisation():
    sources = with_change("incident_handling.bpmn", 'classification == "complaint"', '${classification == "complaint"}')
    assert validate(sources) == []


def test_restored_workflows_keep_the_safe_script_engine():
    engine = Engine()
    bundle = engine.build_bundle(shipped(), process_id="incident_handling", known_topics=OPERATIONS.keys())
    workflow = engine.load(bundle, engine.dump(engine.start(bundle, {})))
    with pytest.raises(UnsafeExpression):
        workflow.script_engine.environment.evaluate('__import__("os").getpid()', {})
