"""Transports of the outbox dispatcher (H-R1.1, H-R1.3, H-R1.4, H-R5.2, H-C2, H-T4, H-V1.2, H-E):
they turn a queued item into a mail, a notification, a call request or a Remedy write.

- mail: the payload's Danish template, composed with a Message-ID derived from the item's
  idempotency key (a retry keeps the same id, so receivers can drop a duplicate), stored on the
  outbox row *before* the mail leaves (a reply can always be threaded), then sent over SMTP;
- notification: a mail to the addressed unit or escalation contacts (template "notification");
- call: ARI click-to-call when enabled (idempotent via a channel id from the key), otherwise a
  no-op that records that the call is a person's task ("Ring til kunden");
- remedy: Work Info → HPD:WorkLog (looks for an entry carrying the key first, so a retry after a
  timeout does not duplicate) and status → HPD:Help Desk.
Connector errors are classified into the dispatcher's Transient/Permanent errors.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from config.handbook import handbook
from config.settings import Settings
from connectors.mail import MailError, MailRecipientsRefusedError, MailTransientError, compose, send
from connectors.phone.ari import AriPermanentError, AriTransientError, originate_call
from connectors.phone.outcomes import PhoneError
from services.dispatcher import DispatchReport, PermanentDeliveryError, TransientDeliveryError, dispatch_due
from services.remedy_transport import RemedyWriter
from store.mail import set_message_id
from store.models import CaseRow, OutboxRow

CUSTOMER_TEMPLATES = frozenset({"receipt", "information_request", "resolution_notice", "contact_attempt",
                                "rejection", "customer_message", "routed", "closure"})
DEFAULT_SOLUTION = "Løsningen er beskrevet på sagen."
PERSON_CALL = "Opkaldet foretages af en medarbejder (opgaven \"Ring til kunden\")"


@dataclass(frozen=True)
class CaseFacts:
    """What a transport may add from the case: the summary and the customer's contact data."""

    number: str | None
    summary: str
    customer_name: str | None
    customer_email: str | None
    customer_phone: str | None
    reply_token: str | None = None


def message_id_for(key: str, *, case_number: str | None, domain: str) -> str:
    """The Message-ID of the mail sent for one outbox item: the same on every retry."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"<{case_number or 'sagsflow'}.{digest}@{domain}>"


def thread_of(item: OutboxRow) -> dict:
    """In-Reply-To/References a queued mail asks for (a message written on the case answers the thread)."""
    payload = item.payload or {}
    if not payload.get("in_reply_to"):
        return {}
    return {"in_reply_to": payload["in_reply_to"], "references": list(payload.get("references") or [])}


def mail_context(template: str, context: dict, case: CaseFacts | None, *, attempts_total: int) -> dict:
    """Fit a queued payload's context to what the template takes (and add the customer's name)."""
    values = dict(context)
    if template == "resolution_notice":
        values = {"summary": values.get("summary"), "solution": values.get("solution") or DEFAULT_SOLUTION}
    elif template == "contact_attempt":
        attempt = int(values.get("attempt") or 1)
        values = {"summary": values.get("summary"), "attempt": attempt,
                  "attempts_total": max(attempt, attempts_total)}
    elif template == "cmdb_update" and isinstance(values.get("changes"), str):
        values["changes"] = [line.strip() for line in values["changes"].splitlines() if line.strip()]
    if case is not None and template in CUSTOMER_TEMPLATES and case.customer_name:
        values.setdefault("customer_name", case.customer_name)
    if case is not None and template == "forward_to_unit":
        for key in ("customer_name", "customer_email", "customer_phone"):
            if getattr(case, key):
                values.setdefault(key, getattr(case, key))
    return values


def notification_mail(payload: dict, case: CaseFacts | None) -> tuple[list[str], dict]:
    """Recipients and context of a notification (on-call start, SLA warning or breach)."""
    book = handbook()
    priority = book.labels.get("priority", {}).get(payload.get("priority"), payload.get("priority") or "")
    summary = case.summary if case else payload.get("summary") or "Sag"
    contacts = payload.get("contacts") or []
    if payload.get("purpose") == "on_call":
        headline = f"Driftsvagtproceduren er startet: sag med prioritet {priority}"
        lines = [f"Sag: {payload.get('summary') or summary}"]
    else:
        headline = payload.get("summary") or f"Besked om sag ({payload.get('purpose')})"
        lines = [f"Prioritet: {priority}"] if priority else []
        lines += [f"Eskaleres til: {c.get('label', c.get('role'))}"
                  + (f", telefon {c['phone']}" if c.get("phone") else "") for c in contacts]
    recipients = [payload["to"]] if payload.get("to") else [c["email"] for c in contacts if c.get("email")]
    if not recipients:
        labels = ", ".join(c.get("label", c.get("role", "?")) for c in contacts) or "ingen"
        raise PermanentDeliveryError(f"no e-mail address among the notification's contacts ({labels}): "
                                     f"they must be phoned")
    return recipients, {"summary": summary, "headline": headline.replace("\n", " "), "lines": lines}


class Transports:
    """The transports of one dispatcher run at `now`; use as a context manager (closes Remedy)."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings, *, now: datetime):
        self.factory, self.settings, self.now = factory, settings, now
        self.remedy = RemedyWriter(settings.remedy)

    def __enter__(self) -> Transports:
        return self

    def __exit__(self, *exc) -> None:
        self.remedy.close()

    def as_dict(self) -> dict:
        return {"mail": self.mail, "notification": self.notification, "call": self.call,
                "remedy": self.remedy.deliver}

    # ------------------------------------------------------------ mail
    def mail(self, item: OutboxRow) -> dict:
        payload, case = item.payload, self._case(item)
        template, to = payload.get("template"), payload.get("to")
        if not template or not to:
            raise PermanentDeliveryError(f"outbox item {item.id}: a mail needs 'template' and 'to'")
        context = mail_context(template, payload.get("context") or {}, case,
                               attempts_total=handbook().contact_attempts.min_attempts)
        return self._send(item, template=template, to=to, context=context,
                          case=case if template in CUSTOMER_TEMPLATES else None)

    def _reply_to(self, number: str | None, token: str | None) -> str | None:
        """The plus-address that carries the case's tag, when the mail server supports it."""
        if not (token and number and self.settings.smtp.plus_addressing):
            return None
        local, _, domain = self.settings.smtp.from_address.partition("@")
        return f"{local}+{number}-{token}@{domain}"

    def notification(self, item: OutboxRow) -> dict:
        recipients, context = notification_mail(item.payload, self._case(item))
        number = item.payload.get("case_number")
        if number and str(item.payload.get("purpose", "")).startswith("notify_"):   # a person's notification
            context["lines"] = [*context.get("lines", []), f"Åbn sagen: {self.settings.web_url}/cases/{number}"]
        return self._send(item, template="notification", to=recipients, context=context)

    def _send(self, item: OutboxRow, *, template: str, to, context: dict, case: CaseFacts | None = None) -> dict:
        number = item.payload.get("case_number")
        message_id = message_id_for(item.idempotency_key, case_number=number, domain=self.settings.mail_domain)
        token = case.reply_token if case is not None and number == case.number else None
        try:
            mail = compose(template, case_number=number, to=to, context=context, now=self.now,
                           from_address=self.settings.smtp.from_address, domain=self.settings.mail_domain,
                           message_id=message_id, reply_token=token, reply_to=self._reply_to(number, token),
                           **thread_of(item))
        except MailError as exc:
            raise PermanentDeliveryError(f"cannot compose {template!r}: {exc}") from None
        with self.factory() as session, session.begin():
            set_message_id(session, outbox_id=item.id, message_id=message_id)
        try:
            send(mail, self.settings.smtp)
        except MailTransientError as exc:
            raise TransientDeliveryError(str(exc)) from None
        except MailRecipientsRefusedError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        except MailError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        return {"message_id": message_id, "recipients": len(mail.recipients)}

    # ------------------------------------------------------------ call
    def call(self, item: OutboxRow) -> dict:
        if not self.settings.ari.enabled:
            return {"call": "person", "note": PERSON_CALL}
        payload, case = item.payload, self._case(item)
        number = payload.get("number") or (case.customer_phone if case else None)
        if not number or not payload.get("extension"):
            raise PermanentDeliveryError(f"outbox item {item.id}: a call needs the customer's number and "
                                         f"the technician's 'extension'")
        channel_id = "sagsflow-" + hashlib.sha256(item.idempotency_key.encode()).hexdigest()[:24]
        try:
            originate_call(self.settings.ari, technician_extension=payload["extension"], customer_number=number,
                           case_number=payload.get("case_number") or "none", channel_id=channel_id)
        except AriTransientError as exc:
            raise TransientDeliveryError(str(exc)) from None   # safe: the channel id makes a repeat a 409
        except AriPermanentError as exc:
            if exc.status == 409:
                return {"call": "originated", "channel_id": channel_id, "repeat": True}
            raise PermanentDeliveryError(str(exc)) from None
        except PhoneError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        return {"call": "originated", "channel_id": channel_id}

    # ------------------------------------------------------------ helpers
    def _case(self, item: OutboxRow) -> CaseFacts | None:
        if item.case_id is None:
            return None
        with self.factory() as session:
            row = session.get(CaseRow, item.case_id)
            if row is None:
                return None
            return CaseFacts(row.number, row.summary, row.customer_name, row.customer_email, row.customer_phone,
                             row.reply_token)


def dispatch(factory: sessionmaker[Session], settings: Settings, *, now: datetime, batch: int = 100,
             max_attempts: int = 5) -> DispatchReport:
    """One dispatcher run with the configured connectors (the flow and `sagsflow outbox dispatch`)."""
    with Transports(factory, settings, now=now) as transports:
        return dispatch_due(factory, transports.as_dict(), now=now, batch=batch, max_attempts=max_attempts)


__all__ = ["CaseFacts", "Transports", "dispatch", "mail_context", "message_id_for",
           "notification_mail"]
