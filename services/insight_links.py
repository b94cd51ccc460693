"""Deep links between cases and Prefect (issue 16; H-R1.1): the flow runs and task runs that did timed
work on a case (deliveries, fired timers, SLA warnings and breaches) with their outcome, and, for the
admin outbox, who an item is for, its template, when it was sent, its case and its last task run.
The Prefect UI paths are /runs/flow-run/<id> and /runs/task-run/<id>."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from store.flow_runs import latest_links_of_outbox, links_of_case
from store.models import OutboxRow

FLOW_LABELS = {"outbox-dispatcher": "Udbakke", "sla-watchdog": "SLA-overvågning"}
RECIPIENT_KINDS = {"customer": "Kunden", "unit": "Enhed", "on_call": "Driftsvagten", "escalation": "Eskalering",
                   "remedy": "Remedy", "phone": "Telefon (kunden)", "other": "Andet"}
CUSTOMER_PURPOSES = ("receipt", "information_request", "resolution_notice", "contact_attempt", "rejection",
                     "customer_message", "routed", "closure")


@dataclass(frozen=True)
class RunLink:
    at: datetime
    flow: str
    task: str
    state: str
    flow_run_id: str
    task_run_id: str | None

    def flow_run_path(self) -> str:
        return f"/runs/flow-run/{self.flow_run_id}"

    def task_run_path(self) -> str | None:
        return f"/runs/task-run/{self.task_run_id}" if self.task_run_id else None


def case_runs(session: Session, case_id: int) -> list[RunLink]:
    """Newest first: every task run that touched the case, with its flow run."""
    return [RunLink(row.recorded_at, FLOW_LABELS.get(row.flow_name, row.flow_name), row.task_name, row.state,
                    row.flow_run_id, row.task_run_id) for row in links_of_case(session, case_id)]


def recipient_kind(item: OutboxRow) -> str:
    """Who an outbox item goes to, as a label (never the address itself)."""
    payload = item.payload or {}
    purpose = str(payload.get("purpose") or "")
    if item.kind == "remedy":
        return RECIPIENT_KINDS["remedy"]
    if item.kind == "call":
        return RECIPIENT_KINDS["phone"]
    if item.kind == "notification":
        return RECIPIENT_KINDS["on_call"] if purpose == "on_call" else RECIPIENT_KINDS["escalation"]
    if payload.get("template") in CUSTOMER_PURPOSES or re.sub(r"_\d+$", "", purpose) in CUSTOMER_PURPOSES:
        return RECIPIENT_KINDS["customer"]
    return RECIPIENT_KINDS["unit"] if payload.get("template") in ("forward_to_unit", "cmdb_update") \
        else RECIPIENT_KINDS["other"]


def outbox_details(session: Session, rows: list[OutboxRow]) -> dict[int, dict]:
    """Per outbox item: recipient kind, template, sent time, case number and its last task run."""
    links = latest_links_of_outbox(session, [r.id for r in rows])
    details = {}
    for row in rows:
        payload = row.payload or {}
        link = links.get(row.id)
        details[row.id] = {
            "recipient": recipient_kind(row), "template": payload.get("template") or payload.get("purpose") or row.kind,
            "sent_at": row.sent_at, "case_number": payload.get("case_number"),
            "run": None if link is None else RunLink(link.recorded_at, FLOW_LABELS.get(link.flow_name, link.flow_name),
                                                     link.task_name, link.state, link.flow_run_id, link.task_run_id)}
    return details
