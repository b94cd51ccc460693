"""parse_reply(): case matching, quote stripping, MIME decoding, auto-reply and bounce flags (H-R1.3, H-R1.4, H-D1)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.header import Header

import pytest

from connectors.mail.errors import ReplyParseError
from connectors.mail.replies import AutoReplyRules, clean_subject, parse_reply
from connectors.mail.reply_text import html_to_text, strip_quoted

CASE = "SF-INC-000123"
STORED_ID = "<179.1.2.SF-INC-000123@sagsflow.example.dk>"
OLDER_ID = "<178.1.2.SF-INC-000123@sagsflow.example.dk>"


def mail(
    *headers: str,
    subject: str = f"SV: [{CASE}] Printer virker ikke",
    body: str = "Ja, sagen er løst. Tak!\n",
    content_type: str = 'text/plain; charset="utf-8"',
    encoding: str = "utf-8",
) -> bytes:
    lines = [
        "From: Kunde Testesen <kunde@region.example.dk>",
        "To: servicedesk@sagsflow.example.dk",
        f"Subject: {encoded(subject)}",
        "Date: Tue, 25 Nov 2025 21:30:00 +0100",
        "Message-ID: <reply-1@region.example.dk>",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
        "Content-Transfer-Encoding: 8bit",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body.replace("\r\n", "\n").replace("\n", "\r\n").encode(encoding)


def encoded(text: str) -> str:
    """A header value as a mail client sends it: RFC 2047 words when not ASCII."""
    return text if text.isascii() else Header(text, "utf-8").encode()


def lookup(table: dict[str, str]):  # noqa: ANN201
    calls: list[str] = []

    def message_id_to_case(message_id: str) -> str | None:
        calls.append(message_id)
        return table.get(message_id)

    message_id_to_case.calls = calls  # type: ignore[attr-defined]
    return message_id_to_case


# --- case matching --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (f"SV: [{CASE}] Printer", CASE),
        ("Re: [SF-REQ-004567] Ny adgang", "SF-REQ-004567"),
        ("VS: SF-CRQ-000042 opdatering", "SF-CRQ-000042"),
        ("sv: [sf-inc-000123] printer", CASE),
        ("SV: [INC000000000123] Printer", None),     # Remedy's number is not a Sagsflow case
        ("SV: SF-INC-0000000001234 (13 cifre)", None),
        ("SV: XSF-INC-000123", None),
        ("SV: Printer", None),
    ],
)
def test_h_r1_3_case_number_is_read_from_the_subject(subject: str, expected: str | None) -> None:
    reply = parse_reply(mail(subject=subject))
    assert reply.case_number == expected
    assert reply.matched_by == ("subject" if expected else None)


def test_h_r1_3_subject_tag_wins_over_the_lookup() -> None:
    find = lookup({STORED_ID: "SF-INC-000999"})
    reply = parse_reply(mail(f"In-Reply-To: {STORED_ID}"), message_id_to_case=find)
    assert (reply.case_number, reply.matched_by) == (CASE, "subject")
    assert find.calls == []


def test_h_r1_3_reply_without_tag_is_matched_by_in_reply_to() -> None:
    find = lookup({STORED_ID: CASE})
    raw = mail(f"In-Reply-To: {STORED_ID}", f"References: {OLDER_ID} {STORED_ID}", subject="SV: Printer")
    reply = parse_reply(raw, message_id_to_case=find)
    assert (reply.case_number, reply.matched_by) == (CASE, "in_reply_to")
    assert reply.in_reply_to == STORED_ID and reply.references == (OLDER_ID, STORED_ID)
    assert find.calls == [STORED_ID]


def test_h_r1_3_references_are_tried_newest_first_when_in_reply_to_is_unknown() -> None:
    find = lookup({OLDER_ID: CASE})
    raw = mail("In-Reply-To: <unknown@x.dk>", f"References: {OLDER_ID}\r\n <middle@x.dk>", subject="SV: Printer")
    reply = parse_reply(raw, message_id_to_case=find)
    assert (reply.case_number, reply.matched_by) == (CASE, "references")
    assert find.calls == ["<unknown@x.dk>", "<middle@x.dk>", OLDER_ID]


def test_h_r1_3_unmatched_mail_has_no_case() -> None:
    reply = parse_reply(mail(subject="Ny fejl i EPJ"), message_id_to_case=lookup({}))
    assert reply.case_number is None and reply.matched_by is None


# --- subject prefixes -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        (f"SV: [{CASE}] Printer virker ikke", "Printer virker ikke"),
        ("SV: SV: VS: Re: RE: Fwd: AW: Printer", "Printer"),
        (f"sv:   re: [{CASE}]   Printer", "Printer"),
        ("Re[2]: Printer", "Printer"),
        (f"[{CASE}] SV: Printer", "Printer"),
        ("Svar på spørgsmål", "Svar på spørgsmål"),
        ("Reset af kode: SV: ikke et prefix", "Reset af kode: SV: ikke et prefix"),
    ],
)
def test_h_d1_reply_prefixes_are_stripped(subject: str, clean: str) -> None:
    assert clean_subject(subject) == clean


# --- quoted text ----------------------------------------------------------------------------

QUOTED = [
    ("Ja, det virker.\n\n> Vi mener, at din sag nu er løst.\n> Med venlig hilsen", "Ja, det virker."),
    ("Ja.\n\n-----Oprindelig meddelelse-----\nFra: Servicedesk\nSendt: 25. november 2025\nTekst", "Ja."),
    ("Yes.\n\n-----Original Message-----\nFrom: Servicedesk\nQuoted", "Yes."),
    ("Ja.\n\nFra: Servicedesk <servicedesk@sagsflow.example.dk>\nSendt: 25. november 2025 21:19\n"
     "Til: Kunde\nEmne: [SF-INC-000123] x\n\nGammel tekst", "Ja."),
    ("Ja.\n\nFrom: Servicedesk\nSent: Tuesday, November 25, 2025 9:19 PM\nTo: Kunde\n\nOld", "Ja."),
    ("Ja.\n\nFra: Servicedesk Sendt: 25. november 2025 21:19 Til: Kunde\nGammel", "Ja."),
    ("Ja.\n\nDen 25. nov. 2025 kl. 21.19 skrev Servicedesk <servicedesk@sagsflow.example.dk>:\n> gammel", "Ja."),
    ("Ja.\n\nDen tir. 25. nov. 2025 kl. 21.19 skrev Servicedesk <\nservicedesk@sagsflow.example.dk>:\n\ngl.", "Ja."),
    ("Yes.\n\nOn Tue, 25 Nov 2025 at 21:19, Servicedesk <sd@x.dk> wrote:\n> old", "Yes."),
    ("Flyt pc'en.\nFra: lokale 3\nTil: lokale 4\nHurtigst muligt.", "Flyt pc'en.\nFra: lokale 3\nTil: lokale 4\nHurtigst muligt."),
    ("Den gamle printer virker nu.\nTak.", "Den gamle printer virker nu.\nTak."),
    ("Svar øverst\n> citat\nsvar imellem\n> citat", "Svar øverst\nsvar imellem"),
]


@pytest.mark.parametrize(("body", "expected"), QUOTED)
def test_h_d1_quoted_text_is_stripped(body: str, expected: str) -> None:
    assert strip_quoted(body) == expected
    assert parse_reply(mail(body=body)).body_text == expected


# --- MIME and charsets ----------------------------------------------------------------------

def test_h_d1_plain_text_part_is_preferred_over_html() -> None:
    body = (
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTekst-del\r\n"
        "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML-del</p>\r\n--b--\r\n"
    )
    reply = parse_reply(mail(body=body, content_type='multipart/alternative; boundary="b"'))
    assert reply.body_text == "Tekst-del"


def test_h_d1_html_only_mail_becomes_readable_text_without_the_quote() -> None:
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Ja,&nbsp;sagen er l&oslash;st.</p><p>Hilsen<br>Kunde</p>"
        '<div style="border-top:solid #E1E1E1 1.0pt"><p><b>Fra:</b> Servicedesk<br>'
        "<b>Sendt:</b> 25. november 2025 21:19<br><b>Til:</b> Kunde</p></div>"
        "<p>Vi mener, at din sag nu er løst.</p></body></html>"
    )
    reply = parse_reply(mail(body=html, content_type='text/html; charset="utf-8"'))
    assert reply.body_text == "Ja, sagen er løst.\n\nHilsen\nKunde"


def test_h_d1_html_blockquote_is_quoted_text() -> None:
    html = '<div>Det virker</div><div class="gmail_quote"><blockquote><p>Gammel tekst</p></blockquote></div>'
    assert html_to_text(html) == "Det virker"


@pytest.mark.parametrize(
    ("charset", "encoding"),
    [("iso-8859-1", "iso-8859-1"), ("utf-8", "utf-8"), ("windows-1252", "cp1252")],
)
def test_h_d1_danish_letters_survive_each_charset(charset: str, encoding: str) -> None:
    raw = mail(body="Æbler, øl og får - det virker nu.\n", content_type=f'text/plain; charset="{charset}"',
               encoding=encoding)
    assert parse_reply(raw).body_text == "Æbler, øl og får - det virker nu."


def test_h_d1_unknown_charset_label_falls_back_to_utf8_then_latin1() -> None:
    utf8 = mail(body="Blåbær\n", content_type='text/plain; charset="x-unknown"')
    latin1 = mail(body="Blåbær\n", content_type='text/plain; charset="x-unknown"', encoding="iso-8859-1")
    assert parse_reply(utf8).body_text == "Blåbær"
    assert parse_reply(latin1).body_text == "Blåbær"


def test_h_d1_encoded_headers_and_base64_body_are_decoded() -> None:
    raw = (
        b"From: =?iso-8859-1?q?S=F8ren?= <soeren@region.example.dk>\r\n"
        b"Subject: =?utf-8?b?U1Y6IFtTRi1JTkMtMDAwMTIzXSBQcmludGVyIHDDpSBhZnNuaXQgMw==?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"SmEsIGRldCB2aXJrZXIgcMOlIGFmc25pdCAzLg==\r\n"
    )
    reply = parse_reply(raw)
    assert reply.subject == f"SV: [{CASE}] Printer på afsnit 3"
    assert reply.subject_clean == "Printer på afsnit 3"
    assert reply.from_address == "soeren@region.example.dk"
    assert reply.body_text == "Ja, det virker på afsnit 3."
    assert reply.case_number == CASE


def test_h_d1_sent_time_and_message_id_are_kept() -> None:
    reply = parse_reply(mail())
    assert reply.sent_at == datetime(2025, 11, 25, 20, 30, tzinfo=UTC)
    assert reply.sent_at.utcoffset().total_seconds() == 0
    assert reply.message_id == "<reply-1@region.example.dk>"
    undated = mail().replace(b"Date: Tue, 25 Nov 2025 21:30:00 +0100", b"Date: yesterday")
    assert parse_reply(undated).sent_at is None


# --- auto-replies and bounces ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("headers", "subject", "reason"),
    [
        (["Auto-Submitted: auto-replied"], f"SV: [{CASE}] x", "Auto-Submitted: auto-replied"),
        (["Auto-Submitted: auto-generated; owner-email=x@y.dk"], f"[{CASE}] x", "Auto-Submitted: auto-generated"),
        (["Precedence: bulk"], f"SV: [{CASE}] x", "Precedence: bulk"),
        (["Precedence: junk"], f"SV: [{CASE}] x", "Precedence: junk"),
        (["Precedence: list"], f"SV: [{CASE}] x", "Precedence: list"),
        (["Precedence: auto_reply"], f"SV: [{CASE}] x", "Precedence: auto_reply"),
        (["X-Autoreply: yes"], f"SV: [{CASE}] x", "X-Autoreply"),
        (["X-Autorespond: Out of office"], f"SV: [{CASE}] x", "X-Autorespond"),
        (["Return-Path: <>"], f"SV: [{CASE}] x", "Return-Path: <>"),
        ([], f"Autosvar: [{CASE}] x", "subject: Autosvar"),
        ([], f"Automatisk svar: [{CASE}] x", "subject: Automatisk svar"),
        ([], f"Fraværende: [{CASE}] x", "subject: Fraværende"),
        ([], f"Ikke til stede: [{CASE}] x", "subject: Ikke til stede"),
        ([], f"Out of Office: [{CASE}] x", "subject: Out of Office"),
        ([], f"Automatic reply: [{CASE}] x", "subject: Automatic reply"),
    ],
)
def test_h_r1_3_auto_replies_never_count_as_customer_contact(headers: list[str], subject: str, reason: str) -> None:
    reply = parse_reply(mail(*headers, subject=subject))
    assert reply.is_auto_reply and reply.auto_reason == reason
    assert not reply.is_bounce
    assert not reply.counts_as_customer_contact
    assert reply.case_number == CASE  # still filed on the case, just not as a contact


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ([], f"SV: [{CASE}] Printer virker ikke"),
        (["Auto-Submitted: no"], f"SV: [{CASE}] x"),
        (["Precedence: first-class"], f"SV: [{CASE}] x"),
        (["X-Autoreply: no"], f"SV: [{CASE}] x"),
        (["X-Auto-Response-Suppress: All"], f"SV: [{CASE}] x"),
        ([], f"SV: [{CASE}] Jeg er fraværende i næste uge"),
        ([], f"SV: [{CASE}] Out of office-beskeden er slået fra"),
    ],
)
def test_h_r1_3_a_persons_reply_counts_as_customer_contact(headers: list[str], subject: str) -> None:
    reply = parse_reply(mail(*headers, subject=subject))
    assert not reply.is_auto_reply and reply.auto_reason is None
    assert reply.counts_as_customer_contact


def test_h_r1_3_suppress_header_counts_as_auto_only_when_configured() -> None:
    raw = mail("X-Auto-Response-Suppress: All")
    strict = parse_reply(raw, rules=AutoReplyRules(suppress_header_means_auto=True))
    assert strict.is_auto_reply and strict.auto_reason == "X-Auto-Response-Suppress"


def test_h_r1_3_subject_patterns_are_configurable() -> None:
    rules = AutoReplyRules(subject_prefixes=("Abwesenheitsnotiz",))
    assert parse_reply(mail(subject="Abwesenheitsnotiz: x"), rules=rules).auto_reason == "subject: Abwesenheitsnotiz"
    assert not parse_reply(mail(subject="Autosvar: x"), rules=rules).is_auto_reply


def dsn(original_subject: str, original_id: str, *, sender: str = "MAILER-DAEMON@mx.region.example.dk") -> bytes:
    return (
        f"From: Mail Delivery System <{sender}>\r\n"
        "To: servicedesk@sagsflow.example.dk\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "Message-ID: <dsn-1@mx.region.example.dk>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        "--r\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system. Your message could not be delivered.\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.region.example.dk\r\n\r\n"
        "Final-Recipient: rfc822; ukendt@region.example.dk\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: servicedesk@sagsflow.example.dk\r\nSubject: {encoded(original_subject)}\r\nMessage-ID: {original_id}\r\n"
        "--r--\r\n"
    ).encode("ascii")


def test_h_r1_3_bounce_is_flagged_and_traced_to_the_case_by_the_returned_subject() -> None:
    reply = parse_reply(dsn(f"[{CASE}] Kontaktforsøg 1 af 3", STORED_ID))
    assert reply.is_bounce and reply.is_auto_reply and not reply.counts_as_customer_contact
    assert (reply.case_number, reply.matched_by) == (CASE, "bounced_message")
    assert reply.bounced_message_id == STORED_ID
    assert "could not be delivered" in reply.body_text


def test_h_r1_3_bounce_is_traced_by_the_returned_message_id() -> None:
    reply = parse_reply(dsn("Kontaktforsøg", STORED_ID), message_id_to_case=lookup({STORED_ID: CASE}))
    assert (reply.case_number, reply.matched_by) == (CASE, "bounced_message")


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("postmaster@region.example.dk", f"SV: [{CASE}] x"),
        ("MAILER-DAEMON@mx.example.dk", f"SV: [{CASE}] x"),
        ("microsoftexchange@region.example.dk", f"Kan ikke leveres: [{CASE}] x"),
        ("microsoftexchange@region.example.dk", f"Undeliverable: [{CASE}] x"),
    ],
)
def test_h_r1_3_bounces_are_recognised_by_sender_or_subject(sender: str, subject: str) -> None:
    raw = mail(subject=subject).replace(b"Kunde Testesen <kunde@region.example.dk>", sender.encode())
    reply = parse_reply(raw)
    assert reply.is_bounce and not reply.counts_as_customer_contact


def test_h_r1_3_read_receipt_is_automatic_but_not_a_bounce() -> None:
    body = (
        "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDin meddelelse er blevet læst.\r\n"
        "--m\r\nContent-Type: message/disposition-notification\r\n\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"
        "--m--\r\n"
    )
    ctype = 'multipart/report; report-type=disposition-notification; boundary="m"'
    reply = parse_reply(mail(subject=f"Læst: [{CASE}] x", body=body, content_type=ctype))
    assert reply.is_auto_reply and reply.auto_reason == "report: disposition-notification"
    assert not reply.is_bounce


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", "must not be empty"),
        (b"  \r\n", "must not be empty"),
        ("Subject: x\r\n\r\nbody", "must be bytes, not str"),
        (b"just some text without any header\r\n", "no RFC 5322 header"),
    ],
)
def test_h_r1_3_non_mail_input_is_rejected_clearly(raw: object, error: str) -> None:
    with pytest.raises(ReplyParseError, match=error):
        parse_reply(raw)  # type: ignore[arg-type]


def test_h_r1_3_malformed_from_header_does_not_break_parsing() -> None:
    raw = mail().replace(b"Kunde Testesen <kunde@region.example.dk>", b"<<<@@@>>> \"broken")
    reply = parse_reply(raw)
    assert reply.case_number == CASE and reply.body_text == "Ja, sagen er løst. Tak!"
    assert reply.from_address is None
