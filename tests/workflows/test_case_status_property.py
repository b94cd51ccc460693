"""Issue 11: the case status a task sets is on the diagram (``case_status`` on the user task), with
today's values in the shipped diagrams, validated on deploy; a process owner changes it without a
developer; versions from before the property keep the values they always had."""
from __future__ import annotations

import re

import pytest

from services.case_context import diagram_facts
from services.case_status import LEGACY_STATUS_BY_TASK
from services.cases import NewCase, open_case
from services.deployments import deploy, read_directory
from tasks.operations import OPERATIONS
from engine.diagram_xml import parse_xml
from engine.adapter import content_hash
from engine.property_checks import property_problems
from engine.validation import validate_sources, errors_of
from tests.services.casewalk import T0

NEW = NewCase(case_type="incident", summary="Printer virker ikke", impact=3, urgency=3, sla_level="gold",
              customer_name="Test Kunde", customer_email="kunde@example.org", customer_phone="12345678")


def _shipped(runtime):
    sources, problems = read_directory(runtime.settings.bpmn_dir)
    assert not problems
    return sources


def test_shipped_diagrams_carry_todays_statuses(runtime):
    sources = _shipped(runtime)
    properties = diagram_facts(content_hash(sources), sources).element_properties
    said = {task: own["case_status"] for task, own in properties.items() if "case_status" in own}
    expected = {task: status for task, status in LEGACY_STATUS_BY_TASK.items() if task in properties}
    expected |= {task: "in_triage" for task in properties if task.startswith("questionnaire_")}
    assert said == expected and len(said) >= 19


def test_an_unknown_status_or_one_outside_a_user_task_is_refused(runtime):
    sources = _shipped(runtime)
    broken = dict(sources)
    broken["incident_handling.bpmn"] = sources["incident_handling.bpmn"].replace(
        '<camunda:property name="case_status" value="in_triage" />',
        '<camunda:property name="case_status" value="somewhere" />', 1)
    problems = errors_of(validate_sources(broken, known_topics=OPERATIONS.keys(), main_process="incident_handling"))
    assert [p.element for p in problems] == ["classify_case"] and "not a case status" in problems[0].message
    tree = parse_xml(sources["incident_handling.bpmn"].replace(
        '<bpmn:startEvent id="case_registered" name="Sag registreret">',
        '<bpmn:startEvent id="case_registered" name="Sag registreret"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="case_status" value="in_triage" /></camunda:properties></bpmn:extensionElements>'))
    assert [p.element for p in property_problems({"x.bpmn": tree})] == ["case_registered"]


def test_the_status_comes_from_the_diagram(session, runtime):
    sources = dict(runtime.current_definition(session).sources)
    sources["incident_handling.bpmn"] = sources["incident_handling.bpmn"].replace(
        '<camunda:property name="case_status" value="in_triage" />',
        '<camunda:property name="case_status" value="awaiting_distribution" />', 1)   # classify_case
    deploy(session, runtime, sources=sources, actor="procesejer", now=T0)
    case = open_case(session, runtime, new=NEW, actor="sd.tekniker", now=T0)
    assert case.status == "awaiting_distribution"


def test_a_version_from_before_the_property_keeps_its_statuses(session, runtime):
    sources = {name: re.sub(r'<camunda:property name="case_status" value="[a-z_]+" />', "", text)
               for name, text in runtime.current_definition(session).sources.items()}
    sources = {name: text.replace("<camunda:properties></camunda:properties>", "") for name, text in sources.items()}
    deploy(session, runtime, sources=sources, actor="procesejer", now=T0)
    case = open_case(session, runtime, new=NEW, actor="sd.tekniker", now=T0)
    assert case.status == "in_triage"
