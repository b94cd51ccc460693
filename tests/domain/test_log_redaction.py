"""Issue 9: no personal data in logs — e-mail addresses and phone numbers are masked in every
record, case numbers and times are kept."""
from __future__ import annotations

import logging

from config.log_redaction import install_log_redaction, redact


def test_mail_addresses_and_phone_numbers_are_masked_case_numbers_kept():
    text = redact("SF-INC-000123 / INC000000000042: mail to hanne.hansen@example.org, phone +45 12 34 56 78 at 2026-12-01")
    assert text == "SF-INC-000123 / INC000000000042: mail to <e-mail>, phone <telefon> at 2026-12-01"


def test_message_ids_and_channel_ids_are_not_mistaken_for_people():
    text = "sent as <179612280174.24284.105394@sagsflow.example.dk>, channel 1795424400.1, 2026-12-01 10:00"
    assert redact(text) == text


def test_every_logger_is_redacted_once_installed(caplog):
    install_log_redaction()
    with caplog.at_level(logging.INFO, logger="sagsflow.test"):
        logging.getLogger("sagsflow.test").info("customer %s called from %s", "kunde@example.org", "12345678")
    assert "kunde@example.org" not in caplog.text and "12345678" not in caplog.text
    assert "<e-mail>" in caplog.text and "<telefon>" in caplog.text
