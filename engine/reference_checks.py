"""References between diagram elements resolve (issue 10: every problem names file, line and
element): a call activity's process, a business rule task's decision, a sequence flow's ends and a
message event's message — reported on the referring element with a "did you mean", instead of a
parser error that names no file. Also the expression-carrying attributes the lint does not reach
(issue 9): call-activity mappings (`camunda:in`/`camunda:out` sourceExpression) and the conditions
of conditional events are safe expressions; mapping names are plain data keys."""
from __future__ import annotations

import difflib

from lxml import etree

from domain.errors import UnsafeExpression
from domain.expressions import check_expression
from engine.diagram_xml import BPMN, CAMUNDA, Problem


def _suggest(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else f"; known: {', '.join(sorted(known)) or '(none)'}"


def reference_problems(trees: dict[str, etree._Element], dmn_namespaces) -> list[Problem]:
    processes = {p.get("id") for root in trees.values() for p in root.iter(f"{{{BPMN}}}process")}
    decisions = {d.get("id") for root in trees.values() if etree.QName(root).namespace in dmn_namespaces
                 for d in root.iter(f"{{{etree.QName(root).namespace}}}decision")}
    problems = []
    for file_name, root in trees.items():
        if etree.QName(root).namespace != BPMN:
            continue
        messages = {m.get("id") for m in root.iter(f"{{{BPMN}}}message")}

        def add(node, message):
            problems.append(Problem(file_name, node.sourceline, node.get("id") or "element", message, node.get("name")))

        for node in root.iter(f"{{{BPMN}}}callActivity"):
            called = node.get("calledElement") or ""
            if called not in processes:
                add(node, f'calls process "{called}", which is not in these diagrams' + _suggest(called, processes))
        for node in root.iter(f"{{{BPMN}}}businessRuleTask"):
            ref = node.get(f"{{{CAMUNDA}}}decisionRef") or ""
            if ref not in decisions:
                add(node, f'uses decision "{ref}", which no DMN file defines' + _suggest(ref, decisions))
        for definition in root.iter(f"{{{BPMN}}}messageEventDefinition"):
            ref = definition.get("messageRef")
            if ref and ref not in messages:
                add(definition.getparent(), f'waits for message "{ref}", which this file does not define'
                    + _suggest(ref, messages))
        for mapping in root.iter(f"{{{CAMUNDA}}}in", f"{{{CAMUNDA}}}out"):
            owner = mapping.getparent().getparent()
            expression = mapping.get("sourceExpression")
            if expression is not None:
                try:
                    check_expression(expression.strip().removeprefix("${").removesuffix("}"))
                except UnsafeExpression as exc:
                    add(owner, f"camunda:{etree.QName(mapping).localname} sourceExpression: {exc}")
            for key in ("source", "target"):
                if mapping.get(key) is not None and not mapping.get(key).isidentifier():
                    add(owner, f"camunda:{etree.QName(mapping).localname} {key} {mapping.get(key)!r} must be a data key")
        for condition in root.iter(f"{{{BPMN}}}condition"):
            try:
                check_expression(condition.text or "")
            except UnsafeExpression as exc:
                add(condition.getparent().getparent(), f"condition: {exc}")
        for process in root.iter(f"{{{BPMN}}}process"):
            ids = {n.get("id") for n in process if isinstance(n.tag, str) and n.get("id")}
            for flow in process.findall(f"{{{BPMN}}}sequenceFlow"):
                for end in ("sourceRef", "targetRef"):
                    ref = flow.get(end) or ""
                    if ref not in ids:
                        add(flow, f'{end} "{ref}" is not an element of process {process.get("id")}'
                            + _suggest(ref, ids))
    return problems
