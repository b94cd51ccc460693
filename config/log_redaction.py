"""No personal data in logs (issue 9): every log record — ours, SQLAlchemy's, Prefect's, uvicorn's —
passes through a record factory that masks e-mail addresses and phone numbers before any handler
sees it. SQL parameters (customers' text) are never logged in the first place (`hide_parameters`
on every engine, store/db.py). Installed once by the CLI, the web app and the served flows."""
from __future__ import annotations

import logging
import re

# whole addresses only; a Message-ID (<digits…@host>) is an identifier, not a person's address
EMAIL = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])(?![^@\s]*\d{6})[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Danish numbers: 8 digits, optionally grouped in pairs, optionally with a country code (+45)
PHONE = re.compile(r"(?<![\w.+-])(?:\+\d{2,3} ?)?\d{2} ?\d{2} ?\d{2} ?\d{2}(?![\w.-]?\d)")
_installed = False


def redact(text: str) -> str:
    return PHONE.sub("<telefon>", EMAIL.sub("<e-mail>", text))


def install_log_redaction() -> None:
    global _installed
    if _installed:
        return
    original = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = original(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:   # noqa: BLE001 — a broken format string is left to logging's own handling
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
