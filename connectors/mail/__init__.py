"""Mail connector: compose and send case mails, read customers' replies (H-R1.3, H-R1.4, H-R5.2, H-C2).

The names below are imported on first use (PEP 562), so that importing one submodule, such as
the settings, does not import the whole connector (issue 15: the CLI starts fast). `compose` is
imported at once: it is both a submodule and a function, and the package must keep naming the function."""
from __future__ import annotations

from connectors.lazy_exports import lazy_exports
from connectors.mail.compose import ComposedMail, MailKind, compose

_EXPORTS = {
    "AutoReplyRules": "connectors.mail.replies",
    "FetchedMail": "connectors.mail.imap",
    "ImapSettings": "connectors.mail.settings",
    "InboundReply": "connectors.mail.replies",
    "MailComposeError": "connectors.mail.errors",
    "MailError": "connectors.mail.errors",
    "MailHeaderInjectionError": "connectors.mail.errors",
    "MailPermanentError": "connectors.mail.errors",
    "MailRecipientsRefusedError": "connectors.mail.errors",
    "MailTransientError": "connectors.mail.errors",
    "ReplyParseError": "connectors.mail.errors",
    "SmtpSettings": "connectors.mail.settings",
    "fetch_unseen": "connectors.mail.imap",
    "mark_seen": "connectors.mail.imap",
    "parse_reply": "connectors.mail.replies",
    "poll_replies": "connectors.mail.imap",
    "send": "connectors.mail.smtp",
}

__all__ = sorted([*_EXPORTS, "ComposedMail", "MailKind", "compose"])


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
