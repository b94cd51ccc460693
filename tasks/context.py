"""What a service-task operation may touch: the case, Work Info and the outbox — all in the
caller's transaction (the caller commits)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from config.handbook import Handbook
from store.cases import add_work_info
from store.directory import DbDirectory
from store.models import CaseRow
from store.outbox import enqueue


@dataclass
class OperationContext:
    session: Session
    case: CaseRow
    actor: str
    now: datetime
    handbook: Handbook
    directory: DbDirectory
    task_id: str = ""

    def work_info(self, event: str, summary: str, notes: str = "", *, public: bool = False) -> None:
        """Record Work Info with the Remedy Work Log Type configured for the event (H-R1.1)."""
        add_work_info(self.session, case_id=self.case.id, event=event,
                      work_log_type=self.handbook.work_log_type(event), summary=summary, notes=notes,
                      author=self.actor, view_access="public" if public else "internal", now=self.now)

    def record_reply(self, data: dict) -> str:
        """The text of the `customer_reply` message the process received, recorded as Work Info."""
        reply = data.get("customer_reply") or {}
        text = reply.get("text", "") if isinstance(reply, dict) else str(reply)
        channel = reply.get("channel", "mail") if isinstance(reply, dict) else "mail"
        how = {"phone": "i telefonen", "in_person": "personligt"}.get(channel, "på mail")
        self.work_info("customer_reply", f"Kunden har svaret {how}", text, public=True)
        return text

    def outbox_key(self, purpose: str) -> str:
        return f"{self.case.number}:{purpose}:{self.task_id or self.now.isoformat()}"

    def queue(self, kind: str, purpose: str, payload: dict) -> None:
        """Queue a side effect, keyed by the engine task that caused it (idempotent per step)."""
        enqueue(self.session, key=self.outbox_key(purpose), kind=kind, case_id=self.case.id,
                payload={"purpose": purpose, "case_number": self.case.number, **payload}, now=self.now)

    def customer_addresses(self) -> list[str]:
        """Every e-mail address the case has for the customer and the end user (issue 13)."""
        found: list[str] = []
        for address in (self.case.customer_email, self.case.end_user_email):
            if address and address.strip().lower() not in [a.lower() for a in found]:
                found.append(address.strip())
        return found

    def queue_customer_mail(self, template: str, context: dict, *, purpose: str | None = None) -> bool:
        """Queue a mail to the customer (and the end user); False when the case has no e-mail address."""
        addresses = self.customer_addresses()
        if addresses:
            self.queue("mail", purpose or template, {"template": template,
                                                     "to": addresses[0] if len(addresses) == 1 else addresses,
                                                     "context": context})
        return bool(addresses)
