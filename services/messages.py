"""Delivering outside events into running instances: a customer's mail reply (H-R1.4)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from domain.errors import InvalidState
from services.cases import get_case
from services.runtime import Runtime
from store.deployments import record_message
from store.process import instance_for_case


def deliver_customer_reply(session: Session, runtime: Runtime, *, case_number: str, text: str,
                           now: datetime, actor: str = "mail", channel: str = "mail") -> None:
    """Send the `customer_reply` message to the case's process; refused if it is not waiting for one."""
    case = get_case(session, case_number)
    instance = instance_for_case(session, case.id, lock=True)
    if instance is None or instance.status != "running":
        raise InvalidState(f"case {case_number} has no running process")
    bundle = runtime.bundle(session, instance.definition_id)
    workflow = runtime.engine.load(bundle, instance.state)
    runtime.engine.send_message(workflow, "customer_reply", {"text": text[:20000], "channel": channel}, now=now)
    record_message(session, case_id=case.id, name="customer_reply", answers={"text": text[:20000]}, actor=actor,
                   now=now, sequence=instance.version)   # replayed before deploy (issue 10)
    runtime.advance(session, instance=instance, case=case, workflow=workflow, actor=actor, now=now)
