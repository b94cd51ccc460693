"""The priority decision outside the process (H-V1.2, H-S1): the same DMN table the diagram uses
(priority_matrix.dmn, editable by the process owner) decides a provisional priority at registration
— so the reaction clock runs from receipt — and the new priority when a case is re-prioritised.
Cells are safe expressions (domain.expressions): a literal ("1"), "-" or empty for any value, or a
comparison/membership test on the input (`in ("1", "2")`, `<= "2"`)."""
from __future__ import annotations

from lxml import etree

from domain.errors import InvalidState, UnsafeExpression
from domain.expressions import ExpressionError, evaluate
from engine.diagram_xml import parse_xml

DECISION = "priority_matrix"
_CACHE: dict[tuple[str, str], list] = {}


def _rules(content_hash: str, sources: dict[str, str], decision: str) -> list:
    key = (content_hash, decision)
    if key not in _CACHE:
        found = None
        for name, text in sources.items():
            if name.endswith(".dmn"):
                root = parse_xml(text)
                ns = etree.QName(root).namespace
                for node in root.iter(f"{{{ns}}}decision"):
                    if node.get("id") == decision:
                        found = (node, ns)
        if found is None:
            raise InvalidState(f"no decision {decision!r} among the deployed diagrams")
        node, ns = found
        inputs = [(i.findtext(f"{{{ns}}}inputExpression/{{{ns}}}text") or "").strip()
                  for i in node.iter(f"{{{ns}}}input")]
        outputs = [o.get("name") for o in node.iter(f"{{{ns}}}output")]
        rules = []
        for rule in node.iter(f"{{{ns}}}rule"):
            entries = [(e.findtext(f"{{{ns}}}text") or "").strip() for e in rule.findall(f"{{{ns}}}inputEntry")]
            results = [(e.findtext(f"{{{ns}}}text") or "").strip() for e in rule.findall(f"{{{ns}}}outputEntry")]
            rules.append((list(zip(inputs, entries)), list(zip(outputs, results))))
        _CACHE[key] = rules
    return _CACHE[key]


def _matches(cell: str, value) -> bool:
    if cell in ("", "-"):
        return True
    for candidate in (f"v == ({cell})", f"v {cell}"):
        try:
            return bool(evaluate(candidate, {"v": value}))
        except (UnsafeExpression, ExpressionError):
            continue
    return False


def decide_priority(content_hash: str, sources: dict[str, str], *, impact: int | str, urgency: int | str) -> str:
    """The priority the diagram's decision table gives impact × urgency (first matching rule)."""
    data = {"impact": str(impact), "urgency": str(urgency)}
    for conditions, results in _rules(content_hash, sources, DECISION):
        if all(_matches(cell, evaluate(expression, data)) for expression, cell in conditions):
            outputs = {name: evaluate(text, {}) for name, text in results}
            if outputs.get("priority") in ("critical", "high", "medium", "low"):
                return outputs["priority"]
    raise InvalidState(f"the priority table has no rule for impact {impact} and urgency {urgency}")


def provisional_priority(content_hash: str, sources: dict[str, str], *, impact: int, urgency: int) -> str | None:
    """The registration's priority, or None when the deployed diagrams have no priority table."""
    try:
        return decide_priority(content_hash, sources, impact=impact, urgency=urgency)
    except InvalidState:
        return None
