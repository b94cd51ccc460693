"""The case beside every task form (H-V1, H-V1.1, H-R1.1, H-R2.1, H-R4, H-R5): the case header
(summary, priority, deadlines, status), a customer card (customer, end user, location, VIT
technician), the triage facts, the latest Work Info and — on a task that decides on someone's
proposal — that proposal.

What a task shows is set on its element in the diagram (camunda:properties on the user task):
  case_context   sections to show, comma-separated: header, customer, triage, work_info, proposal
                 (default: header, customer, triage, work_info; proposal is added when case_proposal is set)
  case_proposal  the data keys of the proposal, comma-separated (e.g. rejection_reason, work_note)
  triage_facts   "true" on the tasks whose answers are the case's triage facts (first and second triage)
Labels and option names come from the form fields that define those keys anywhere in the diagrams."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import CaseRow, WorkInfoRow
from engine.diagram_xml import BPMN, CAMUNDA, parse_xml

DEFAULT_SECTIONS = ("header", "customer", "triage", "work_info")
SECTIONS = ("header", "customer", "triage", "work_info", "proposal")
CUSTOMER_KEYS = ("end_user_name", "end_user_location", "end_user_phone", "end_user_email", "vit_technician")
LATEST_WORK_INFO = 3


@dataclass(frozen=True)
class FieldLabel:
    label: str
    type: str
    options: dict[str, str]


@dataclass(frozen=True)
class DiagramFacts:
    """What the diagrams say about showing the case: element properties and field labels."""

    element_properties: dict[str, dict[str, str]]
    labels: dict[str, FieldLabel]
    triage_fields: list[str]


@dataclass
class CaseContext:
    case: CaseRow
    sections: tuple[str, ...]
    customer: list[tuple[str, str]] = field(default_factory=list)
    triage: list[tuple[str, str]] = field(default_factory=list)
    proposal: list[tuple[str, str]] = field(default_factory=list)
    work_info: list[WorkInfoRow] = field(default_factory=list)
    starts_work: bool = False   # claiming this task is the technician's start of work (Påbegynd, H-S1)

    def shows(self, section: str) -> bool:
        return section in self.sections


_CACHE: dict[str, DiagramFacts] = {}


def diagram_facts(content_hash: str, sources: dict[str, str] | None, *, loader=None) -> DiagramFacts:
    """The facts of one deployed version, read once; `loader()` fetches the sources only when needed."""
    if content_hash not in _CACHE:
        _CACHE[content_hash] = _read_facts(sources if sources is not None else loader())
    return _CACHE[content_hash]


def _read_facts(sources: dict[str, str]) -> DiagramFacts:
    properties: dict[str, dict[str, str]] = {}
    labels: dict[str, FieldLabel] = {}
    triage: list[str] = []
    for name, text in sorted(sources.items()):
        if not name.endswith(".bpmn"):
            continue
        root = parse_xml(text)
        for task in root.iter(f"{{{BPMN}}}userTask"):
            extensions = task.find(f"{{{BPMN}}}extensionElements")
            own = {}
            if extensions is not None:
                for group in extensions.findall(f"{{{CAMUNDA}}}properties"):
                    own.update({p.get("name"): p.get("value") or "" for p in group.findall(f"{{{CAMUNDA}}}property")
                                if p.get("name")})
            properties[task.get("id")] = own
            for form_field in task.iter(f"{{{CAMUNDA}}}formField"):
                field_id = form_field.get("id") or ""
                labels.setdefault(field_id, FieldLabel(
                    label=form_field.get("label") or field_id, type=form_field.get("type") or "string",
                    options={v.get("id"): v.get("name") or "" for v in form_field.findall(f"{{{CAMUNDA}}}value")}))
                if own.get("triage_facts", "").lower() == "true" and field_id not in triage:
                    triage.append(field_id)
    return DiagramFacts(properties, labels, triage)


def _names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def display_value(label: FieldLabel | None, value: Any) -> str | None:
    """An answer as a person reads it: Ja/Nej, the option's name, the text."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if label is not None and label.options:
        return label.options.get(str(value), str(value))
    return str(value)


def build_context(session: Session, *, case: CaseRow, bpmn_id: str, data: dict, facts: DiagramFacts) -> CaseContext:
    own = facts.element_properties.get(bpmn_id, {})
    proposal_keys = _names(own.get("case_proposal"))
    wanted = _names(own.get("case_context")) or list(DEFAULT_SECTIONS) + (["proposal"] if proposal_keys else [])
    context = CaseContext(case=case, sections=tuple(s for s in SECTIONS if s in wanted),
                          starts_work=own.get("starts_work", "").lower() == "true" and case.started_at is None)

    def facts_of(keys) -> list[tuple[str, str]]:
        rows = []
        for key in keys:
            label = facts.labels.get(key)
            shown = display_value(label, data.get(key))
            if shown is not None:
                rows.append((label.label if label else key, shown))
        return rows

    if context.shows("customer"):
        context.customer = [(text, value) for text, value in (
            ("Kunde", case.customer_name), ("Telefon", case.customer_phone), ("E-mail", case.customer_email))
            if value] + facts_of(CUSTOMER_KEYS)
    if context.shows("triage"):
        context.triage = facts_of(k for k in facts.triage_fields if k not in CUSTOMER_KEYS
                                  and k not in ("impact", "urgency"))
    if context.shows("proposal"):
        context.proposal = facts_of(proposal_keys)
    if context.shows("work_info"):
        context.work_info = list(session.execute(
            select(WorkInfoRow).where(WorkInfoRow.case_id == case.id)
            .order_by(WorkInfoRow.created_at.desc(), WorkInfoRow.id.desc()).limit(LATEST_WORK_INFO)).scalars())
    return context


def element_property(facts: DiagramFacts, bpmn_id: str, name: str) -> str | None:
    return facts.element_properties.get(bpmn_id, {}).get(name)
