"""Errors of the mail connector (H-R1.3, H-R1.4, H-R5.2, H-C2).

The outbox dispatcher retries only MailTransientError; everything else needs a person.
Messages never contain e-mail addresses, names or secrets: they may end up in logs.
"""

from __future__ import annotations


class MailError(Exception):
    """Base class of every error raised by connectors.mail."""


class MailComposeError(MailError, ValueError):
    """The mail cannot be built from the given kind, addresses or context."""


class MailHeaderInjectionError(MailComposeError):
    """A value meant for a header contains CR, LF or another control character."""


class MailTransientError(MailError):
    """Delivery or mailbox access failed for a reason that may go away: retry later."""


class MailPermanentError(MailError):
    """Delivery or mailbox access failed for a reason a retry will not fix."""

    def __init__(self, message: str, *, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.smtp_code = smtp_code


class MailRecipientsRefusedError(MailPermanentError):
    """The server refused some or all recipients; the refused ones are kept off the message text.

    `refused` maps each refused address to its SMTP code, for the caller to record
    (e.g. mark a customer's address as invalid). `delivered_to_others` is True when the
    message did go to the remaining recipients, so a retry would send it twice.
    """

    def __init__(
        self,
        message: str,
        *,
        refused: dict[str, int],
        delivered_to_others: bool,
    ) -> None:
        super().__init__(message, smtp_code=max(refused.values(), default=None))
        self.refused = refused
        self.delivered_to_others = delivered_to_others


class ReplyParseError(MailError, ValueError):
    """Raw bytes that are not an RFC 5322 message at all."""
