"""Mail connector: compose and send case mails, read customers' replies (H-R1.3, H-R1.4, H-R5.2, H-C2)."""

from connectors.mail.compose import ComposedMail, MailKind, compose
from connectors.mail.errors import (
    MailComposeError,
    MailError,
    MailHeaderInjectionError,
    MailPermanentError,
    MailRecipientsRefusedError,
    MailTransientError,
    ReplyParseError,
)
from connectors.mail.imap import FetchedMail, fetch_unseen, mark_seen, poll_replies
from connectors.mail.replies import AutoReplyRules, InboundReply, parse_reply
from connectors.mail.settings import ImapSettings, SmtpSettings
from connectors.mail.smtp import send

__all__ = [
    "AutoReplyRules", "ComposedMail", "FetchedMail", "ImapSettings", "InboundReply", "MailComposeError",
    "MailError", "MailHeaderInjectionError", "MailKind", "MailPermanentError", "MailRecipientsRefusedError",
    "MailTransientError", "ReplyParseError", "SmtpSettings", "compose", "fetch_unseen", "mark_seen",
    "parse_reply", "poll_replies", "send",
]
