"""Issue 10 (validation that understands the process) and issue 9 item 8 (every expression-carrying
attribute checked): each ordinary mistake of the issue's list is caught at validation with a message
naming file, line and element — instead of breaking live cases later."""
from __future__ import annotations

import pytest

from engine.validation import errors_of

from test_diagram_validation import shipped, validate, with_change

TIMER = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">next_contact_due</bpmn:timeDate>'
PROCESS_END = "  </bpmn:process>\n  <bpmndi:BPMNDiagram id=\"incident_handling_diagram\">"


def only(problems, severity="error"):
    return [p for p in problems if p.severity == severity]


def test_shipped_diagrams_have_no_problems_and_no_warnings():
    assert validate(shipped()) == []


def test_a_typo_in_a_condition_names_the_element_and_the_name_meant():
    problems = validate(with_change("incident_handling.bpmn", 'priority in ("critical", "high")',
                                    '${priorty == &quot;critical&quot;}'))
    first = only(problems)[0]
    assert (first.file, first.element, first.name) == ("incident_handling.bpmn", "flow_critical", "Kritisk/høj")
    assert first.line and first.message == (
        '"priorty" is never set; did you mean "priority" (set by priority_matrix.dmn)?')


def test_a_typo_in_required_if_is_an_error_not_a_silently_disabled_rule():
    problems = only(validate(with_change("resolve_case.bpmn", """name="required_if" config='outcome == "resolved"'""",
                                         """name="required_if" config='outcme == "resolved"'""")))
    assert [(p.element, p.message) for p in problems] == [(
        "work_on_case", 'form rule of field solution: "outcme" is never set; did you mean "outcome" '
                        "(set by the form of «Behandl sagen» (work_on_case))?")]


def test_a_comparison_that_can_never_be_true_is_a_warning_naming_the_producer():
    problems = validate(with_change("resolve_case.bpmn", 'outcome == "resolved"</bpmn:conditionExpression>',
                                    'outcome == "resolve"</bpmn:conditionExpression>'))
    assert errors_of(problems) == []
    [warning] = problems
    assert warning.element == "flow_resolved" and warning.severity == "warning"
    assert 'can never be true: "outcome" is one of "escalate", "handover"' in warning.message


@pytest.mark.parametrize("timer, fragment", [
    ("P2H", "timer 'P2H' is not valid ISO 8601; hours, minutes and seconds come after T: PT2H"),
    ("PT2", "timer 'PT2' is not valid ISO 8601; the number needs a unit: PT2H, PT2M or PT2S"),
    ("0/5 0/1 * 1/1 * ?", "cron timers are not supported; use an ISO 8601 cycle instead, e.g. R/PT5M"),
])
def test_timers_are_parsed_at_validation(timer, fragment):
    tag = "timeCycle" if " " in timer else "timeDuration"
    problems = validate(with_change("contact_customer.bpmn", TIMER,
                                    f'<bpmn:{tag} xsi:type="bpmn:tFormalExpression">{timer}</bpmn:{tag}>'))
    [problem] = problems
    assert (problem.file, problem.element, problem.name) == ("contact_customer.bpmn", "next_attempt_due",
                                                             "Næste kontaktforsøg")
    assert fragment in problem.message and problem.line


def test_a_dmn_output_the_table_does_not_allow_is_an_error():
    problems = validate(with_change("priority_matrix.dmn", '<text>"critical"</text></outputEntry>',
                                    '<text>"Critical"</text></outputEntry>'))
    assert problems[0].element == "rule_impact1_urgency1" and problems[0].file == "priority_matrix.dmn"
    assert 'DMN output "Critical" for "priority" is not one of the allowed values "critical"' in problems[0].message


def test_a_deleted_dmn_rule_is_found_at_validation():
    sources = shipped()
    text = sources["priority_matrix.dmn"]
    start = text.index('<rule id="rule_impact2_urgency3">')
    sources["priority_matrix.dmn"] = text[:start] + text[text.index("</rule>", start) + len("</rule>"):]
    [problem] = validate(sources)
    assert problem.element == "priority_matrix" and problem.name == "Prioritet ud fra påvirkning og hastende"
    assert 'no rule matches impact = "2", urgency = "3": a case with these values would get no priority' in problem.message


def test_a_feel_list_in_a_dmn_cell_gets_the_supported_spelling():
    problems = validate(with_change("priority_matrix.dmn", '<inputEntry id="rule_impact4_urgency3_urgency"><text>"3"</text>',
                                    '<inputEntry id="rule_impact4_urgency3_urgency"><text>"3","4"</text>'))
    assert any(p.element == "rule_impact4_urgency3" and 'write in ("3", "4")' in p.message for p in problems)


@pytest.mark.parametrize("cell, fragment", [
    ("[1..3]", "FEEL range [1..3] is not supported; write 1 &lt;= ? &lt;= 3".replace("&lt;", "<")),
])
def test_feel_ranges_get_a_hint(cell, fragment):
    problems = validate(with_change("priority_matrix.dmn", '<inputEntry id="rule_impact4_urgency3_urgency"><text>"3"</text>',
                                    f'<inputEntry id="rule_impact4_urgency3_urgency"><text>{cell}</text>'))
    assert any(fragment in p.message for p in problems), problems


@pytest.mark.parametrize("condition, fragment", [
    ('classification == &quot;complaint&quot; &amp;&amp; True', "write and instead of &&"),
    ('classification == &quot;complaint&quot; || False', "write or instead of ||"),
    ('!(classification != &quot;complaint&quot;)', "write not instead of !"),
    ('classification eq &quot;complaint&quot;', "write == instead of eq"),
    ('classification != null', '"null" is JUEL/FEEL spelling; write None'),
])
def test_juel_habits_get_the_supported_spelling(condition, fragment):
    problems = only(validate(with_change("incident_handling.bpmn", 'classification == "complaint"', condition)))
    assert problems and problems[0].element == "flow_complaint" and fragment in problems[0].message


def test_a_lane_missing_from_lanes_yaml_is_an_error_on_the_task():
    problems = validate(with_change("incident_handling.bpmn", '<bpmn:lane id="lane_coordinator"',
                                    '<bpmn:lane id="lane_network_coordinator"'))
    assert any(p.element == "distribute_case" and "lane 'lane_network_coordinator' is not in config/lanes.yaml"
               in p.message for p in problems)


def test_a_plain_task_is_refused():
    problems = validate(with_change("incident_handling.bpmn", PROCESS_END,
                                    '    <bpmn:task id="call_the_customer" name="Ring til kunden" />\n' + PROCESS_END))
    assert [(p.element, p.name) for p in problems] == [("call_the_customer", "Ring til kunden")]
    assert "a plain task becomes a task nobody can complete" in problems[0].message


def test_a_boundary_timer_that_reaches_a_coordinator_task_without_a_team_is_an_error():
    boundary = ('    <bpmn:boundaryEvent id="classification_overdue" name="Klassifikation forsinket" '
                'attachedToRef="classify_case"><bpmn:outgoing>flow_overdue</bpmn:outgoing>'
                '<bpmn:timerEventDefinition id="classification_overdue_timer"><bpmn:timeDuration>PT2H</bpmn:timeDuration>'
                '</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n'
                '    <bpmn:sequenceFlow id="flow_overdue" sourceRef="classification_overdue" targetRef="distribute_case" />\n')
    problems = {p.element: p for p in only(validate(with_change("incident_handling.bpmn", PROCESS_END,
                                                                 boundary + PROCESS_END)))}
    assert problems["distribute_case"].message == (
        'the task could be created with no team: its lane takes the team from "team", which is not set on the '
        "path through «Klassifikation forsinket» ← «Klassificér henvendelsen» ← «Sag registreret»")
    assert "classify_case" not in problems                  # the service desk's own tasks have a fixed team


@pytest.mark.parametrize("attribute", ["loopCardinality", "completionCondition"])
def test_loop_expressions_are_checked_at_validation(attribute):
    loop = (f'<bpmn:multiInstanceLoopCharacteristics><bpmn:{attribute}>__import__("os")</bpmn:{attribute}>'
            "</bpmn:multiInstanceLoopCharacteristics>")
    problems = validate(with_change("incident_handling.bpmn", '<bpmn:userTask id="distribute_case" name="Fordel sagen" camunda:formKey="distribute_case">',
                                    '<bpmn:userTask id="distribute_case" name="Fordel sagen" camunda:formKey="distribute_case">' + loop))
    assert problems and problems[0].element == "distribute_case"
    assert problems[0].message.startswith(f"{attribute}: only these functions may be called")


def test_an_expression_in_an_input_parameter_is_refused():
    problems = validate(with_change("incident_handling.bpmn", '<camunda:inputParameter name="unit">customer_department<',
                                    '<camunda:inputParameter name="unit">${unit_for_complaints}<'))
    assert problems and "parameters are literal text" in problems[0].message and problems[0].name


def test_every_operation_declares_its_outputs():
    from tasks.operations import OPERATIONS
    from domain.process_data import OUTPUTS
    assert set(OUTPUTS) == set(OPERATIONS)


@pytest.mark.parametrize("file, old, new, element, fragment", [
    ("incident_handling.bpmn", 'calledElement="second_triage"', 'calledElement="second_triag"', "call_second_triage",
     'calls process "second_triag", which is not in these diagrams; did you mean "second_triage"?'),
    ("incident_handling.bpmn", 'camunda:decisionRef="priority_matrix"', 'camunda:decisionRef="priority_matrx"',
     "determine_priority", 'uses decision "priority_matrx", which no DMN file defines; did you mean "priority_matrix"?'),
    ("incident_handling.bpmn", 'targetRef="distribute_case"', 'targetRef="distribute_cas"', "flow_to_distribute",
     'targetRef "distribute_cas" is not an element of process incident_handling; did you mean "distribute_case"?'),
    ("resolve_case.bpmn", 'messageRef="message_customer_reply"', 'messageRef="message_customer_rep"',
     "customer_replied", 'waits for message "message_customer_rep"'),
])
def test_a_broken_reference_is_located_on_the_referring_element(file, old, new, element, fragment):
    [problem] = validate(with_change(file, old, new))
    assert (problem.file, problem.element) == (file, element) and problem.line and fragment in problem.message


GOOD_EDITS = {
    "camunda condition": ("incident_handling.bpmn", 'priority in ("critical", "high")',
                          '${priority == &quot;critical&quot; or priority == &quot;high&quot;}'),
    "dmn cell": ("priority_matrix.dmn", '<outputEntry id="rule_impact4_urgency4_priority"><text>"low"</text>',
                 '<outputEntry id="rule_impact4_urgency4_priority"><text>"medium"</text>'),
    "new form field with a Danish label": (
        "incident_handling.bpmn", '<camunda:formField id="what_not_working"',
        '<camunda:formField id="building" label="Bygning og etage" type="string" /><camunda:formField id="what_not_working"'),
    "PT2H boundary timer to the coordinator": (
        "resolve_case.bpmn", "  </bpmn:process>",
        '    <bpmn:boundaryEvent id="work_overdue" name="Arbejdet har varet 2 timer" cancelActivity="false" '
        'attachedToRef="work_on_case"><bpmn:outgoing>flow_work_overdue</bpmn:outgoing><bpmn:timerEventDefinition '
        'id="work_overdue_timer"><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:boundaryEvent>\n    <bpmn:sequenceFlow id="flow_work_overdue" sourceRef="work_overdue" '
        'targetRef="handle_escalation" />\n  </bpmn:process>'),
}


@pytest.mark.parametrize("edit", sorted(GOOD_EDITS))
def test_good_edits_of_a_process_owner_validate_and_build(edit):
    from tasks.operations import OPERATIONS
    from engine.adapter import Engine
    sources = with_change(*GOOD_EDITS[edit])
    assert errors_of(validate(sources)) == []
    Engine().build_bundle(sources, process_id="incident_handling", known_topics=OPERATIONS.keys())


def test_call_activity_mappings_are_checked_at_validation():
    mapping = ('<bpmn:extensionElements><camunda:in sourceExpression="${__import__(&quot;os&quot;)}" target="x" />'
               '<camunda:out source="team" target="not a key" /></bpmn:extensionElements>')
    problems = validate(with_change("incident_handling.bpmn", 'calledElement="second_triage">',
                                    'calledElement="second_triage">' + mapping))
    messages = [p.message for p in problems if p.element == "call_second_triage"]
    assert any(m.startswith("camunda:in sourceExpression: only these functions may be called") for m in messages)
    assert "camunda:out target 'not a key' must be a data key" in messages


def test_a_form_rule_comparing_with_an_impossible_value_is_a_warning():
    problems = validate(with_change("resolve_case.bpmn", """name="required_if" config='outcome == "resolved"'""",
                                    """name="required_if" config='outcome == "solved"'"""))
    assert errors_of(problems) == []
    assert [(p.element, p.severity) for p in problems] == [("work_on_case", "warning")]
    assert 'comparison with "solved" can never be true: "outcome" is one of' in problems[0].message
