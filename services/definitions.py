"""Process-owner operations on the diagrams (issue 5; the handbook as executable, editable process):
list the stored definition versions, validate uploaded or edited sources, deploy them as a new
version (running instances keep theirs), and summarise what changed between two versions
(added/removed/renamed elements, changed forms and conditions), computed from the stored sources."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.errors import InvalidState, NotFound
from services.runtime import Runtime
from store.models import ProcessDefinitionRow, ProcessInstanceRow
from services.deployments import deploy
from store.deployments import current_deployment
from tasks.operations import OPERATIONS
from engine.diagram_xml import BPMN, CAMUNDA, Problem, XmlProblem, normalise_source, parse_xml
from engine.validation import validate_sources

FILE_SUFFIXES = (".bpmn", ".dmn")
SKIPPED = {"sequenceFlow", "laneSet", "lane", "conditionExpression", "incoming", "outgoing", "flowNodeRef",
           "extensionElements", "documentation", "text", "timeDuration", "timeDate", "timeCycle"}


@dataclass(frozen=True)
class VersionInfo:
    id: int
    content_hash: str
    process_id: str
    deployed_at: datetime
    deployed_by: str
    files: list[str]
    running: int
    total: int
    current: bool = False       # the version new cases start on


@dataclass
class DiffSummary:
    """What changed from version `old` to `new`; every list holds human-readable lines."""

    old: int
    new: int
    files_added: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.files_added, self.files_removed, self.added, self.removed, self.renamed,
                        self.forms, self.conditions, self.other))


def list_versions(session: Session) -> list[VersionInfo]:
    counts = dict(session.execute(select(ProcessInstanceRow.definition_id, func.count())
                                  .where(ProcessInstanceRow.status == "running")
                                  .group_by(ProcessInstanceRow.definition_id)).all())
    totals = dict(session.execute(select(ProcessInstanceRow.definition_id, func.count())
                                  .group_by(ProcessInstanceRow.definition_id)).all())
    rows = list(session.execute(select(ProcessDefinitionRow).order_by(ProcessDefinitionRow.id.desc())).scalars())
    current = {d.definition_id for d in (current_deployment(session, p) for p in {r.process_id for r in rows}) if d}
    return [VersionInfo(r.id, r.content_hash, r.process_id, r.deployed_at, r.deployed_by, sorted(r.sources),
                        counts.get(r.id, 0), totals.get(r.id, 0), r.id in current) for r in rows]


def get_version(session: Session, version_id: int) -> ProcessDefinitionRow:
    row = session.get(ProcessDefinitionRow, version_id)
    if row is None:
        raise NotFound(f"unknown diagram version {version_id}")
    return row


def version_file(session: Session, *, version_id: int, name: str) -> str:
    sources = get_version(session, version_id).sources
    if name not in sources:
        raise NotFound(f"version {version_id} has no file {name!r}; files: {', '.join(sorted(sources))}")
    return sources[name]


def replace_file(sources: dict[str, str], *, name: str, text: str | bytes) -> dict[str, str]:
    """The sources with one file added or replaced (a plain file name ending in .bpmn or .dmn)."""
    if not name or Path(name).name != name or not name.endswith(FILE_SUFFIXES):
        raise InvalidState(f"file name {name!r}: give a plain file name ending in .bpmn or .dmn")
    try:
        text = normalise_source(text)   # encoding by declaration/BOM, LF line endings (issue 10)
    except XmlProblem as exc:
        raise InvalidState(f"{name}: {exc}") from None
    return {**sources, name: text}


def check_sources(runtime: Runtime, sources: dict[str, str]) -> list[Problem]:
    """Every problem that would stop a deployment (empty list: deployable)."""
    return validate_sources(sources, known_topics=OPERATIONS.keys(), main_process=runtime.settings.main_process)


def deploy_sources(session: Session, runtime: Runtime, *, sources: dict[str, str], actor: str, now: datetime,
                   comment: str | None = "") -> ProcessDefinitionRow:
    """Validate, store and make current (services.deployments.deploy); writes no file. Raises
    DiagramInvalid with every problem, InvalidState when these diagrams are already current."""
    return deploy(session, runtime, sources=sources, actor=actor, now=now, comment=comment).definition


# ---------------------------------------------------------------- diff
def diff_versions(session: Session, *, old_id: int, new_id: int) -> DiffSummary:
    return diff_sources(get_version(session, old_id).sources, get_version(session, new_id).sources,
                        old=old_id, new=new_id)


def diff_sources(old_sources: dict[str, str], new_sources: dict[str, str], *, old: int = 0,
                 new: int = 0) -> DiffSummary:
    summary = DiffSummary(old, new)
    summary.files_added = sorted(set(new_sources) - set(old_sources))
    summary.files_removed = sorted(set(old_sources) - set(new_sources))
    old_elements, new_elements = _elements_of(old_sources, summary), _elements_of(new_sources, summary)
    for element_id in sorted(set(new_elements) - set(old_elements)):
        kind, name, _ = new_elements[element_id]
        summary.added.append(f"{kind} {element_id} «{name}»")
    for element_id in sorted(set(old_elements) - set(new_elements)):
        kind, name, _ = old_elements[element_id]
        summary.removed.append(f"{kind} {element_id} «{name}»")
    for element_id in sorted(set(old_elements) & set(new_elements)):
        (old_kind, old_name, old_detail), (new_kind, new_name, new_detail) = old_elements[element_id], new_elements[element_id]
        if old_name != new_name:
            summary.renamed.append(f"{new_kind} {element_id}: «{old_name}» → «{new_name}»")
        if old_kind != new_kind:
            summary.other.append(f"{element_id}: type {old_kind} → {new_kind}")
        summary.forms.extend(f"{element_id}: {line}" for line in _form_changes(old_detail["form"], new_detail["form"]))
        if old_detail["condition"] != new_detail["condition"]:
            summary.conditions.append(f"{element_id}: {old_detail['condition'] or '(ingen)'} → "
                                      f"{new_detail['condition'] or '(ingen)'}")
        for key in ("topic", "timer", "lane", "target"):
            if old_detail[key] != new_detail[key]:
                summary.other.append(f"{element_id}: {key} {old_detail[key]} → {new_detail[key]}")
    return summary


def _elements_of(sources: dict[str, str], summary: DiffSummary) -> dict[str, tuple[str, str, dict]]:
    """id -> (kind, name, details) for every BPMN element with an id (DMN files: rules as text)."""
    elements: dict[str, tuple[str, str, dict]] = {}
    for file_name, text in sorted(sources.items()):
        try:
            root = parse_xml(text)
        except XmlProblem as exc:
            summary.other.append(f"{file_name}: cannot be read ({exc})")
            continue
        lanes = {ref.text.strip(): lane.get("id") for lane in root.iter(f"{{{BPMN}}}lane")
                 for ref in lane.findall(f"{{{BPMN}}}flowNodeRef") if ref.text}
        for node in root.iter():
            if not isinstance(node.tag, str) or not node.get("id"):
                continue
            qname = etree.QName(node)
            if qname.localname in ("definitions", "laneSet", "lane"):
                continue
            if qname.namespace != BPMN and qname.localname not in ("decision", "rule"):
                continue
            detail = {"form": _form_fields(node), "condition": _condition(node), "topic": node.get(f"{{{CAMUNDA}}}topic"),
                      "timer": _timer(node), "lane": lanes.get(node.get("id")), "target": _flow_ends(node)}
            if qname.localname == "rule":
                detail["condition"] = " | ".join((t.text or "").strip() for t in node.iter() if
                                                 isinstance(t.tag, str) and etree.QName(t).localname == "text")
            elements[node.get("id")] = (qname.localname, node.get("name") or "", detail)
    return elements


def _form_fields(node) -> dict[str, str]:
    fields = {}
    for f in node.findall(f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}formData/{{{CAMUNDA}}}formField"):
        constraints = ", ".join(f"{c.get('name')}{' ' + c.get('config') if c.get('config') else ''}"
                                for c in f.findall(f".//{{{CAMUNDA}}}constraint"))
        options = ", ".join(v.get("id") or "" for v in f.findall(f"{{{CAMUNDA}}}value"))
        fields[f.get("id") or ""] = (f"{f.get('type')} «{f.get('label') or ''}»"
                                     + (f" [{options}]" if options else "") + (f" ({constraints})" if constraints else ""))
    return fields


def _form_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = [f"felt {k} tilføjet: {new[k]}" for k in sorted(set(new) - set(old))]
    lines += [f"felt {k} fjernet" for k in sorted(set(old) - set(new))]
    lines += [f"felt {k}: {old[k]} → {new[k]}" for k in sorted(set(old) & set(new)) if old[k] != new[k]]
    return lines


def _condition(node) -> str | None:
    expression = node.find(f"{{{BPMN}}}conditionExpression")
    return (expression.text or "").strip() if expression is not None else None


def _timer(node) -> str | None:
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        found = node.find(f"{{{BPMN}}}timerEventDefinition/{{{BPMN}}}{tag}")
        if found is not None:
            return (found.text or "").strip()
    return None


def _flow_ends(node) -> str | None:
    if node.get("sourceRef") is None:
        return None
    return f"{node.get('sourceRef')}→{node.get('targetRef')}"


def problems_by_element(problems: list[Problem]) -> list[dict]:
    """Problems as JSON rows for the browser (file, line, element id, message)."""
    return [p.as_dict() for p in problems]



def case_position(session: Session, runtime: Runtime, *, case_id: int) -> dict:
    """Where a case is in its diagrams: the BPMN files of its version, the elements completed so far
    (the path taken) and the open tasks' elements (the current position)."""
    instance = session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case_id)
                               ).scalar_one_or_none()
    if instance is None:
        raise NotFound(f"case {case_id} has no process instance")
    bundle = runtime.bundle(session, instance.definition_id)
    path, open_tasks = runtime.engine.position(bundle, instance.state)   # running, or ended (engine.ended)
    current = sorted(set(open_tasks))
    completed = list(dict.fromkeys(path))
    names = {bpmn_id: meta.get("name") or bpmn_id for bpmn_id, meta in bundle.task_meta.items()}
    return {"definition_id": instance.definition_id, "status": instance.status,
            "files": {name: text for name, text in sorted(bundle.sources.items()) if name.endswith(".bpmn")},
            "completed": completed, "current": current,
            "completed_names": [names.get(i, i) for i in completed if i in names],
            "current_names": [names.get(i, i) for i in current]}
