"""Readable Prefect task-run names for timed work on a case (issue 16; H-R1.1, H-R1.3, H-C2, H-S, H-E):
the name carries the case number, so the Prefect UI finds a case's work by searching its number
(`kontaktforsøg-2 INC000000000042`, `cmdb-mail INC…`, `sla-brud reaktion INC…`), and the kind
(the name's first word). Task runs carry no tags: any tag costs an extra API call per run (tag
concurrency slots: 9.8 vs 6.7 ms median, ~50 ms under SQLite lock retries; a tag new each time
0.6-0.9 s; BENCHMARKS.md). Log text goes
through `scrub` so no mail address or phone number reaches Prefect's logs."""
from __future__ import annotations

import re
from datetime import datetime

from domain.calendar import to_local

PURPOSE_SLUGS = {"receipt": "kvittering-mail", "information_request": "oplysninger-mail",
                 "rejection": "afvisning-mail", "cmdb_update": "cmdb-mail", "on_call": "driftsvagt-besked",
                 "sla_warning": "sla-advarsel-besked", "sla_breach": "sla-brud-besked",
                 "remedy_worklog": "remedy-worklog", "remedy_status": "remedy-status",
                 "routed": "videresendt-mail", "closure": "lukning-mail", "customer_message": "kundebesked-mail"}
KIND_SLUGS = {"mail": "mail", "notification": "besked", "call": "opkald", "remedy": "remedy"}
TARGET_SLUGS = {"reaction": "reaktion", "resolution": "løsning"}
EVENT_SLUGS = {"warning": "sla-advarsel", "breach": "sla-brud"}
ATTEMPT = re.compile(r"(?:resolution_notice|contact_attempt)_(\d+)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w-])\+?\d[\d \-]{6,}\d")


def case_label(number: str | None) -> str:
    return number or "uden-sag"


def delivery_name(kind: str, payload: dict) -> str:
    """`kontaktforsøg-2 INC…`, `cmdb-mail INC…`, `sla-brud-besked reaktion INC…`, `opkald INC…`."""
    purpose = str(payload.get("purpose") or kind)
    attempt = ATTEMPT.fullmatch(purpose)
    if purpose == kind or purpose == "call":
        slug = KIND_SLUGS.get(kind, kind)
    elif attempt:
        slug = f"kontaktforsøg-{attempt[1]}"
    elif purpose.startswith("route_"):
        slug = "videresendelse-mail"
    else:
        slug = PURPOSE_SLUGS.get(purpose) or f"{purpose.replace('_', '-')}-{KIND_SLUGS.get(kind, kind)}"
    target = TARGET_SLUGS.get(payload.get("target")) if purpose.startswith("sla_") else None
    return " ".join(p for p in (slug, target, case_label(payload.get("case_number"))) if p)


def sla_event_name(kind: str, target: str, number: str | None) -> str:
    """`sla-brud reaktion INC…`, `sla-advarsel løsning INC…`."""
    return f"{EVENT_SLUGS.get(kind, kind)} {TARGET_SLUGS.get(target, target)} {case_label(number)}"


def timer_name(names: list[str], number: str | None) -> str:
    """`næste-kontaktforsøg INC…`: the timer's name on the diagram, as a slug."""
    slugs = sorted({re.sub(r"[^\w]+", "-", n.strip().lower()).strip("-") for n in names if n and n.strip()})
    return f"{'+'.join(slugs) or 'timer'} {case_label(number)}"


def scrub(text: object, limit: int = 300) -> str:
    """A connector error without personal data (mail addresses and phone numbers masked)."""
    value = PHONE.sub("[telefon]", EMAIL.sub("[mail]", str(text)))
    return value[:limit]


def local_time(moment: datetime) -> str:
    """A time as a person in Copenhagen reads it: 01-12-2026 kl. 10:11."""
    return to_local(moment).strftime("%d-%m-%Y kl. %H:%M")
