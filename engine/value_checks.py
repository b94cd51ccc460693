"""Values a condition compares with must be values the producer can give (issue 10): a form's enum
options or yes/no, a DMN output's allowed values or its output cells. A comparison that can never be
true (`outcome == "resolve"` when the form offers "resolved") is a warning naming the producer."""
from __future__ import annotations

import ast

from lxml import etree

from domain.errors import UnsafeExpression
from domain.expressions import check_expression
from engine.diagram_xml import BPMN, CAMUNDA, Problem
from engine.dmn_checks import Decision, _literal

NOT_ENUMERABLE = object()


def producer_values(trees: dict[str, etree._Element], items: list[Decision], outputs) -> dict[str, object]:
    """name -> set of values every producer of it can give, or NOT_ENUMERABLE."""
    values: dict[str, object] = {}

    def add(name, given):
        if values.get(name) is NOT_ENUMERABLE or given is NOT_ENUMERABLE:
            values[name] = NOT_ENUMERABLE
        else:
            values[name] = values.get(name, set()) | given

    for root in trees.values():
        for f in root.iter(f"{{{CAMUNDA}}}formField"):
            kind = f.get("type")
            if kind == "enum":
                add(f.get("id"), {v.get("id") for v in f.findall(f"{{{CAMUNDA}}}value")} | {None})
            elif kind == "boolean":
                add(f.get("id"), {True, False, None})
            else:
                add(f.get("id"), NOT_ENUMERABLE)
        for task in root.iter(f"{{{BPMN}}}serviceTask"):
            for name in outputs.get(task.get(f"{{{CAMUNDA}}}topic") or "", ()):
                add(name, NOT_ENUMERABLE)
    for item in items:
        for column, name in enumerate(item.outputs):
            if name in item.allowed:
                add(name, set(item.allowed[name]) | {None})
                continue
            cells = [_literal(outputs_[column]) for _, _, outputs_ in item.rules if column < len(outputs_)]
            add(name, {v for ok, v in cells if ok} | {None} if all(ok for ok, _ in cells) else NOT_ENUMERABLE)
    return values


def _compared(tree) -> list[tuple[str, list, bool]]:
    """(name, constants, is_membership) for `name == c`, `c == name`, `name in (c, …)`."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if isinstance(op, ast.Eq) and isinstance(right, ast.Name) and isinstance(left, ast.Constant):
            left, right = right, left
        if isinstance(op, ast.Eq) and isinstance(left, ast.Name) and isinstance(right, ast.Constant):
            found.append((left.id, [right.value], False))
        elif isinstance(op, ast.In) and isinstance(left, ast.Name) and isinstance(right, (ast.Tuple, ast.List)) \
                and all(isinstance(e, ast.Constant) for e in right.elts):
            found.append((left.id, [e.value for e in right.elts], True))
    return found


def _expressions(root):
    """(element, expression) for every condition and form rule (required_if, show_if, min_items … if)."""
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN}}}conditionExpression")
        if condition is not None:
            yield flow, condition.text or ""
    for task in root.iter(f"{{{BPMN}}}userTask"):
        for c in task.iter(f"{{{CAMUNDA}}}constraint"):
            if c.get("name") in ("required_if", "show_if"):
                yield task, c.get("config") or ""
            elif c.get("name") == "min_items" and " if " in (c.get("config") or ""):
                yield task, (c.get("config") or "").partition(" if ")[2]
        for prop in task.iter(f"{{{CAMUNDA}}}property"):
            if prop.get("id") == "show_if":
                yield task, prop.get("value") or ""


def value_problems(trees: dict[str, etree._Element], items: list[Decision], outputs, case_fields,
                   producers: dict[str, list[str]]) -> list[Problem]:
    values = producer_values(trees, items, outputs)
    problems = []
    for file_name, root in trees.items():
        for flow, text in _expressions(root):
            try:
                tree = check_expression(text)
            except UnsafeExpression:
                continue
            for name, constants, membership in _compared(tree):
                given = values.get(name)
                if name in case_fields or not isinstance(given, set) or any(c in given for c in constants):
                    continue
                options = ", ".join(f'"{v}"' if isinstance(v, str) else str(v)
                                    for v in sorted((v for v in given if v is not None), key=str))
                source = (producers.get(name) or ["its producer"])[0]
                shown = ", ".join(f'"{c}"' if isinstance(c, str) else str(c) for c in constants)
                problems.append(Problem(file_name, flow.sourceline, flow.get("id"),
                                        f'comparison with {shown} can never be true: "{name}" is one of {options} '
                                        f"(set by {source})", flow.get("name"), "warning"))
    return problems
