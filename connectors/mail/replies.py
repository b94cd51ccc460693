"""Read an inbound mail as a reply to a case (H-R1.3, H-R1.4, H-D1, H-D3).

Pure: bytes in, InboundReply out. The case is found by the subject tag
(SF-INC/SF-REQ/SF-CRQ + 6-12 digits) first, else by the caller's Message-ID lookup applied to
In-Reply-To, then References (newest first), and for bounces to the returned original.
Auto-replies, read receipts and bounces are flagged: they never count as a customer
contact (H-R1.3). Reply prefixes (SV:, VS:, Re:, AW:, Fwd: …) and quoted text are
stripped so the Work Info holds what the customer actually wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from typing import Literal

from connectors.mail.errors import ReplyParseError
from connectors.mail.inbound_parts import (InboundAttachment, attachments_of, clean_body, clean_header, recipients_of,
                                           thread_tokens)
from connectors.mail.reply_text import html_to_text, strip_quoted

MessageIdLookup = Callable[[str], "str | None"]
MatchedBy = Literal["subject", "in_reply_to", "references", "bounced_message"]

_CASE_TAG = re.compile(r"(?<![A-Za-z0-9-])(SF-(?:INC|REQ|CRQ)-\d{6,12})(?!\d)", re.IGNORECASE)
_BRACKETED_TAG = re.compile(r"^\s*\[\s*SF-(?:INC|REQ|CRQ)-\d{6,12}(?:-[a-z0-9]{6,16})?\s*\]\s*", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:SV|VS|Re|RE|Fwd|FW|Fw|AW|WG)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable|kan ikke leveres|ikke leveret|returned mail|undelivered mail returned to sender"
    r"|delivery status notification \(failure\)|mail delivery failed)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AutoReplyRules:
    """What makes a mail an automatic one. Defaults follow RFC 3834 and common practice.

    `subject_prefixes`: subjects starting with these are auto-replies (Danish and English
    Outlook/Exchange wording). `suppress_header_means_auto`: X-Auto-Response-Suppress is
    Microsoft's *request* not to auto-reply, which also ordinary Outlook mails may carry
    (Discourse, osTicket and sisimai dropped it as an auto-reply sign), so it is off by
    default and can be switched on.
    """

    subject_prefixes: tuple[str, ...] = (
        "Autosvar", "Automatisk svar", "Fraværende", "Ikke til stede",
        "Out of Office", "Automatic reply", "Auto-reply", "Autoreply",
    )
    suppress_header_means_auto: bool = False


DEFAULT_RULES = AutoReplyRules()


@dataclass(frozen=True)
class InboundReply:
    """One inbound mail read as a reply. `case_number` is None when nothing matched (triage queue).

    `is_auto_reply` is also True for bounces; `message_id` is the key for idempotent storing.
    """

    case_number: str | None
    matched_by: MatchedBy | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None
    sent_at: datetime | None
    subject: str
    subject_clean: str
    body_text: str
    is_auto_reply: bool
    auto_reason: str | None
    is_bounce: bool
    bounced_message_id: str | None = None
    to_addresses: tuple[str, ...] = ()
    thread_tokens: tuple[tuple[str, str], ...] = ()      # (case number, token) from subject and recipients
    attachments: tuple[InboundAttachment, ...] = ()

    @property
    def counts_as_customer_contact(self) -> bool:
        """H-R1.3: only a person's own reply is a contact with the customer."""
        return not (self.is_auto_reply or self.is_bounce)


def parse_reply(
    raw: bytes,
    *,
    message_id_to_case: MessageIdLookup | None = None,
    rules: AutoReplyRules = DEFAULT_RULES,
) -> InboundReply:
    """Parse one raw RFC 5322 message; `message_id_to_case` maps a stored Message-ID to its case."""
    if not isinstance(raw, (bytes, bytearray)):
        raise ReplyParseError(f"a raw mail must be bytes, not {type(raw).__name__}")
    if not raw.strip():
        raise ReplyParseError("a raw mail must not be empty")
    message = message_from_bytes(bytes(raw), policy=policy.default)
    if not message.keys():
        raise ReplyParseError("the data has no RFC 5322 header fields")

    subject = clean_header(_header(message, "Subject"))
    recipients = recipients_of(message)
    in_reply_to = _first_id(_header(message, "In-Reply-To"))
    references = tuple(_MESSAGE_ID.findall(_header(message, "References")))
    is_bounce = _is_bounce(message, subject)
    bounced = _returned_headers(message) if is_bounce else None
    bounced_message_id = _first_id(_header(bounced, "Message-ID")) if bounced is not None else None

    tags: list[tuple[MatchedBy, str]] = [("subject", subject)]
    tags += [("subject", number) for number, _token in thread_tokens("", recipients)]   # plus-addressing
    if bounced is not None:
        tags.append(("bounced_message", _header(bounced, "Subject")))
    ids: list[tuple[MatchedBy, str]] = [("in_reply_to", in_reply_to)] if in_reply_to else []
    ids += [("references", item) for item in reversed(references)]
    if bounced_message_id:
        ids.append(("bounced_message", bounced_message_id))
    case_number, matched_by = _match_case(tags, ids, message_id_to_case)

    auto_reason = _auto_reason(message, subject, rules)
    return InboundReply(
        case_number=case_number,
        matched_by=matched_by,
        message_id=_first_id(_header(message, "Message-ID")),
        in_reply_to=in_reply_to,
        references=references,
        from_address=clean_header(_from_address(message) or "") or None,
        sent_at=_sent_at(_header(message, "Date")),
        subject=subject,
        subject_clean=clean_subject(subject),
        body_text=clean_body(strip_quoted(_body_text(message))),
        is_auto_reply=auto_reason is not None or is_bounce,
        auto_reason=auto_reason or ("bounce" if is_bounce else None),
        is_bounce=is_bounce,
        bounced_message_id=bounced_message_id,
        to_addresses=recipients,
        thread_tokens=thread_tokens(subject, recipients),
        attachments=attachments_of(message),
    )


def clean_subject(subject: str) -> str:
    """'SV: VS: [SF-INC-000123] Printer' → 'Printer'."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _BRACKETED_TAG.sub("", _REPLY_PREFIX.sub("", subject))
    return subject.strip()


def _match_case(
    tags: list[tuple[MatchedBy, str]],
    ids: list[tuple[MatchedBy, str]],
    message_id_to_case: MessageIdLookup | None,
) -> tuple[str | None, MatchedBy | None]:
    for how, subject in tags:
        if found := _CASE_TAG.search(subject):
            return found.group(1).upper(), how
    for how, message_id in ids if message_id_to_case is not None else ():
        if case_number := message_id_to_case(message_id):
            return case_number, how
    return None, None


def _header(message: EmailMessage | None, name: str) -> str:
    """The decoded header, or its raw text when the strict parser rejects it."""
    if message is None:
        return ""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # malformed header the parser cannot model
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), None)
    return " ".join(str(value).split()) if value is not None else ""


def _first_id(value: str) -> str | None:
    found = _MESSAGE_ID.search(value)
    return found.group(0) if found else None


def _from_address(message: EmailMessage) -> str | None:
    address = parseaddr(_header(message, "From"))[1]
    return address or None


def _sent_at(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if moment is None or moment.tzinfo is None:  # "-0000": the zone is unknown
        return None
    return moment.astimezone(UTC)


def _auto_reason(message: EmailMessage, subject: str, rules: AutoReplyRules) -> str | None:
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoreply-From", "X-Mail-Autoreply"):
        value = _header(message, name).strip().lower()
        if name in message and value != "no":
            return name
    if rules.suppress_header_means_auto and "X-Auto-Response-Suppress" in message:
        return "X-Auto-Response-Suppress"
    if message.get_content_type() == "multipart/report":
        return f"report: {message.get_param('report-type', 'unknown')}"  # e.g. read receipts
    if _header(message, "Return-Path").replace(" ", "") == "<>":
        return "Return-Path: <>"
    for prefix in rules.subject_prefixes:
        if re.match(rf"\s*{re.escape(prefix)}(?:\s*:|\s|$)", subject, re.IGNORECASE):
            return f"subject: {prefix}"
    return None


def _is_bounce(message: EmailMessage, subject: str) -> bool:
    if message.get_content_type() == "multipart/report" and (
        str(message.get_param("report-type", "")).lower() == "delivery-status"
    ):
        return True
    sender = (_from_address(message) or "").partition("@")[0].lower()
    return sender in _BOUNCE_SENDERS or bool(_BOUNCE_SUBJECT.match(subject))


def _returned_headers(message: EmailMessage) -> EmailMessage | None:
    """Headers of the original mail a bounce carries back, if any."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return inner[0]
        if kind == "text/rfc822-headers":
            return message_from_string(_decoded(part), policy=policy.default)
    return None


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        body = next((part for part in message.walk() if part.get_content_maintype() == "text"), None)
    if body is None:
        return ""
    text = _decoded(body)
    return html_to_text(text) if body.get_content_subtype() == "html" else text


def _decoded(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # unknown or wrong charset label
        payload = part.get_payload(decode=True) or b""
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("iso-8859-1")
    return content if isinstance(content, str) else ""
