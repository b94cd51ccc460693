"""The `sagsflow` command: a stable contract for scripts (see README, "Command line")."""
from __future__ import annotations

import argparse
import sys

from config.log_redaction import install_log_redaction
from domain.text import clean_text

from cli import bpmn, case, common, db, demo, mail, outbox, remedy, remedy_sync, report, run, sla, task, tick, web
from cli import absence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sagsflow", description="Executable service-desk handbook")
    parser.add_argument("--now", help="act as if it were this time (ISO 8601 with offset); for scripts and tests")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in (db, case, task, bpmn, sla, tick, outbox, mail, remedy_sync, run, web, remedy, demo, report, absence):
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    install_log_redaction()
    # the text boundary (domain/text.py): no NUL or control character reaches a command
    argv = [clean_text(a) for a in (sys.argv[1:] if argv is None else argv)]
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None) or args.func
    return common.run_guarded(handler, args)


if __name__ == "__main__":
    sys.exit(main())
