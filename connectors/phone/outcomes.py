"""Outcomes of a phone call to the customer, recorded by the person who made it (H-R1.3).

The honest default: Sagsflow never places or judges a call by itself. A technician calls the
customer (a ``tel:`` link, or the optional ARI click-to-call in ``ari.py``) and then completes
the human task "Ring til kunden" with a :class:`CallResult`. The result feeds the closure
guard (:func:`counts_as_contact_attempt`) and the case's Work Info (:func:`work_info_text`).

Phone numbers are personal data: logs get :func:`mask_phone`, and Work Info text shows at most
the last two digits of the number dialled (and masks numbers typed into the note).
Pure module: no I/O, no clock; ``called_at`` is passed in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NOTE_MAX_CHARS = 2000
WORK_INFO_SUMMARY_MAX_CHARS = 100  # Remedy HPD:WorkLog "Description" is a 100-character field
_COPENHAGEN = ZoneInfo("Europe/Copenhagen")
_DANISH_NUMBER = re.compile(r"^(?:\+45|0045)?([2-9]\d{7})$")
# A Danish phone number inside free text: 8 digits, optionally grouped by spaces, optionally
# prefixed +45/0045; not part of a longer word or digit run (INC0000…). Dots and hyphens are
# not separators here, so dates such as 12-03-2025 stay readable.
_NUMBER_IN_TEXT = re.compile(r"(?<![\w+])(?:(?:\+|00)45 ?)?(?:\d ?){7}\d(?!\w)")
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class PhoneError(Exception):
    """Base class of every error raised by connectors.phone."""


class InvalidPhoneNumberError(PhoneError, ValueError):
    """Not a Danish phone number (8 digits, first digit 2-9, optional +45 or 0045)."""


class CallOutcome(StrEnum):
    """What happened when the technician called; ``label`` is the Danish text users see."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: dict[CallOutcome, str] = {
    CallOutcome.REACHED: "Kunden træffet",
    CallOutcome.NO_ANSWER: "Intet svar",
    CallOutcome.VOICEMAIL: "Talebesked indtalt",
    CallOutcome.BUSY: "Optaget",
    CallOutcome.WRONG_NUMBER: "Forkert nummer",
}


def normalize_danish_number(number: str) -> str:
    """The 8 national digits of a Danish number; spaces, dots and hyphens are ignored.

    Raises InvalidPhoneNumberError (without echoing the number) for anything else.
    """
    if not isinstance(number, str):
        raise InvalidPhoneNumberError("phone number must be a string")
    match = _DANISH_NUMBER.match(re.sub(r"[ .\-]", "", number.strip()))
    if match is None:
        raise InvalidPhoneNumberError(
            "not a Danish phone number: expected 8 digits starting with 2-9, optionally prefixed +45 or 0045"
        )
    return match.group(1)


def dialled_suffix(number: str) -> str:
    """The last two digits of a valid Danish number: what CallResult may keep of it."""
    return normalize_danish_number(number)[-2:]


def mask_phone(number: str) -> str:
    """A log-safe form of any phone number: every digit but the last two replaced by '*'.

    Never raises, so it is safe inside log calls: numbers with fewer than six digits are
    masked completely, and input without digits becomes '<no number>'.
    """
    digits = re.sub(r"\D", "", number) if isinstance(number, str) else ""
    if not digits:
        return "<no number>"
    if len(digits) < 6:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def redact_phone_numbers(text: str) -> str:
    """``text`` with every Danish phone number in it replaced by its masked form."""
    return _NUMBER_IN_TEXT.sub(lambda match: mask_phone(match.group(0)), text)


def _clean_note(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = (
        char for char in text
        if char in "\n\t" or (unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS)
    )
    return "".join(kept).strip()


class CallResult(BaseModel):
    """One call to the customer as the technician recorded it in "Ring til kunden".

    ``note`` is cleaned (control and bidi-override characters removed, line breaks kept,
    surrounding whitespace trimmed) and then limited to NOTE_MAX_CHARS; ``called_at`` must be
    timezone-aware and is stored in UTC; ``number_dialled_suffix`` holds only the last two
    digits of the number (see :func:`dialled_suffix`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: CallOutcome
    note: str = ""
    customer_confirmed: bool = False
    called_at: datetime
    number_dialled_suffix: str | None = Field(default=None, pattern=r"^\d{2}$")

    @field_validator("note", mode="before")
    @classmethod
    def _cleaned_note(cls, value: object) -> object:
        if not isinstance(value, str):
            return value  # pydantic reports the type error
        cleaned = _clean_note(value)
        if len(cleaned) > NOTE_MAX_CHARS:
            raise ValueError(f"note is {len(cleaned)} characters long; at most {NOTE_MAX_CHARS} are allowed")
        return cleaned

    @field_validator("called_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("called_at must be timezone-aware (e.g. UTC), not a naive datetime")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _confirmation_needs_contact(self) -> Self:
        if self.customer_confirmed and self.outcome is not CallOutcome.REACHED:
            raise ValueError(
                f"customer_confirmed can only be true when the customer was reached "
                f"(outcome 'reached'), not with outcome {self.outcome.value!r}"
            )
        return self


def counts_as_contact_attempt(result: CallResult) -> bool:
    """Whether the call counts towards H-R1.3's contact attempts before closing a case.

    Every call that reached the customer's line counts, answered or not (reached, no answer,
    voicemail, busy): the customer had the chance to respond. A wrong number does not count:
    the call never went to the customer, so it proves no attempt to contact *them*; it means
    the contact data must be corrected and the customer called again on the right number.
    """
    return result.outcome is not CallOutcome.WRONG_NUMBER


def work_info_text(result: CallResult) -> tuple[str, str]:
    """(summary, notes) in Danish for the case's Work Info entry about this call.

    The summary fits Remedy's 100-character Description; the notes hold the details. Of the
    number only the last two digits appear, and phone numbers typed into the note are masked.
    """
    label = result.outcome.label
    if result.outcome is CallOutcome.REACHED:
        label += " – løsning bekræftet" if result.customer_confirmed else " – løsning ikke bekræftet"
    summary = f"Opkald til kunden: {label}"[:WORK_INFO_SUMMARY_MAX_CHARS]

    local = result.called_at.astimezone(_COPENHAGEN)
    lines = [
        f"Udfald: {result.outcome.label}",
        f"Tidspunkt: {local:%d-%m-%Y %H:%M} (dansk tid)",
    ]
    if result.number_dialled_suffix is not None:
        lines.append(f"Nummer: ******{result.number_dialled_suffix}")
    if result.outcome is CallOutcome.REACHED:
        lines.append(f"Kunden har bekræftet, at sagen er løst: {'ja' if result.customer_confirmed else 'nej'}")
    if counts_as_contact_attempt(result):
        lines.append("Tæller som kontaktforsøg: ja")
    else:
        lines.append("Tæller som kontaktforsøg: nej (forkert nummer – kontaktoplysningerne skal rettes)")
    if result.note:
        lines.append(f"Note: {redact_phone_numbers(result.note)}")
    return summary, "\n".join(lines)
