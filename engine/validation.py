"""Diagram validation before anything is deployed: safe XML, XSD (SpiffWorkflow's BpmnValidator),
parse of every process, and our own lint — every user task has a form and a lane; every service
task names a known topic; conditions, timers and DMN cells are safe expressions; timers are ISO 8601;
no script tasks or elements SpiffWorkflow silently mis-executes (links, compensation, complex
gateways); no reserved ids. Every problem is reported as `file:line: element: message`."""
from __future__ import annotations

from collections.abc import Iterable

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

import re
from pathlib import Path

import yaml

from config.settings import get_settings
from domain.errors import UnsafeExpression
from domain.expressions import check_expression
from domain.forms import Constraint, FieldSpec, FormSpec, Option, lint_form
from engine.diagram_xml import (BPMN, CAMUNDA, Problem, XmlProblem, lane_of, normalise, normalise_source,
                                  parse_xml)
from engine.dataflow import DataFlow
from engine.dmn_checks import check_decisions, decisions
from engine.property_checks import property_problems
from engine.reference_checks import reference_problems
from engine.timer_checks import lint_timer
from engine.value_checks import value_problems
from domain.process_data import CASE_FIELDS, OUTPUTS

DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20180521/MODEL/",
                  "http://www.omg.org/spec/DMN/20151101/dmn.xsd")
FORBIDDEN = {"scriptTask": "script tasks are not allowed; use a service task with a topic",
             "linkEventDefinition": "link events are not supported by the engine (the path would silently end)",
             "compensateEventDefinition": "compensation is not supported by the engine",
             "complexGateway": "complex gateways are not supported by the engine",
             "dataStoreReference": "data stores are not supported"}
RESERVED_IDS = {"Start", "End", "Root"}


def _is_dmn(root) -> bool:
    return etree.QName(root).namespace in DMN_NAMESPACES


def load_trees(sources: dict[str, str | bytes]) -> tuple[dict[str, etree._Element], list[Problem]]:
    trees, problems = {}, []
    for name, text in sorted(sources.items()):
        try:
            root = parse_xml(normalise_source(text))
        except XmlProblem as exc:
            problems.append(Problem(name, exc.line, "file", str(exc)))
            continue
        normalise(root)
        trees[name] = root
    return trees, problems


def _form_of(node) -> FormSpec | None:
    fields = node.findall(f".//{{{CAMUNDA}}}formField")
    if not fields:
        return None
    return FormSpec(fields=[FieldSpec(
        id=f.get("id") or "", type=f.get("type") if f.get("type") in ("string", "long", "boolean", "date", "enum") else "string",
        label=f.get("label") or f.get("id") or "", default=f.get("defaultValue"),
        options=[Option(id=v.get("id") or "", name=v.get("name") or "") for v in f.findall(f"{{{CAMUNDA}}}value")],
        constraints=[Constraint(name=c.get("name") or "", config=c.get("config"))
                     for c in f.findall(f".//{{{CAMUNDA}}}constraint")],
        properties={p.get("id"): p.get("value") for p in f.findall(f".//{{{CAMUNDA}}}property")})
        for f in fields])


def _owner(node):
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node


def _lint_bpmn(name: str, root, known_topics: set[str], rules: dict | None) -> list[Problem]:
    problems: list[Problem] = []
    lanes = lane_of(root)

    def add(node, message):
        problems.append(Problem(name, node.sourceline, node.get("id") or etree.QName(node).localname, message,
                                node.get("name")))

    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if etree.QName(node).namespace == BPMN and local in FORBIDDEN:
            add(node, FORBIDDEN[local])
        if node.get("id") in RESERVED_IDS:
            add(node, f"the id {node.get('id')!r} is reserved by the engine; choose a meaningful English id")
        if local == "userTask":
            if node.get("id") not in lanes:
                add(node, "user task is in no lane; put it in the lane of the role that does it")
            elif rules is not None and lanes[node.get("id")] not in rules:
                add(node, f"lane {lanes[node.get('id')]!r} is not in config/lanes.yaml, so nobody could complete "
                          f"this task; add the lane there (team or team_from, role) or move the task")
            form = _form_of(node)
            if form is None:
                add(node, "user task has no form fields (camunda:formData)")
            else:
                for problem in lint_form(form):
                    add(node, problem)
        if local == "serviceTask":
            topic = node.get(f"{{{CAMUNDA}}}topic")
            if node.get(f"{{{CAMUNDA}}}type") != "external" or not topic:
                add(node, "service task needs Implementation 'External' with a topic")
            elif topic not in known_topics:
                add(node, f"unknown topic {topic!r}; known: {', '.join(sorted(known_topics))}")
        if local == "conditionExpression":
            try:
                check_expression(node.text or "")
            except UnsafeExpression as exc:
                add(node.getparent(), f"condition: {exc}")
        if local in ("loopCardinality", "completionCondition"):
            try:
                check_expression(node.text or "")
            except UnsafeExpression as exc:
                add(node.getparent().getparent(), f"{local}: {exc}")
        if local in ("inputParameter", "outputParameter") and re.search(r"[$#]\{", node.text or ""):
            add(_owner(node), f"{local} {node.get('name')!r}: parameters are literal text; ${{…}} would be passed "
                              "unevaluated — give the value itself, or read the data key in the operation")
        if local in ("task", "manualTask") and etree.QName(node).namespace == BPMN:
            add(node, "a plain task becomes a task nobody can complete; make it a user task (with a form and a "
                      "lane) or a service task with a topic")
        if local in ("timeDuration", "timeDate", "timeCycle"):
            problems.extend(lint_timer(name, node, local))
    return problems


def _lint_dmn(name: str, root) -> list[Problem]:
    problems = []
    ns = etree.QName(root).namespace
    for entry in root.iter(f"{{{ns}}}inputEntry", f"{{{ns}}}outputEntry", f"{{{ns}}}inputExpression"):
        text_node = entry.find(f"{{{ns}}}text")
        text = (text_node.text if text_node is not None else "") or ""
        if text.strip() in ("", "-"):
            continue
        candidates = [text] if not entry.tag.endswith("inputEntry") else [text, f"v {text}", f"v == ({text})"]
        errors = []
        for candidate in candidates:
            try:
                check_expression(candidate.replace("?", "v"))
                break
            except UnsafeExpression as exc:
                errors.append(str(exc))
        else:
            problems.append(Problem(name, entry.sourceline, entry.get("id") or "cell", f"DMN cell: {errors[0]}"))
    return problems


def errors_of(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a deployment (warnings do not)."""
    return [p for p in problems if p.severity == "error"]


def _references(root) -> set[str]:
    """Ids of processes and decisions a diagram calls (call activities, business rule tasks)."""
    refs = {n.get("calledElement") for n in root.iter(f"{{{BPMN}}}callActivity")}
    refs |= {n.get(f"{{{CAMUNDA}}}decisionRef") for n in root.iter(f"{{{BPMN}}}businessRuleTask")}
    return {r for r in refs if r}


def _provides(root) -> set[str]:
    ids = {n.get("id") for n in root.iter(f"{{{BPMN}}}process")}
    if _is_dmn(root):
        ids |= {n.get("id") for n in root.iter(f"{{{etree.QName(root).namespace}}}decision")}
    return {i for i in ids if i}


def validate_files(sources: dict[str, str | bytes], wanted: set[str], *, known_topics: Iterable[str],
                   main_process: str | None = None, config_dir=None) -> tuple[list[str], list[Problem]]:
    """Validate exactly the files in `wanted` plus the files they reference (transitively)."""
    trees, _ = load_trees(sources)
    providers = {ident: name for name, root in trees.items() for ident in _provides(root)}
    chosen, todo = set(), [n for n in sorted(wanted) if n in sources]
    while todo:
        name = todo.pop()
        if name in chosen:
            continue
        chosen.add(name)
        if name in trees:
            todo.extend(providers[r] for r in _references(trees[name]) if r in providers)
    subset = {name: sources[name] for name in sorted(chosen)}
    main = main_process if main_process in {i for n in chosen if n in trees for i in _provides(trees[n])} else None
    problems = validate_sources(subset, known_topics=known_topics, main_process=main, config_dir=config_dir)
    if main is None and not errors_of(problems) and any(main_process in _provides(r) for r in trees.values()):
        # a called diagram alone: follow the data from the main process through its neighbours,
        # reporting only what concerns the files asked for
        seen = {str(p) for p in problems}
        flow = _locate(process_problems(trees, main_process, _lane_rules(config_dir)), trees)
        problems += [p for p in flow if p.file in chosen and str(p) not in seen]
    return sorted(subset), problems


def validate_sources(sources: dict[str, str], *, known_topics: Iterable[str],
                     main_process: str | None = None, config_dir=None) -> list[Problem]:
    problems = _validate(sources, known_topics=known_topics, main_process=main_process, config_dir=config_dir)
    return _locate(problems, load_trees(sources)[0])


def _locate(problems: list[Problem], trees: dict[str, etree._Element]) -> list[Problem]:
    """Every problem names its file, line, element id and the element's human name."""
    index: dict[str, tuple[str, int, str | None]] = {}
    for file_name, root in trees.items():
        for node in root.iter():
            if isinstance(node.tag, str) and node.get("id"):
                index.setdefault(node.get("id"), (file_name, node.sourceline, node.get("name") or node.get("label")))
    for problem in problems:
        if problem.element == "diagram":   # a parser error: the element it names in quotes, if any
            problem.element = next((m for m in re.findall(r"'([^']+)'|\(([^()]+)\)", problem.message)
                                    for m in m if m in index), problem.element)
        found = index.get(problem.element)
        if found is None:
            continue
        if problem.file in ("?", "") or problem.file == found[0]:
            problem.file = found[0]
            problem.line = problem.line or found[1]
            problem.name = problem.name or found[2]
    return problems


def _validate(sources: dict[str, str], *, known_topics: Iterable[str], main_process: str | None,
              config_dir) -> list[Problem]:
    trees, problems = load_trees(sources)
    topics = set(known_topics)
    rules = _lane_rules(config_dir)
    seen_ids: dict[str, str] = {}
    for name, root in trees.items():
        if _is_dmn(root):
            problems.extend(_lint_dmn(name, root))
            continue
        problems.extend(_lint_bpmn(name, root, topics, rules))
        for process in root.iter(f"{{{BPMN}}}process"):
            for node in process.iter(f"{{{BPMN}}}*"):
                if node is not process and node.get("id") and etree.QName(node).localname not in ("lane", "laneSet"):
                    other = seen_ids.setdefault(node.get("id"), name)
                    if other != name:
                        problems.append(Problem(name, node.sourceline, node.get("id"), f"id also used in {other}"))
    problems.extend(process_problems(trees, main_process, rules))
    problems.extend(property_problems(trees))   # case_status and other meaning on the elements (issue 11)
    if errors_of(problems):
        return problems
    problems.extend(parse_problems(trees, main_process))
    return problems


def _lane_rules(config_dir) -> dict | None:
    """lane id -> LaneRule from config/lanes.yaml (None: no configuration to check against)."""
    try:
        from config.handbook import LaneRule
        path = Path(config_dir or get_settings().config_dir) / "lanes.yaml"
        return {lane: LaneRule.model_validate(rule) for lane, rule in yaml.safe_load(path.read_text("utf-8")).items()}
    except (OSError, yaml.YAMLError, ValueError, AttributeError):
        return None


def process_problems(trees: dict[str, etree._Element], main_process: str | None, rules: dict | None) -> list[Problem]:
    """DMN coverage and values, data flow (names, teams) and comparisons that can never be true."""
    items = decisions(trees, DMN_NAMESPACES)
    problems = reference_problems(trees, DMN_NAMESPACES)
    if problems:
        return problems     # the flow cannot be followed through a broken reference
    problems = check_decisions(items)
    processes = {p.get("id") for root in trees.values() for p in root.iter(f"{{{BPMN}}}process")}
    if main_process not in processes:
        return problems
    lanes = {node: lane for root in trees.values() for node, lane in lane_of(root).items()}
    flow = DataFlow(trees, case_fields=CASE_FIELDS, outputs=OUTPUTS,
                    dmn_outputs={d.id: d.outputs for d in items}, dmn_inputs={d.id: d.inputs for d in items},
                    lanes=lanes, lane_rules={lane: r.team_from for lane, r in (rules or {}).items() if r.team_from})
    flow.solve(main_process)
    problems.extend(flow.check())
    problems.extend(value_problems(trees, items, OUTPUTS, CASE_FIELDS, flow.producers))
    return problems


def build_parser(trees: dict[str, etree._Element]) -> CamundaParser:
    parser = CamundaParser(validator=BpmnValidator())
    for name, root in trees.items():
        if _is_dmn(root):
            parser.add_dmn_xml(root, filename=name)
        else:
            parser.add_bpmn_xml(etree.ElementTree(root), filename=name)
    return parser


def parse_problems(trees: dict[str, etree._Element], main_process: str | None) -> list[Problem]:
    try:
        parser = build_parser(trees)
        parser.find_all_specs()
        if main_process is not None:
            parser.get_subprocess_specs(main_process)
    except ValidationException as exc:
        return [Problem(exc.file_name or "?", exc.line_number or None, exc.id or exc.tag or "diagram", str(exc).split("\n")[0])]
    except (SpiffWorkflowException, KeyError, ValueError) as exc:
        return [Problem("?", None, "diagram", f"{type(exc).__name__}: {exc}")]
    return []
