"""The outbox dispatcher: delivers queued side effects (mail, notifications, calls, Remedy writes).

Delivery is at-least-once with an idempotency key per item: an item is claimed atomically (one
worker wins, also with several dispatchers), delivered outside any transaction, then marked sent.
A worker that dies after claiming leaves the item 'sending' until its lease runs out; it is then
retried. Transports get the item's idempotency key, so a mail keeps the same Message-ID on a retry
and a Remedy write can look for an existing entry first. Transient faults are retried with short,
growing delays; permanent faults and items that fail `max_attempts` times go to the dead-letter
state that administrators see and can retry. Each outcome is recorded as Work Info (H-R1.1).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from config.handbook import handbook
from domain.errors import InvalidState
from store.cases import add_work_info
from store.models import OutboxRow
from store.contacts import not_delivered
from store.outbox import claim, due_ids

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
PURPOSE_LABELS = {"receipt": "kvittering for modtagelse", "information_request": "anmodning om oplysninger",
                  "rejection": "besked om afvisning", "cmdb_update": "CMDB-opdatering",
                  "on_call": "besked til driftsvagten", "resolution_notice": "besked om løsning",
                  "contact_attempt": "kontaktforsøg", "sla_warning": "SLA-advarsel", "sla_breach": "SLA-brud"}


class TransientDeliveryError(Exception):
    """Try again later (connection refused, timeout, 4xx SMTP, 5xx HTTP)."""


class PermanentDeliveryError(Exception):
    """Retrying will not help (bad address, refused by the server, invalid data)."""


Transport = Callable[[OutboxRow], dict]   # returns facts to keep (e.g. message_id); raises the errors above


@dataclass
class DispatchReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    skipped: int = 0


def dispatch_due(factory: sessionmaker[Session], transports: dict[str, Transport], *, now: datetime,
                 batch: int = 100, max_attempts: int = 5) -> DispatchReport:
    """Deliver what is due. Poison never blocks the queue (issue 9): an item whose transport raises
    anything unexpected is a dead letter with the error and Work Info; an item left 'sending' by a
    crashed worker is retried until `max_attempts`, then dead-lettered; attempts never exceed it."""
    report = DispatchReport()
    with factory() as session:
        candidates = due_ids(session, now=now, limit=batch)
    for item_id in candidates:
        with factory() as session, session.begin():
            if _give_up_on_abandoned(session, item_id, now=now, max_attempts=max_attempts):
                report.dead.append(item_id)
                continue
            if not claim(session, item_id, now=now, lease_until=now + LEASE, max_attempts=max_attempts):
                report.skipped += 1
                continue
        try:
            _deliver_one(factory, transports, item_id, now=now, max_attempts=max_attempts, report=report)
        except Exception as exc:   # noqa: BLE001 — recording the outcome failed: the lease brings it back
            log.error("outbox item %s: recording the delivery failed (%s); retried after the lease",
                      item_id, type(exc).__name__)
    return report


def _give_up_on_abandoned(session: Session, item_id: int, *, now: datetime, max_attempts: int) -> bool:
    """A 'sending' item past its lease that has used every attempt becomes a dead letter."""
    row = session.get(OutboxRow, item_id, with_for_update=True)
    if row is None or row.status != "sending" or row.next_attempt_at > now or row.attempts < max_attempts:
        return False
    row.status = "dead"
    row.last_error = f"afbrudt under afsendelse {row.attempts} gange (arbejdsprocessen stoppede)"
    not_delivered(session, row.idempotency_key)
    _work_info(session, row, now, "delivery_failed", f"Kunne ikke sendes: {_label(row)}", row.last_error)
    return True


def _deliver_one(factory, transports, item_id: int, *, now: datetime, max_attempts: int,
                 report: DispatchReport) -> None:
    with factory() as session:
        item = session.get(OutboxRow, item_id)
        session.expunge(item)
    transport = transports.get(item.kind)
    error: Exception | None = None
    facts: dict = {}
    try:
        if transport is None:
            raise TransientDeliveryError(f"no transport configured for {item.kind!r}")
        facts = transport(item) or {}
    except (TransientDeliveryError, PermanentDeliveryError) as exc:
        error = exc
    except Exception as exc:   # noqa: BLE001 — poison (a bug or hostile data): never retried for ever
        log.error("outbox item %s: unexpected %s in the %s transport; dead-lettered", item_id,
                  type(exc).__name__, item.kind)
        error = PermanentDeliveryError(f"uventet fejl ({type(exc).__name__}): {str(exc)[:300]}")
    with factory() as session, session.begin():
        row = session.get(OutboxRow, item_id, with_for_update=True)
        if row.status != "sending":
            return   # an administrator changed it meanwhile
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
            row.payload = {**row.payload, "delivery": facts}
            report.sent.append(item_id)
            _work_info(session, row, now, "delivery_sent", f"Sendt: {_label(row)}")
        elif isinstance(error, PermanentDeliveryError) or row.attempts >= max_attempts:
            row.status, row.last_error = "dead", str(error)[:2000]
            report.dead.append(item_id)
            not_delivered(session, row.idempotency_key)   # an undelivered contact mail is no attempt (H-R1.3)
            _work_info(session, row, now, "delivery_failed", f"Kunne ikke sendes: {_label(row)}", str(error)[:500])
        else:
            row.status, row.last_error = "pending", str(error)[:2000]
            row.next_attempt_at = now + RETRY_DELAYS[min(row.attempts - 1, len(RETRY_DELAYS) - 1)]
            report.retried.append(item_id)


def retry_dead(session: Session, item_id: int, *, now: datetime) -> None:
    """Administrator action: put a dead letter back in the queue."""
    row = session.get(OutboxRow, item_id)
    if row is None or row.status != "dead":
        raise InvalidState(f"outbox item {item_id} is not a dead letter")
    row.status, row.attempts, row.next_attempt_at = "pending", 0, now


def _label(row: OutboxRow) -> str:
    """The Danish name of what was sent (`contact_attempt_2` → "kontaktforsøg nr. 2"), never the code."""
    return purpose_label(str(row.payload.get("purpose", row.kind)), kind=row.kind)


def purpose_label(purpose: str, *, kind: str = "") -> str:
    """A delivery's purpose in Danish, for Work Info and the admin pages."""
    base, _, number = purpose.rpartition("_")
    if number.isdigit() and base in PURPOSE_LABELS:
        return f"{PURPOSE_LABELS[base]} nr. {number}"
    if purpose.startswith("route_"):
        return "videresendelse til en anden enhed"
    return PURPOSE_LABELS.get(purpose, {"mail": "mail", "notification": "besked", "call": "opkald",
                                        "remedy": "Remedy-opdatering"}.get(kind or purpose, purpose or "besked"))


def _work_info(session: Session, row: OutboxRow, now: datetime, event: str, summary: str, notes: str = "") -> None:
    if row.case_id is None or row.kind == "remedy":
        return   # Remedy writes mirror Work Info; recording them again would loop
    add_work_info(session, case_id=row.case_id, event=event, work_log_type=handbook().work_log_type(event),
                  summary=summary, notes=notes, author="system", view_access="internal", now=now)
