"""`sagsflow mail poll` (H-R1.3, H-R1.4): read the IMAP mailbox once, as the `mail-reader` flow does."""
from __future__ import annotations

import argparse

from cli.common import CliError, emit, parse_now


def register(subparsers) -> None:
    mail = subparsers.add_parser("mail", help="customers' mail replies")
    commands = mail.add_subparsers(dest="mail_command", required=True)
    poll = commands.add_parser("poll", help="read unseen replies from the IMAP mailbox once")
    poll.add_argument("--now", default=argparse.SUPPRESS, help="act as if it were this time (ISO 8601 with offset)")
    poll.add_argument("--json", action="store_true")
    poll.set_defaults(handler=cmd_poll)


def cmd_poll(args) -> int:
    from config.settings import get_settings
    from services.mail_inbox import poll_inbox
    from services.runtime import Runtime
    from store.db import engine_for, session_factory

    settings = get_settings()
    if settings.imap is None:
        raise CliError("IMAP is not configured (SAGSFLOW_IMAP__HOST, __USERNAME, __PASSWORD; docs/operations.md)")
    report = poll_inbox(session_factory(engine_for(settings.database_url)), Runtime(settings), settings.imap,
                        now=parse_now(args.now))
    emit(report.as_dict(), args.json,
         f"Post: {len(report.delivered)} svar leveret til sagen, {len(report.recorded)} registreret, "
         f"{report.auto_replies} autosvar, {report.bounces} returmails, {report.unmatched} uden sag, "
         f"{len(report.unverified)} fra ubekræftet afsender, {report.quarantined} i karantæne")
    return 0
