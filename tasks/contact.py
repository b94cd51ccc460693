"""Contacting the customer before closure (H-R1.3): mail attempts, call attempts recorded by people,
mail replies, the closure guard and the time of the next attempt."""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from config.sla_config import load_sla_config
from connectors.phone.outcomes import CallResult, counts_as_contact_attempt, work_info_text
from domain.calendar import BusinessCalendar, local_text
from domain.contact_guard import Attempt, GuardPolicy, GuardResult, evaluate_guard, next_attempt_due
from domain.errors import FormInvalid, InvalidState
from domain.reply_reading import read_reply
from store.contacts import add_attempt, attempts_of
from tasks.context import OperationContext


READING_TEXT = {"confirmed": "Kundens svar lyder som en bekræftelse af løsningen",
                "unsolved": "Kundens svar lyder som om problemet ikke er løst"}


@lru_cache
def contact_calendar() -> BusinessCalendar:
    """Attempts are scheduled in the desk's contact hours (config/sla.yaml escalation calendar)."""
    return load_sla_config().escalation_policy.contact_hours


def guard_policy(ctx: OperationContext) -> GuardPolicy:
    """The configured rule, with the channels the case has: a case with no e-mail address is contacted by
    phone only, so the guard can hold without mail attempts (issue 13)."""
    c = ctx.handbook.contact_attempts
    channels = tuple(ch for ch in c.channels if ch != "mail" or ctx.customer_addresses()) or tuple(c.channels)
    return GuardPolicy(min_attempts=c.min_attempts, min_weeks=c.min_weeks, channels=channels,
                       min_gap=timedelta(hours=c.min_gap_hours), first_retry_working_days=c.first_retry_working_days)


def domain_attempts(ctx: OperationContext) -> list[Attempt]:
    return [Attempt(a.at, a.channel, counts=a.counts, confirmed=a.confirmed) for a in attempts_of(ctx.session, ctx.case.id)]


def contact_guard(ctx: OperationContext) -> GuardResult:
    return evaluate_guard(domain_attempts(ctx), guard_policy(ctx))


def send_contact_mail(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    since = ctx.case.resolved_at   # this contact round: attempts after the latest solution (a reopen starts anew)
    round_ = [a for a in attempts_of(ctx.session, ctx.case.id) if since is None or a.at >= since]
    if any(a.confirmed for a in round_):   # the customer confirmed meanwhile: no attempt mail (issue 13)
        return {}
    number = len([a for a in round_ if a.channel == "mail" and a.direction == "outbound"]) + 1
    if not ctx.customer_addresses():
        ctx.work_info("contact_attempt", "Ingen e-mailadresse – kunden kontaktes kun telefonisk",
                      "Kontaktkravet kræver både mail og telefon; registrér kundens e-mailadresse.")
        return {}
    template = "resolution_notice" if number == 1 else "contact_attempt"
    purpose = f"{template}_{number}"
    if number == 1:
        context = {"summary": ctx.case.summary, "solution": data.get("solution") or "Se sagens løsning."}
    else:
        context = {"summary": ctx.case.summary, "attempt": number,
                   "attempts_total": max(number, ctx.handbook.contact_attempts.min_attempts)}
    ctx.queue_customer_mail(template, context, purpose=purpose)
    add_attempt(ctx.session, case_id=ctx.case.id, channel="mail", direction="outbound", at=ctx.now, outcome="sent",
                counts=True, confirmed=False, note="", actor=ctx.actor, source_key=ctx.outbox_key(purpose))
    ctx.work_info("contact_attempt", f"Kontaktforsøg {number}: mail sendt til kunden", public=True)
    return {}


def record_call_attempt(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    outcome = data.get("call_outcome")
    confirmed = bool(data.get("customer_confirmed"))
    if confirmed and outcome != "reached":
        raise FormInvalid({"customer_confirmed": "Kunden kan kun bekræfte, når kunden er træffet."})
    try:
        result = CallResult(outcome=outcome, note=data.get("call_note") or "", customer_confirmed=confirmed,
                            called_at=ctx.now)
    except ValueError as exc:
        raise FormInvalid({"call_outcome": str(exc).splitlines()[0]}) from None
    add_attempt(ctx.session, case_id=ctx.case.id, channel="phone", direction="outbound", at=ctx.now,
                outcome=outcome, counts=counts_as_contact_attempt(result), confirmed=confirmed,
                note=result.note, actor=ctx.actor, source_key=f"call:{ctx.task_id}")
    summary, notes = work_info_text(result)
    ctx.work_info("contact_attempt", summary, notes)
    return evaluate_contact(ctx, inputs, data)


def record_mail_reply(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    """The reply as a contact, and a cautious reading of it that prefills *Vurdér kundens svar* (issue 13)."""
    text = ctx.record_reply(data)
    add_attempt(ctx.session, case_id=ctx.case.id, channel="mail", direction="inbound", at=ctx.now, outcome="reply",
                counts=True, confirmed=False, note=text[:2000], actor=ctx.actor, source_key=f"reply:{ctx.task_id}")
    reading = read_reply(text)
    if reading != "unclear":
        ctx.work_info("contact_guard", READING_TEXT[reading], "Et forslag ud fra teksten – en medarbejder vurderer svaret.")
    return {"customer_confirmed": reading == "confirmed", "customer_reports_unsolved": reading == "unsolved"}


def evaluate_contact(ctx: OperationContext, inputs: dict, data: dict) -> dict:
    """contact_result: done (confirmed or guard met) / unsolved / continue, with next_contact_due."""
    if data.get("customer_reports_unsolved"):
        ctx.work_info("contact_guard", "Kunden oplyser, at problemet ikke er løst – sagen går tilbage")
        return {"contact_result": "unsolved", "next_contact_due": None}
    if data.get("customer_confirmed"):
        _confirm_by_reply(ctx)
        ctx.work_info("contact_guard", "Kunden har bekræftet, at sagen er løst", public=True)
        return {"contact_result": "done", "next_contact_due": None}
    attempts = domain_attempts(ctx)
    policy = guard_policy(ctx)
    guard = evaluate_guard(attempts, policy)
    if guard.satisfied:
        ctx.work_info("contact_guard", "Kontaktkravet er opfyldt uden svar fra kunden")
        return {"contact_result": "done", "next_contact_due": None}
    due = next_attempt_due(attempts, contact_calendar(), policy) or contact_calendar().add_working_days(ctx.now, 1)
    due = max(due, ctx.now)
    ctx.work_info("contact_guard", f"Næste kontaktforsøg planlagt {local_text(due)}", guard.message)
    return {"contact_result": "continue", "next_contact_due": due.isoformat()}


def _confirm_by_reply(ctx: OperationContext) -> None:
    """A reviewed mail reply that confirms counts as the customer's confirmation (issue 13: the closure
    guard holds), unless a call already recorded it."""
    attempts = attempts_of(ctx.session, ctx.case.id)
    if any(a.confirmed for a in attempts if ctx.case.resolved_at is None or a.at >= ctx.case.resolved_at):
        return
    replies = [a for a in attempts if a.channel == "mail" and a.direction == "inbound" and a.counts]
    if replies:
        replies[-1].confirmed = True


def require_contact_guard(ctx: OperationContext) -> None:
    """Closing before the customer confirmed or the guard holds is refused, naming what is missing."""
    attempts = domain_attempts(ctx)
    if any(a.confirmed for a in attempts):
        return
    result = evaluate_guard(attempts, guard_policy(ctx))
    if not result.satisfied:
        raise InvalidState(result.message)
