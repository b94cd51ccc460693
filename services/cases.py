"""Opening and showing cases (H-V1 registration, H-R1.1 Work Info timeline)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from config.handbook import handbook
from services.case_access import require_read, require_register
from domain.errors import NotFound
from services.failures import failure_document
from services.sla import sla_document
from store.cases import add_case, add_work_info, case_by_number, work_info_for
from store.models import CaseRow, ProcessInstanceRow
from store.process import instance_for_case, list_open_tasks

if TYPE_CHECKING:   # the engine is not imported to read a case (issue 15: `sagsflow case show` starts fast)
    from services.new_case import NewCase
    from services.runtime import Runtime


def __getattr__(name: str):
    """`NewCase` from its own module on first use (PEP 562): pydantic is not imported to read a case."""
    if name == "NewCase":
        from services.new_case import NewCase

        return NewCase
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_case(session: Session, runtime: Runtime, *, new: NewCase, actor: str, now: datetime,
              proposals: dict | None = None) -> CaseRow:
    """Register a case and start its process. ``proposals``: extra process data that only proposes
    (forms offer it through ``prefill_from``, e.g. Remedy's team and technician); a person still decides."""
    # only registration needs these (lxml for the priority table, the mail composer, the outbox):
    # showing a case does not import them (issue 15: `sagsflow case show` starts fast)
    from connectors.mail.compose import danish_time
    from services.mail_senders import new_reply_token
    from services.priority import provisional_priority
    from store.outbox import enqueue

    require_register(session, username=actor, teams=set(runtime.settings.registration_teams))
    book = handbook()
    definition = runtime.current_definition(session)   # never deploys (issue 10)
    case = add_case(session, CaseRow(case_type=new.case_type, summary=new.summary, status="registered",
                                     impact=new.impact, urgency=new.urgency, sla_level=new.sla_level,
                                     customer_name=new.customer_name, customer_email=new.customer_email,
                                     customer_phone=new.customer_phone, received_at=now,
                                     reply_token=new_reply_token()),
                    prefix=book.case_number_prefix[new.case_type])
    add_work_info(session, case_id=case.id, event="case_registered",
                  work_log_type=book.work_log_type("case_registered"), summary=f"Sag registreret: {case.summary}",
                  notes=f"Type: {book.labels['case_type'][case.case_type]}, SLA: {book.labels['sla_level'][case.sla_level]}",
                  author=actor, view_access="internal", now=now)
    if case.customer_email:
        enqueue(session, key=f"{case.number}:receipt", kind="mail", case_id=case.id, now=now,
                payload={"purpose": "receipt", "template": "receipt", "case_number": case.number,
                         "to": case.customer_email,
                         "context": {"summary": case.summary, "received": danish_time(case.received_at)}})
    bundle = runtime.bundle(session, definition.id)
    # H-S1: the reaction clock runs from receipt on a provisional priority until triage refines it
    case.priority = provisional_priority(bundle.content_hash, bundle.sources, impact=case.impact, urgency=case.urgency)
    workflow = runtime.engine.start(bundle, {**(proposals or {}),   # the case's own fields win
        "case_number": case.number, "case_type": case.case_type, "classification": case.case_type,
        "summary": case.summary, "impact": str(case.impact), "urgency": str(case.urgency),
        "sla_level": case.sla_level, "end_user_name": case.customer_name,
        "end_user_email": case.customer_email, "end_user_phone": case.customer_phone})
    instance = ProcessInstanceRow(case_id=case.id, definition_id=definition.id, state=b"", status="running",
                                  updated_at=now)
    session.add(instance)
    session.flush()
    runtime.advance(session, instance=instance, case=case, workflow=workflow, actor=actor, now=now)
    return case


def get_case(session: Session, number: str, *, reader: str | None = None) -> CaseRow:
    """The case; with `reader`, only if that person may read it (SECURITY.md read scope)."""
    case = case_by_number(session, number)
    if case is None:
        raise NotFound(f"unknown case {number}")
    if reader is not None:
        require_read(session, username=reader, case=case)
    return case


def case_document(session: Session, number: str, *, reader: str | None = None, case: CaseRow | None = None) -> dict:
    """The stable JSON document of `sagsflow case show --json` (`reader`: as get_case; `case`: that case,
    when the caller has already read it with get_case)."""
    case = case if case is not None and case.number == number else get_case(session, number, reader=reader)
    instance = instance_for_case(session, case.id)
    return {
        "number": case.number, "remedy_incident_number": case.remedy_incident_number,
        "type": case.case_type, "summary": case.summary, "status": case.status,
        "impact": case.impact, "urgency": case.urgency, "priority": case.priority, "sla_level": case.sla_level,
        "coverage": case.coverage,
        "team": case.team, "assignee": case.assignee,
        "received_at": _iso(case.received_at), "started_at": _iso(case.started_at),
        "resolved_at": _iso(case.resolved_at), "closed_at": _iso(case.closed_at),
        "process": {"status": instance.status if instance else None,
                    "definition_id": instance.definition_id if instance else None,
                    "version": instance.definition_id if instance else None,     # the diagram version (issue 11)
                    "failure": failure_document(session, instance)},
        "open_tasks": [{"id": t.id, "name": t.name, "bpmn_id": t.bpmn_id, "lane": t.lane, "team": t.team,
                        "claimed_by": t.claimed_by} for t in list_open_tasks(session, case_id=case.id)],
        "work_info": [{"time": _iso(w.created_at), "type": w.work_log_type, "event": w.event,
                       "summary": w.summary, "notes": w.notes, "author": w.author, "view_access": w.view_access}
                      for w in work_info_for(session, case.id)],
        "sla": sla_document(session, case),
        **_conversation_facts(session, case),
    }


def _conversation_facts(session: Session, case: CaseRow) -> dict:
    """Issue 13: the case's contacts and attachments (metadata; the files stay in the file store)."""
    from services.attachments import attachment_document, attachments_for   # it imports this module
    from services.contacts import contacts_of
    return {"contacts": contacts_of(case),
            "attachments": [attachment_document(a) for a in attachments_for(session, case.id, include_hidden=True)]}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
