"""compose(): Danish case mails with threading headers and no header injection (H-R1.3, H-R1.4, H-R5.2, H-C2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.mail.compose import ComposedMail, MailKind, compose
from connectors.mail.errors import MailComposeError, MailHeaderInjectionError

NOW = datetime(2025, 11, 25, 20, 19, tzinfo=UTC)
CASE = "SF-INC-000123"
CUSTOMER = "kunde@region.example.dk"
SENDER = "servicedesk@sagsflow.example.dk"
DOMAIN = "sagsflow.example.dk"

RECEIPT = {"summary": "Printer på afsnit 3 virker ikke", "customer_name": "Kunde Testesen"}
KIND_NAMES = [kind.value for kind in MailKind]


def make(kind: str = "receipt", **overrides) -> ComposedMail:
    arguments = dict(case_number=CASE, to=CUSTOMER, context=RECEIPT, now=NOW, from_address=SENDER, domain=DOMAIN)
    arguments.update(overrides)
    return compose(kind, **arguments)


def plain_text(mail: ComposedMail) -> str:
    return mail.message().get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_h_r1_3_every_kind_tags_subject_and_speaks_danish(kind: str, kind_examples: dict) -> None:
    context, words, subject_words = kind_examples[kind]
    mail = make(kind, context=context)
    assert mail.kind is MailKind(kind)
    assert mail.subject.startswith(f"[{CASE}] {subject_words}")
    assert mail.message()["Subject"] == mail.subject
    text = plain_text(mail)
    for word in words:
        assert word in text
    assert CASE in text


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_h_r1_3_every_mail_is_marked_automatic_and_has_its_message_id(kind: str, kind_examples: dict) -> None:
    mail = make(kind, context=kind_examples[kind][0])
    message = mail.message()
    assert message["Message-ID"].strip() == mail.message_id  # folded onto its own line: long
    assert mail.message_id.startswith("<") and mail.message_id.endswith(f"{CASE}@{DOMAIN}>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Date"].datetime == NOW
    assert message["From"] == SENDER and message["To"] == CUSTOMER
    assert message["In-Reply-To"] is None and message["References"] is None


def test_h_r1_3_message_ids_are_unique_per_mail() -> None:
    assert make().message_id != make().message_id


def test_h_r1_4_information_request_lists_exactly_the_items() -> None:
    items = ["Hvilket stiknummer (fx 60-143B)?", "Hvornår opstod fejlen?", "Hvem er berørt?"]
    text = plain_text(make("information_request", context={"summary": "Netværk nede", "items": items}))
    listed = [line.strip() for line in text.splitlines() if line.strip()[:2] in {"1.", "2.", "3.", "4."}]
    assert listed == [f"{number}. {item}" for number, item in enumerate(items, start=1)]


def test_h_r1_4_information_request_without_items_is_refused() -> None:
    with pytest.raises(MailComposeError, match="at least one item"):
        make("information_request", context={"summary": "Netværk nede", "items": []})


def test_h_r5_2_rejection_needs_a_reason() -> None:
    with pytest.raises(MailComposeError, match="missing: reason"):
        make("rejection", context={"summary": "Ny bærbar"})
    with pytest.raises(MailComposeError, match="non-empty text"):
        make("rejection", context={"summary": "Ny bærbar", "reason": "   "})


def test_h_c2_cmdb_update_goes_to_the_given_cmdb_address_without_customer_wording(kind_examples: dict) -> None:
    mail = make("cmdb_update", to="cmdb@region.example.dk", context=kind_examples["cmdb_update"][0])
    assert mail.recipients == ("cmdb@region.example.dk",)
    text = plain_text(mail)
    assert "Kære" not in text and "Hej" not in text


def test_h_r1_3_contact_attempt_number_cannot_exceed_the_total() -> None:
    with pytest.raises(MailComposeError, match="cannot be larger"):
        make("contact_attempt", context={"summary": "x", "attempt": 4, "attempts_total": 3})
    with pytest.raises(MailComposeError, match="whole number"):
        make("contact_attempt", context={"summary": "x", "attempt": True, "attempts_total": 3})


def test_h_d3_reply_threads_under_the_stored_message_id() -> None:
    first, second = "<1.SF-INC-000123@sagsflow.example.dk>", "<2.SF-INC-000123@sagsflow.example.dk>"
    context = {"summary": "Printer", "solution": "Toner skiftet."}
    message = make("resolution_notice", context=context, in_reply_to=second, references=[first]).message()
    assert message["In-Reply-To"] == second
    assert message["References"].split() == [first, second]
    only_parent = make("resolution_notice", context=context, in_reply_to=first).message()
    assert only_parent["References"] == first


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"context": {"summary": "Printer\r\nBcc: alle@region.example.dk"}}, "context\\['summary'\\] must be one line"),
        ({"context": {"summary": "Printer\nX-Evil: 1"}}, "one line"),
        ({"context": {"summary": "Printer", "customer_name": "Kunde\r\nBcc: x@y.dk"}}, "customer_name"),
        ({"to": "kunde@region.example.dk\r\nBcc: alle@region.example.dk"}, "to contains a line break"),
        ({"to": ["kunde@region.example.dk", "x@y.dk\nCc: z@y.dk"]}, "to contains a line break"),
        ({"from_address": "servicedesk@sagsflow.example.dk\r\nBcc: x@y.dk"}, "from_address contains"),
        ({"in_reply_to": "<a@b>\r\nBcc: x@y.dk"}, "Message-ID contains a line break"),
    ],
)
def test_h_r1_3_header_injection_is_rejected(overrides: dict, error: str) -> None:
    with pytest.raises(MailHeaderInjectionError, match=error):
        make(**overrides)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"case_number": "INC123"}, "case_number must look like"),
        ({"case_number": "INC000000000123"}, "case_number must look like"),   # Remedy's, not ours
        ({"case_number": "[SF-INC-000123]"}, "case_number must look like"),
        ({"now": datetime(2025, 11, 25, 20, 19)}, "aware UTC"),
        ({"now": NOW.astimezone(timezone(timedelta(hours=1)))}, "aware UTC"),
        ({"domain": "bad domain"}, "domain must be"),
        ({"to": []}, "at least one recipient"),
        ({"to": "kunde@a.dk, anden@b.dk"}, "one plain e-mail address"),
        ({"to": "Kunde <kunde@a.dk>"}, "one plain e-mail address"),
        ({"in_reply_to": "no-brackets@b"}, "look like <id@domain>"),
        ({"references": ["<a@b>"]}, "need in_reply_to"),
        ({"references": "<a@b>", "in_reply_to": "<c@d>"}, "not one string"),
        ({"context": {"summary": "x", "typo": 1}}, "unknown keys: typo"),
        ({"context": {}}, "missing: summary"),
        ({"context": "summary"}, "must be a mapping"),
    ],
)
def test_h_r1_3_bad_input_gets_a_specific_error(overrides: dict, error: str) -> None:
    with pytest.raises(MailComposeError, match=error):
        make(**overrides)


def test_h_r1_3_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(MailComposeError, match="unknown mail kind 'reminder'.*receipt"):
        compose("reminder", case_number=CASE, to=CUSTOMER, context={}, now=NOW, from_address=SENDER, domain=DOMAIN)


def test_h_r5_2_html_part_escapes_what_the_plain_text_keeps() -> None:
    reason = 'Se <script>alert("x")</script> & "portalen"'
    message = make("rejection", context={"summary": "Ny bærbar", "reason": reason}).message()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert reason in plain_text(make("rejection", context={"summary": "Ny bærbar", "reason": reason}))


def test_h_r1_3_plain_text_is_the_main_part_and_request_and_case_numbers_are_accepted() -> None:
    mail = make(case_number="SF-REQ-004567")
    message = mail.message()
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert mail.subject.startswith("[SF-REQ-004567] ")
    assert make(case_number="SF-CRQ-000001").case_number == "SF-CRQ-000001"
