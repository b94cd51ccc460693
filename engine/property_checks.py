"""Element properties that carry the diagram's meaning (issue 11): ``case_status`` on a user task
names the case status the task sets when it opens (README, status values; H-R1.1). A value the
handbook does not know, a status set outside a user task, or an empty value is refused on deploy."""
from __future__ import annotations

from lxml import etree

from config.handbook import handbook
from engine.diagram_xml import BPMN, CAMUNDA, Problem

CONTROL_ONLY = {"cancelled"}   # set by cancelling a case, never by a task


def _element_properties(node) -> list:
    extensions = node.find(f"{{{BPMN}}}extensionElements")
    if extensions is None:
        return []
    return [p for group in extensions.findall(f"{{{CAMUNDA}}}properties") for p in group.findall(f"{{{CAMUNDA}}}property")]


def property_problems(trees: dict[str, etree._Element]) -> list[Problem]:
    known = sorted(set(handbook().labels.get("status", {})) - CONTROL_ONLY)
    problems = []
    for name, root in trees.items():
        for node in root.iter(f"{{{BPMN}}}*"):
            for prop in _element_properties(node):
                if prop.get("name") != "case_status":
                    continue
                value = (prop.get("value") or "").strip()
                element = node.get("id") or "?"
                if etree.QName(node).localname != "userTask":
                    problems.append(Problem(name, prop.sourceline, element,
                                            "case_status belongs on a user task (the status it sets when it opens)"))
                elif value not in known:
                    problems.append(Problem(name, prop.sourceline, element,
                                            f"case_status {value!r} is not a case status; use one of {', '.join(known)}"))
    return problems
