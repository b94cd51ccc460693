"""Named service operations the diagrams call as Camunda external-task topics.

Each takes (ctx, inputs, data) and returns task-data updates. Requirements: H-T4 routing, H-V1.2
on-call, H-S1 start of work, H-R1.2 solution, H-R1.4 information request, H-R4 handover,
H-R5 rejection, H-R3.2 test waiver, H-C2 CMDB mail, closure.
"""
from __future__ import annotations

from typing import Any, Callable

from domain.errors import InvalidState
from store.notifications import notify
from store.sla import add_resolved_pause, close_pause, open_pause
from tasks.contact import (evaluate_contact, record_call_attempt, record_mail_reply, require_contact_guard,
                           send_contact_mail)
from tasks.context import OperationContext
from tasks.remedy_operations import record_remedy_outcome

Operation = Callable[[OperationContext, dict, dict], dict]
CHANNELS = {"in_person": "personligt", "phone": "telefonisk"}


def route_to_unit(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    unit = ctx.handbook.units.get(inputs.get("unit", ""))
    if unit is None:
        raise InvalidState(f"unknown unit {inputs.get('unit')!r} in diagram (see config/handbook.yaml units)")
    ctx.case.status = "routed"
    ctx.case.closed_at = ctx.now
    ctx.work_info("routed", f"Henvendelsen er sendt til {unit.name}", data.get("classification_note") or "",
                  public=True)
    context = {"unit": unit.name, "summary": ctx.case.summary}
    if data.get("classification_note"):
        context["note"] = data["classification_note"]
    ctx.queue("mail", f"route_{inputs['unit']}", {"template": "forward_to_unit", "to": unit.email, "context": context})
    if ctx.handbook.customer_mails.routed:   # the customer is told where the enquiry went (issue 13)
        ctx.queue_customer_mail("routed", {"unit": unit.name, "unit_email": unit.email, "summary": ctx.case.summary})
    return {}


def start_on_call_procedure(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    label = ctx.handbook.labels.get("priority", {}).get(data.get("priority"), data.get("priority"))
    on_call = ctx.handbook.units["on_call"]
    ctx.work_info("on_call_started", f"Driftsvagtproceduren er startet (prioritet {label})")
    ctx.queue("notification", "on_call", {"to": on_call.email, "priority": data.get("priority"),
                                          "summary": ctx.case.summary})
    return {}


def start_work(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    """The case reaches the technician's work. The clock's start of work is a technician's explicit
    start (claiming or completing the task marked starts_work, H-S1) — not this step. Back to work after
    a failed test or an unsolved contact: the time the case spent resolved does not count (a pause)."""
    if ctx.case.resolved_at is not None and ctx.case.started_at is not None:
        add_resolved_pause(ctx.session, case_id=ctx.case.id, start=ctx.case.resolved_at, end=ctx.now)
    ctx.case.resolved_at = None
    return {"work_result": None}


def record_solution(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    ctx.case.resolved_at = ctx.now   # H-S1: the resolution clock stops when the solution is in place
    ctx.work_info("solution", "Løsning beskrevet", data.get("solution") or "", public=True)
    return {"work_result": "resolved"}


def request_customer_information(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    items = [line.strip() for line in (data.get("information_needed") or "").splitlines() if line.strip()]
    ctx.case.status = "waiting_for_customer"
    open_pause(ctx.session, case_id=ctx.case.id, now=ctx.now)   # the SLA clock pauses (H-R1.4)
    listed = "\n".join(f"- {i}" for i in items)
    if ctx.queue_customer_mail("information_request", {"items": items, "summary": ctx.case.summary}):
        ctx.work_info("information_request", "Kunden er bedt om oplysninger pr. mail", listed, public=True)
    else:   # say so plainly instead of pretending a mail went out (issue 13)
        ctx.work_info("information_request", "Sagen har ingen e-mailadresse – ring til kunden og bed om oplysningerne",
                      f"{listed}\nRegistrér svaret i opgaven, eller tilføj en e-mailadresse på sagen.")
    return {}


def record_customer_reply(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    return {"customer_answer": ctx.record_reply(data), "answer_channel": "mail"}


def resume_after_customer(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    ctx.case.status = "in_progress"
    close_pause(ctx.session, case_id=ctx.case.id, now=ctx.now)
    return {}


def record_handover(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    team, receiver = data.get("handover_team"), data.get("handover_receiver")
    if not team or not receiver or not ctx.directory.is_member(receiver, team):
        raise InvalidState("a handover needs a receiving team and a named receiver in that team (H-R4.1)")
    channel = CHANNELS.get(data.get("handover_channel"), data.get("handover_channel"))
    ctx.work_info("handover",
                  f"Overdraget {channel} til {receiver} i {ctx.directory.team_name(team)}",
                  f"Fra team: {ctx.directory.team_name(ctx.case.team)}\nBegrundelse: {data.get('handover_reason') or ''}")
    notify(ctx.session, usernames=[receiver], kind="handover", case=ctx.case, key=ctx.task_id or ctx.now.isoformat(),
           summary=f"Sag overdraget til dig fra {ctx.directory.team_name(ctx.case.team)}: {ctx.case.summary[:120]} "
                   f"({ctx.case.number})", now=ctx.now)   # issue 13: the named receiver is told
    return {"previous_team": ctx.case.team, "team": team, "assignee": None, "work_result": "handover"}


def record_rejection(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    if not ctx.directory.is_coordinator(ctx.actor, ctx.case.team or ""):
        raise InvalidState("only the team's coordinator may approve a rejection (H-R5.1)")
    reason = data.get("rejection_reason") or ""
    ctx.case.status = "rejected"
    ctx.case.closed_at = ctx.now
    ctx.work_info("rejection", f"Sagen er afvist – godkendt af koordinator {ctx.actor}",
                  f"Begrundelse: {reason}\nKoordinatorens begrundelse: {data.get('rejection_decision_reason') or ''}",
                  public=True)
    ctx.queue_customer_mail("rejection", {"reason": reason, "summary": ctx.case.summary})
    return {"work_result": "rejected"}


def record_test_waiver(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    if not ctx.directory.is_coordinator(ctx.actor, ctx.case.team or ""):
        raise InvalidState("only the team's coordinator may waive the test (H-R3.2)")
    ctx.work_info("test_waiver", f"Test fravalgt af koordinator {ctx.actor}", data.get("waiver_reason") or "")
    return {"test_outcome": "waived"}


def clear_variables(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    return {name.strip(): None for name in inputs.get("names", "").split(",") if name.strip()}


def request_cmdb_update(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    cmdb = ctx.handbook.units["cmdb"]
    changes = data.get("cmdb_changes") or ""
    ctx.work_info("cmdb_update", f"Mail til {cmdb.name} om opdatering af dokumentation", changes)
    lines = [line.strip() for line in changes.splitlines() if line.strip()] or ["(ingen beskrivelse)"]
    ctx.queue("mail", "cmdb_update", {"template": "cmdb_update", "to": cmdb.email,
                                      "context": {"changes": lines, "summary": ctx.case.summary}})
    return {}


def close_case(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    require_contact_guard(ctx)   # H-R1.3: refused with a message naming what is missing
    ctx.case.status = "closed"
    ctx.case.closed_at = ctx.now
    ctx.case.resolved_at = ctx.case.resolved_at or ctx.now
    ctx.work_info("case_closed", "Sagen er lukket", public=True)
    if ctx.handbook.customer_mails.closure:
        ctx.queue_customer_mail("closure", {"summary": ctx.case.summary})
    return {}


OPERATIONS: dict[str, Operation] = {fn.__name__: fn for fn in (
    route_to_unit, start_on_call_procedure, start_work, record_solution, request_customer_information,
    record_customer_reply, resume_after_customer, record_handover, record_rejection, record_test_waiver,
    clear_variables, request_cmdb_update, close_case, send_contact_mail, record_call_attempt, record_mail_reply,
    evaluate_contact, record_remedy_outcome)}


def run_operation(ctx: OperationContext, topic: str, inputs: dict, data: dict[str, Any]) -> dict:
    operation = OPERATIONS.get(topic)
    if operation is None:
        raise InvalidState(f"no operation for topic {topic!r}")
    return operation(ctx, inputs, data) or {}
