"""The parts of an inbound mail beyond its text (issue 9 items 4/5, issue 13): the mail boundary for
text (NUL and other controls never reach the database or a log), the recipients and per-case reply
tokens that verify a thread, and the attached files. Pure functions on email.message objects."""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from domain.text import clean_header, clean_text

# the per-case reply token (issue 9, verified senders): "[SF-INC-000123-k7f3q9x2]" in the subject, or
# plus-addressing "servicedesk+SF-INC-000123-k7f3q9x2@…" in the address the customer replied to
_NUMBER = r"(?:SF-)?(?:INC|REQ|CRQ)-?\d{6,12}"
_TOKEN_TAG = re.compile(rf"\[\s*({_NUMBER})-([a-z0-9]{{6,16}})\s*\]", re.IGNORECASE)
_PLUS_TAG = re.compile(rf"\+({_NUMBER})-([a-z0-9]{{6,16}})@", re.IGNORECASE)
_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")


@dataclass(frozen=True)
class InboundAttachment:
    """A file carried by an inbound mail; the name is as sent (sanitised later), the type is a claim."""

    filename: str
    declared_type: str
    data: bytes


def clean_body(text: str) -> str:
    """The mail boundary for text (issue 9): domain.text's rules — NUL and other controls removed."""
    return clean_text(text)


def recipients_of(message: EmailMessage) -> tuple[str, ...]:
    found: list[str] = []
    for name in _RECIPIENT_HEADERS:
        try:
            values = [str(v) for v in message.get_all(name) or ()]
        except (ValueError, IndexError, TypeError):   # a malformed header the parser cannot model
            values = [raw for key, raw in message.raw_items() if key.lower() == name.lower()]
        for _display, address in getaddresses(values):
            address = clean_header(address).lower()
            if address and address not in found:
                found.append(address)
    return tuple(found)


def thread_tokens(subject: str, recipients: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = [(m.group(1).upper(), m.group(2).lower()) for m in _TOKEN_TAG.finditer(subject)]
    for address in recipients:
        pairs += [(m.group(1).upper(), m.group(2).lower()) for m in _PLUS_TAG.finditer(address)]
    return tuple(dict.fromkeys(pairs))


def attachments_of(message: EmailMessage) -> tuple[InboundAttachment, ...]:
    found = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if not filename and disposition != "attachment" and part.get_content_maintype() != "image":
            continue   # a text or html body part
        try:
            data = part.get_payload(decode=True) or b""
        except (ValueError, TypeError):   # a broken transfer encoding: nothing usable
            continue
        if data:
            found.append(InboundAttachment(clean_header(str(filename or "")) or "vedhaeftning",
                                           part.get_content_type(), data))
    return tuple(found)
