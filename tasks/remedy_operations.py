"""Service operation of the 'Afsluttet i Remedy' event subprocess (issue 14; H-R1.1): the incident was
resolved, closed or cancelled in Remedy — the region's system of record — so the case takes Remedy's
outcome. The sync delivers the message ``remedy_finished``; this records it as Work Info, sets the
case's status and times, and ends a running pause of the SLA clock. No contact guard applies: the
decision was made in Remedy (docs/remedy.md)."""
from __future__ import annotations

from store.sla import close_pause
from tasks.context import OperationContext

OUTCOME = {"resolved": ("resolved", "Løst i Remedy"), "closed": ("closed", "Lukket i Remedy"),
           "cancelled": ("cancelled", "Annulleret i Remedy")}


def record_remedy_outcome(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    message = data.get("remedy_finished") or {}
    status, summary = OUTCOME.get(message.get("status"), OUTCOME["closed"])
    case = ctx.case
    case.status = status
    case.resolved_at = case.resolved_at or ctx.now
    if status == "closed":
        case.closed_at = ctx.now
    close_pause(ctx.session, case_id=case.id, now=ctx.now)
    reason = message.get("reason")
    notes = f"Remedy {message.get('incident_number', '')}: {message.get('remedy_status', '')}".strip()
    ctx.work_info("remedy_outcome", f"{summary} ({reason})" if reason else summary,
                  notes + "\nSagsbehandlingen i Sagsflow er afsluttet.")
    return {"remedy_outcome": status}
