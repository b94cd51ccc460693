"""The case's contacts (issue 13; H-V1 registration, H-V1.1 first triage): the customer's and the end
user's name, phone and e-mail, editable by those who work the case. A change is Work Info naming the
fields, and the end user's data is also changed in the running process (the first-triage answers), so
the next step does not bring the old value back. Information requests and attempts use every address.
Service functions: the caller commits."""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import FormInvalid
from domain.text import clean_line
from services.case_access import require_work
from services.cases import get_case
from store.cases import add_work_info
from store.models import CaseRow

if TYPE_CHECKING:   # only a type here: reading contacts imports no engine (issue 15)
    from services.runtime import Runtime

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ]{4,20}$")
FIELDS = {"customer_name": "Kundens navn", "customer_email": "Kundens e-mail", "customer_phone": "Kundens telefon",
          "end_user_name": "Slutbrugerens navn", "end_user_email": "Slutbrugerens e-mail",
          "end_user_phone": "Slutbrugerens telefon"}
LIMITS = {"customer_name": 200, "end_user_name": 200, "customer_email": 320, "end_user_email": 320,
          "customer_phone": 40, "end_user_phone": 40}


def contacts_of(case: CaseRow) -> dict[str, str | None]:
    return {key: getattr(case, key) for key in FIELDS}


def update_contacts(session: Session, runtime: Runtime, *, case_number: str, username: str, values: dict,
                    now: datetime) -> list[str]:
    """Change the given contact fields (others unchanged); returns the Danish names of what changed."""
    case = get_case(session, case_number)
    require_work(session, username=username, case=case)
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise FormInvalid({key: "Ukendt felt." for key in unknown})
    cleaned, errors = {}, {}
    for key, raw in values.items():
        value = clean_line(str(raw or "")) or None
        if value and len(value) > LIMITS[key]:
            errors[key] = f"Højst {LIMITS[key]} tegn."
        elif value and key.endswith("_email") and not EMAIL.match(value):
            errors[key] = "Skriv en gyldig e-mailadresse (navn@eksempel.dk)."
        elif value and key.endswith("_phone") and not PHONE.match(value):
            errors[key] = "Skriv et telefonnummer med 4-20 cifre."
        elif key == "customer_name" and not value:
            errors[key] = "Kunden skal have et navn."
        cleaned[key] = value
    if errors:
        raise FormInvalid(errors)
    changed = {key: value for key, value in cleaned.items() if getattr(case, key) != value}
    if not changed:
        return []
    lines = [f"{FIELDS[key]}: {getattr(case, key) or '–'} → {value or '–'}" for key, value in changed.items()]
    for key, value in changed.items():
        setattr(case, key, value)
    add_work_info(session, case_id=case.id, event="contacts_changed",
                  work_log_type=handbook().work_log_type("contacts_changed"),
                  summary="Kontaktoplysninger ændret", notes="\n".join(lines), author=username,
                  view_access="internal", now=now)
    process_keys = {key: value for key, value in changed.items() if key.startswith("end_user_")}
    if process_keys:
        runtime.update_case_data(session, case=case, updates=process_keys, actor=username, now=now)
    return [FIELDS[key] for key in changed]
