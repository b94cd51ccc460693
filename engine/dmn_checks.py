"""What the DMN tables can give (issue 10: validation that understands the process; H-V1.2 priority
decides on-call and deadlines). Outputs must be among the output's allowed values (`outputValues`);
every combination of the input values the table mentions must hit a rule (a deleted rule would leave
cases without a priority), once for hit policy UNIQUE; FEEL habits get the supported spelling. The
values forms and tables can give are also used to warn about conditions that can never be true."""
from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field

from lxml import etree

from domain.errors import UnsafeExpression
from domain.expressions import ExpressionError, check_expression, evaluate
from engine.diagram_xml import BPMN, CAMUNDA, Problem

MAX_COMBINATIONS = 5000


@dataclass
class Decision:
    id: str
    file: str
    element: etree._Element
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    allowed: dict[str, set] = field(default_factory=dict)      # output name -> allowed values
    rules: list[tuple[etree._Element, list[str], list[str]]] = field(default_factory=list)


def _text(node, ns) -> str:
    found = node.find(f"{{{ns}}}text")
    return ((found.text if found is not None else "") or "").strip()


def _literal(text: str):
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def decisions(trees: dict[str, etree._Element], dmn_namespaces) -> list[Decision]:
    found = []
    for file_name, root in trees.items():
        ns = etree.QName(root).namespace
        if ns not in dmn_namespaces:
            continue
        for decision in root.iter(f"{{{ns}}}decision"):
            item = Decision(decision.get("id"), file_name, decision)
            for column in decision.iter(f"{{{ns}}}input"):
                expression = column.find(f"{{{ns}}}inputExpression")
                item.inputs.append(_text(expression, ns) if expression is not None else "")
            for column in decision.iter(f"{{{ns}}}output"):
                item.outputs.append(column.get("name") or "")
                values = column.find(f"{{{ns}}}outputValues")
                if values is not None:
                    ok, parsed = _literal(_text(values, ns))
                    if ok:
                        item.allowed[column.get("name") or ""] = set(parsed) if isinstance(parsed, tuple) else {parsed}
            for rule in decision.iter(f"{{{ns}}}rule"):
                item.rules.append((rule, [_text(e, ns) for e in rule.findall(f"{{{ns}}}inputEntry")],
                                   [_text(e, ns) for e in rule.findall(f"{{{ns}}}outputEntry")]))
            found.append(item)
    return found


def _matches(entry: str, value) -> bool:
    """As SpiffWorkflow's DMN engine: `?` stands for the input; a bare value means equality."""
    if entry in ("", "-"):
        return True
    names = {"dmninput": value}
    if "?" in entry:
        expression = entry.replace("?", "dmninput")
    else:
        try:
            check_expression(entry)
            expression = f"(dmninput) == ({entry})"
        except UnsafeExpression:
            expression = f"dmninput {entry}"
    try:
        return bool(evaluate(expression, names))
    except (ExpressionError, UnsafeExpression):
        return False


def check_decisions(items: list[Decision]) -> list[Problem]:
    problems = []
    for item in items:
        hit = item.element.find(f"{{{etree.QName(item.element).namespace}}}decisionTable")
        unique = hit is None or (hit.get("hitPolicy") or "UNIQUE").upper() == "UNIQUE"
        for rule, inputs, outputs in item.rules:
            for text in inputs:
                ok, parsed = _literal(text)
                if ok and isinstance(parsed, tuple):
                    problems.append(Problem(item.file, rule.sourceline, rule.get("id"),
                                            f'DMN cell {text}: a FEEL list is compared as one tuple and never matches; '
                                            f'write in ({", ".join(repr(v).replace(chr(39), chr(34)) for v in parsed)})'))
            for name, text in zip(item.outputs, outputs):
                ok, value = _literal(text)
                if ok and name in item.allowed and value not in item.allowed[name]:
                    allowed = ", ".join(f'"{v}"' for v in sorted(item.allowed[name], key=str))
                    problems.append(Problem(item.file, rule.sourceline, rule.get("id"),
                                            f'DMN output {text} for "{name}" is not one of the allowed values {allowed}'))
        problems.extend(_coverage(item, unique))
    return problems


def _coverage(item: Decision, unique: bool) -> list[Problem]:
    domains = []
    for column in range(len(item.inputs)):
        values = set()
        for _, inputs, _ in item.rules:
            ok, value = _literal(inputs[column]) if column < len(inputs) else (False, None)
            if ok and not isinstance(value, (tuple, list, dict, set)):
                values.add(value)
        if not values:
            return []     # ranges or expressions only: not enumerable
        domains.append(sorted(values, key=repr))
    combinations = list(itertools.islice(itertools.product(*domains), MAX_COMBINATIONS + 1))
    if not combinations or len(combinations) > MAX_COMBINATIONS:
        return []
    missing, doubles = [], []
    for combination in combinations:
        hits = [rule.get("id") for rule, inputs, _ in item.rules
                if all(_matches(inputs[i] if i < len(inputs) else "", v) for i, v in enumerate(combination))]
        if not hits:
            missing.append(combination)
        elif unique and len(hits) > 1:
            doubles.append((combination, hits))
    problems = []
    label = lambda combination: ", ".join(f"{expr} = {value!r}".replace("'", '"') for expr, value in
                                          zip(item.inputs, combination))
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        problems.append(Problem(item.file, item.element.sourceline, item.id,
                                f"no rule matches {label(missing[0])}{more}: a case with these values would get no "
                                f"{', '.join(item.outputs)} (a deleted rule?)"))
    if doubles:
        combination, hits = doubles[0]
        problems.append(Problem(item.file, item.element.sourceline, item.id,
                                f"hit policy UNIQUE, but rules {', '.join(hits)} all match {label(combination)}"))
    return problems
