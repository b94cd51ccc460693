"""IMAP: replies fetched from a real pymap server, parsed, flagged seen only after storing (H-R1.3, H-R1.4, H-D1)."""

from __future__ import annotations

import logging

import pytest

from connectors.mail.errors import MailPermanentError, MailTransientError
from connectors.mail.imap import fetch_unseen, mark_seen, poll_replies
from connectors.mail.replies import InboundReply, parse_reply
from connectors.mail.settings import ImapSettings

CASE = "SF-INC-000123"
OTHER_CASE = "SF-INC-000456"
STORED_ID = "<179.1.2.SF-INC-000456@sagsflow.example.dk>"
CUSTOMER = "kunde@region.example.dk"

REAL_REPLY = (
    f"From: Kunde Testesen <{CUSTOMER}>\r\n"
    "To: servicedesk@sagsflow.example.dk\r\n"
    f"Subject: SV: [{CASE}] Kontaktforsøg 1 af 3\r\n".replace("ø", "o")
    + "Date: Wed, 26 Nov 2025 09:05:00 +0100\r\n"
    "Message-ID: <svar-1@region.example.dk>\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
    "Ja, printeren virker igen. Sagen kan lukkes.\r\n\r\n"
    "-----Oprindelig meddelelse-----\r\n"
    "Fra: Servicedesk <servicedesk@sagsflow.example.dk>\r\n"
    "Sendt: 25. november 2025 21:19\r\n\r\n"
    "Dette er vores kontaktforsøg nr. 1 af 3.\r\n"
).encode("iso-8859-1")

OUT_OF_OFFICE = (
    f"From: {CUSTOMER}\r\n"
    "To: servicedesk@sagsflow.example.dk\r\n"
    f"Subject: =?utf-8?q?Automatisk_svar:_[{CASE}]_Kontaktfors=C3=B8g_2_af_3?=\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "Message-ID: <oof-1@region.example.dk>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Jeg er på ferie til og med 1. december.\r\n"
).encode("utf-8")

BOUNCE = (
    "From: Mail Delivery System <MAILER-DAEMON@mx.region.example.dk>\r\n"
    "To: servicedesk@sagsflow.example.dk\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "Message-ID: <dsn-1@mx.region.example.dk>\r\n"
    'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
    "--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
    "--r\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.region.example.dk\r\n\r\nFinal-Recipient: rfc822; ukendt@region.example.dk\r\n"
    "Action: failed\r\nStatus: 5.1.1\r\n"
    "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    f"Subject: [{CASE}] Kvittering\r\nMessage-ID: <179.9.9.{CASE}@sagsflow.example.dk>\r\n"
    "--r--\r\n"
).encode("ascii")

THREADED_ONLY = (
    f"From: {CUSTOMER}\r\n"
    "To: servicedesk@sagsflow.example.dk\r\n"
    "Subject: SV: Printer\r\n"
    "Message-ID: <svar-2@region.example.dk>\r\n"
    f"In-Reply-To: {STORED_ID}\r\n"
    f"References: {STORED_ID}\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Her er stiknummeret: 60-143B\r\n\r\n"
    "> Hvilket stiknummer?\r\n"
).encode("utf-8")


def changed(settings: ImapSettings, **changes: object) -> ImapSettings:
    """A validated copy (model_copy would skip validation, e.g. leave a password unwrapped)."""
    return ImapSettings.model_validate({**settings.model_dump(), **changes})


def lookup(message_id: str) -> str | None:
    return {STORED_ID: OTHER_CASE}.get(message_id)


def test_h_r1_3_replies_from_the_mailbox_are_parsed_and_classified(imap_settings: ImapSettings, imap_append) -> None:  # noqa: ANN001, E501
    for raw in (REAL_REPLY, OUT_OF_OFFICE, BOUNCE, THREADED_ONLY):
        imap_append(raw)
    fetched = fetch_unseen(imap_settings)
    assert [item.raw for item in fetched] == [REAL_REPLY, OUT_OF_OFFICE, BOUNCE, THREADED_ONLY]
    assert [item.uid for item in fetched] == sorted(item.uid for item in fetched)
    real, oof, bounce, threaded = (parse_reply(item.raw, message_id_to_case=lookup) for item in fetched)

    assert (real.case_number, real.matched_by, real.from_address) == (CASE, "subject", CUSTOMER)
    assert real.body_text == "Ja, printeren virker igen. Sagen kan lukkes."
    assert real.counts_as_customer_contact

    assert oof.case_number == CASE and oof.is_auto_reply and not oof.counts_as_customer_contact
    assert oof.subject_clean == f"Automatisk svar: [{CASE}] Kontaktforsøg 2 af 3"

    assert bounce.is_bounce and bounce.case_number == CASE and not bounce.counts_as_customer_contact

    assert (threaded.case_number, threaded.matched_by) == (OTHER_CASE, "in_reply_to")
    assert threaded.body_text == "Her er stiknummeret: 60-143B"


def test_h_r1_3_fetching_does_not_flag_until_mark_seen(imap_settings: ImapSettings, imap_append) -> None:  # noqa: ANN001
    imap_append(REAL_REPLY)
    imap_append(THREADED_ONLY)
    first = fetch_unseen(imap_settings)
    assert fetch_unseen(imap_settings) == first  # nothing flagged by reading (BODY.PEEK)
    mark_seen(imap_settings, [first[0].uid])
    assert fetch_unseen(imap_settings) == first[1:]
    mark_seen(imap_settings, [])
    mark_seen(imap_settings, [first[1].uid])
    assert fetch_unseen(imap_settings) == []


def test_h_r1_3_poll_marks_seen_only_after_persist_succeeds(imap_settings: ImapSettings, imap_append) -> None:  # noqa: ANN001, E501
    imap_append(REAL_REPLY)
    imap_append(OUT_OF_OFFICE)

    def failing_store(replies: list[InboundReply]) -> None:
        raise RuntimeError("database is down")

    with pytest.raises(RuntimeError, match="database is down"):
        poll_replies(imap_settings, lookup, persist=failing_store)
    assert len(fetch_unseen(imap_settings)) == 2  # still there for the next poll

    stored: list[InboundReply] = []
    replies = poll_replies(imap_settings, lookup, persist=stored.extend)
    assert stored == replies and [reply.message_id for reply in replies] == [
        "<svar-1@region.example.dk>", "<oof-1@region.example.dk>"
    ]
    assert fetch_unseen(imap_settings) == []


def test_h_r1_3_poll_leaves_non_mail_unseen_and_logs_no_personal_data(imap_settings, imap_append, caplog) -> None:  # noqa: ANN001, E501
    imap_append(b"dette er ikke en mail\r\n")
    imap_append(REAL_REPLY)
    caplog.set_level(logging.INFO, logger="connectors")
    replies = poll_replies(imap_settings, lookup)
    assert [reply.case_number for reply in replies] == [CASE]
    [left] = fetch_unseen(imap_settings)
    assert left.raw.startswith(b"dette er ikke en mail")
    assert f"UID {left.uid} left unseen" in caplog.text
    assert CUSTOMER not in caplog.text and "Kunde Testesen" not in caplog.text


def test_h_r1_3_starttls_to_imap_with_a_trusted_certificate(imap_settings: ImapSettings, imap_append, tls_files) -> None:  # noqa: ANN001, E501
    imap_append(REAL_REPLY)
    secured = changed(imap_settings, security="starttls", ca_file=tls_files[0])
    assert [item.raw for item in fetch_unseen(secured)] == [REAL_REPLY]


def test_h_r1_3_untrusted_imap_certificate_is_permanent(imap_settings: ImapSettings) -> None:
    with pytest.raises(MailPermanentError, match="not trusted"):
        fetch_unseen(changed(imap_settings, security="starttls"))


def test_h_r1_3_imap_down_is_transient(closed_port: int) -> None:
    settings = ImapSettings(host="127.0.0.1", port=closed_port, security="none", username="u", password="p")
    with pytest.raises(MailTransientError, match="unreachable: ConnectionRefusedError"):
        fetch_unseen(settings)
    with pytest.raises(MailTransientError):
        mark_seen(settings, [1])


def test_h_r1_3_wrong_imap_password_is_permanent_and_not_echoed(imap_settings: ImapSettings) -> None:
    wrong = changed(imap_settings, password="forkert-kodeord")
    with pytest.raises(MailPermanentError, match="rejected the login") as caught:
        fetch_unseen(wrong)
    assert "forkert-kodeord" not in str(caught.value)


def test_h_r1_3_missing_mailbox_is_permanent(imap_settings: ImapSettings) -> None:
    with pytest.raises(MailPermanentError, match="SELECT mailbox"):
        fetch_unseen(changed(imap_settings, mailbox="Findes-ikke"))


def test_h_r1_3_mark_seen_rejects_impossible_uids(imap_settings: ImapSettings) -> None:
    with pytest.raises(ValueError, match="positive whole numbers"):
        mark_seen(imap_settings, [0])
