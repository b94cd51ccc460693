"""Build the outgoing case mails from Danish Jinja2 templates (H-R1.3, H-R1.4, H-R5.2, H-C2, H-D3).

Pure: no I/O besides reading the packaged templates, time passed in as `now`.
Every mail carries the case number as a subject tag `[SF-INC-000123] …`, a fresh
Message-ID the caller stores (message_id → case) to thread replies, and
`Auto-Submitted: auto-generated` / `X-Auto-Response-Suppress: All` so out-of-office
robots stay quiet (RFC 3834). Anything that would end up in a header is checked for
CR/LF (header injection) and rejected with MailHeaderInjectionError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from connectors.mail.errors import MailComposeError, MailHeaderInjectionError

if TYPE_CHECKING:   # jinja2 is imported when a mail is first composed (issue 15: the settings import this package)
    import jinja2

CASE_NUMBER = re.compile(r"SF-(?:INC|REQ|CRQ)-\d{6,12}")   # Sagsflow's numbers, not Remedy's
_MESSAGE_ID = re.compile(r"<[!-;=?-~]+@[!-;=?-~]+>")  # printable ASCII, no < > or spaces
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[a-z0-9]{6,16}")
_DISPLAY_ZONE = ZoneInfo("Europe/Copenhagen")
_MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)


class MailKind(StrEnum):
    RECEIPT = "receipt"  # kvittering for modtagelse
    INFORMATION_REQUEST = "information_request"  # H-R1.4
    RESOLUTION_NOTICE = "resolution_notice"  # H-R1.3 / H-D3
    CONTACT_ATTEMPT = "contact_attempt"  # H-R1.3
    REJECTION = "rejection"  # H-R5.2
    CMDB_UPDATE = "cmdb_update"  # H-C2, internal
    FORWARD_TO_UNIT = "forward_to_unit"  # H-T4, internal: the enquiry belongs to another unit
    NOTIFICATION = "notification"  # H-V1.2 on-call, H-E SLA warnings/breaches, internal
    CUSTOMER_MESSAGE = "customer_message"  # H-D3: a person writes to the customer from the case
    ROUTED = "routed"  # H-T4: the customer is told which unit now has the enquiry
    CLOSURE = "closure"  # H-C: the case is closed


_COMMON_OPTIONAL = frozenset({"customer_name", "signature"})
# kind -> (required context keys, optional context keys)
_CONTEXT_KEYS: dict[MailKind, tuple[frozenset[str], frozenset[str]]] = {
    MailKind.RECEIPT: (frozenset({"summary"}), _COMMON_OPTIONAL | {"received"}),
    MailKind.INFORMATION_REQUEST: (frozenset({"summary", "items"}), _COMMON_OPTIONAL),
    MailKind.RESOLUTION_NOTICE: (frozenset({"summary", "solution"}), _COMMON_OPTIONAL),
    MailKind.CONTACT_ATTEMPT: (frozenset({"summary", "attempt", "attempts_total"}), _COMMON_OPTIONAL),
    MailKind.REJECTION: (frozenset({"summary", "reason"}), _COMMON_OPTIONAL),
    MailKind.CMDB_UPDATE: (frozenset({"summary", "changes"}), frozenset({"configuration_items", "signature"})),
    MailKind.FORWARD_TO_UNIT: (frozenset({"summary", "unit"}),
                               frozenset({"note", "customer_name", "customer_email", "customer_phone", "signature"})),
    MailKind.NOTIFICATION: (frozenset({"summary", "headline"}), frozenset({"lines", "signature"})),
    MailKind.CUSTOMER_MESSAGE: (frozenset({"summary", "message"}), _COMMON_OPTIONAL | {"title"}),
    MailKind.ROUTED: (frozenset({"summary", "unit"}), _COMMON_OPTIONAL | {"unit_email"}),
    MailKind.CLOSURE: (frozenset({"summary"}), _COMMON_OPTIONAL | {"solution"}),
}
_LIST_KEYS = frozenset({"items", "changes", "configuration_items", "lines"})
_INT_KEYS = frozenset({"attempt", "attempts_total"})
_SINGLE_LINE_KEYS = frozenset({"summary", "customer_name", "headline", "unit", "title"})


@dataclass(frozen=True)
class ComposedMail:
    """A finished mail: `raw` is what goes over SMTP; store `message_id` → `case_number`."""

    kind: MailKind
    case_number: str
    message_id: str
    from_address: str
    recipients: tuple[str, ...]
    subject: str
    raw: bytes

    def message(self) -> EmailMessage:
        """The mail parsed back, for inspection."""
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]


def compose(
    kind: MailKind | str,
    *,
    case_number: str,
    to: str | Sequence[str],
    context: Mapping[str, Any],
    now: datetime,
    from_address: str,
    domain: str,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    message_id: str | None = None,
    reply_token: str | None = None,
    reply_to: str | None = None,
) -> ComposedMail:
    """Render the Danish template for `kind` into a complete RFC 5322 message.

    `in_reply_to` (a stored Message-ID, with angle brackets) threads the mail under an
    earlier one; `references` are that thread's older Message-IDs, oldest first.
    `message_id` (``<id@domain>``) replaces the fresh one, so a retried delivery keeps its id.
    `reply_token` (the case's token) joins the subject tag, `[SF-INC-000123-k7f3q9x2] …`, and
    `reply_to` (e.g. a plus-address carrying the same tag) is set as Reply-To: either proves a reply
    belongs to the case's thread (issue 9, verified senders).
    """
    mail_kind = _kind(kind)
    if not isinstance(case_number, str) or not CASE_NUMBER.fullmatch(case_number):
        raise MailComposeError("case_number must look like SF-INC-000123 (SF-INC, SF-REQ or SF-CRQ, 6-12 digits)")
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise MailComposeError("now must be an aware UTC datetime")
    if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
        raise MailComposeError("domain must be a plain host name such as servicedesk.example.dk")
    sender = _address(from_address, field="from_address")
    recipients = tuple(_address(item, field="to") for item in ([to] if isinstance(to, str) else to))
    if not recipients:
        raise MailComposeError("to must name at least one recipient")
    thread = _thread_ids(in_reply_to, references)
    if message_id is not None:
        if not isinstance(message_id, str) or _CONTROL.search(message_id):
            raise MailHeaderInjectionError("message_id contains a line break or control character")
        if not _MESSAGE_ID.fullmatch(message_id):
            raise MailComposeError("message_id must look like <id@domain>")
    values = _checked_context(mail_kind, context)
    values.update(case_number=case_number, now=now)

    import jinja2

    environment = _environment()
    template = environment.get_template(f"{mail_kind.value}.txt.j2")
    try:
        title = "".join(template.blocks["subject"](template.new_context(values))).strip()
        text = template.render(values).strip() + "\n"
    except jinja2.UndefinedError as error:  # a template uses a key _CONTEXT_KEYS does not list
        raise MailComposeError(f"template for {mail_kind.value!r} cannot render: {error.message}") from error
    if _CONTROL.search(title):
        raise MailHeaderInjectionError(f"subject of {mail_kind.value!r} would contain a line break or control character")
    if reply_token is not None and not _TOKEN.fullmatch(str(reply_token)):
        raise MailComposeError("reply_token must be 6-16 lower-case letters and digits")
    subject = f"[{case_number}-{reply_token}] {title}" if reply_token else f"[{case_number}] {title}"
    html = environment.get_template("alternative.html.j2").render(subject=subject, paragraphs=_paragraphs(text))

    message_id = message_id or make_msgid(idstring=case_number, domain=domain)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if reply_to is not None:
        message["Reply-To"] = _address(reply_to, field="reply_to")
    if thread:
        message["In-Reply-To"] = thread[-1]
        message["References"] = " ".join(thread)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = "da"  # after set_content, which clears Content-* headers
    return ComposedMail(
        kind=mail_kind,
        case_number=case_number,
        message_id=message_id,
        from_address=sender,
        recipients=recipients,
        subject=subject,
        raw=message.as_bytes(),
    )


def _kind(kind: MailKind | str) -> MailKind:
    try:
        return MailKind(kind)
    except ValueError:
        known = ", ".join(item.value for item in MailKind)
        raise MailComposeError(f"unknown mail kind {kind!r}; known kinds: {known}") from None


def _address(value: object, *, field: str) -> str:
    if not isinstance(value, str):
        raise MailComposeError(f"{field} must be an e-mail address string")
    if _CONTROL.search(value):
        raise MailHeaderInjectionError(f"{field} contains a line break or control character")
    try:
        Address(addr_spec=value)
    except ValueError:
        raise MailComposeError(f"{field} must be one plain e-mail address (local@domain)") from None
    return value


def _thread_ids(in_reply_to: str | None, references: Sequence[str]) -> list[str]:
    if isinstance(references, str):
        raise MailComposeError("references must be a sequence of Message-IDs, not one string")
    ids = list(references) + ([in_reply_to] if in_reply_to is not None else [])
    for item in ids:
        if not isinstance(item, str):
            raise MailComposeError("Message-IDs must be strings")
        if _CONTROL.search(item):
            raise MailHeaderInjectionError("a Message-ID contains a line break or control character")
        if not _MESSAGE_ID.fullmatch(item):
            raise MailComposeError("a Message-ID must look like <id@domain>")
    if in_reply_to is None and ids:
        raise MailComposeError("references need in_reply_to (the Message-ID replied to)")
    return list(dict.fromkeys(ids))  # drop repeats, keep order: in_reply_to stays last


def _checked_context(kind: MailKind, context: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(context, Mapping):
        raise MailComposeError("context must be a mapping")
    required, optional = _CONTEXT_KEYS[kind]
    missing = sorted(required - context.keys())
    if missing:
        raise MailComposeError(f"context for {kind.value!r} is missing: {', '.join(missing)}")
    unknown = sorted(context.keys() - required - optional)
    if unknown:
        raise MailComposeError(f"context for {kind.value!r} has unknown keys: {', '.join(map(str, unknown))}")
    values: dict[str, Any] = {"customer_name": None, "signature": "IT Servicedesk", "configuration_items": (),
                              "note": None, "customer_email": None, "customer_phone": None, "lines": (),
                              "title": None, "unit_email": None, "solution": None}
    for key, value in context.items():
        if key in _LIST_KEYS:
            values[key] = _text_list(key, value, allow_empty=key not in required)
        elif key in _INT_KEYS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise MailComposeError(f"context[{key!r}] must be a whole number of at least 1")
            values[key] = value
        else:
            values[key] = _text(key, value)
    if kind is MailKind.CONTACT_ATTEMPT and values["attempt"] > values["attempts_total"]:
        raise MailComposeError("context['attempt'] cannot be larger than context['attempts_total']")
    return values


def _text(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MailComposeError(f"context[{key!r}] must be a non-empty text")
    if key in _SINGLE_LINE_KEYS and _CONTROL.search(value):
        raise MailHeaderInjectionError(f"context[{key!r}] must be one line: it may end up in a header")
    return value.strip()


def _text_list(key: str, value: object, *, allow_empty: bool) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise MailComposeError(f"context[{key!r}] must be a list of texts")
    if not value and not allow_empty:
        raise MailComposeError(f"context[{key!r}] must name at least one item")
    return [_text(key, item) for item in value]


def _paragraphs(text: str) -> list[list[str]]:
    blocks = re.split(r"\n\s*\n", text.strip())
    return [block.splitlines() for block in blocks if block.strip()]


def danish_time(moment: datetime) -> str:
    """'25. november 2025 kl. 21.19', in Copenhagen time (the users' clock)."""
    local = moment.astimezone(_DISPLAY_ZONE)
    return f"{local.day}. {_MONTHS[local.month - 1]} {local.year} kl. {local:%H.%M}"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("connectors.mail", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["danish_time"] = danish_time
    return environment
