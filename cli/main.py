"""The `sagsflow` command: a stable contract for scripts (see README, "Command line").

Starts fast (issue 15): only the chosen command's module registers its parser, and every handler
imports the services, the database and the engine it needs when it runs. `sagsflow --help` (or an
unknown command) builds the whole tree."""
from __future__ import annotations

import argparse
import importlib
import sys

from config.log_redaction import install_log_redaction
from domain.text import clean_text

from cli import common

# sub-command -> the cli module that registers it, in the order of `sagsflow --help`
COMMANDS = {"db": "db", "case": "case", "task": "task", "bpmn": "bpmn", "sla": "sla", "tick": "tick",
            "outbox": "outbox", "mail": "mail", "remedy": "remedy_sync", "run": "run", "web": "web",
            "remedy-simulator": "remedy", "demo": "demo", "report": "report", "absence": "absence"}


def chosen_command(argv: list[str]) -> str | None:
    """The sub-command named in `argv`, when it is plain to see (`[--now ISO] COMMAND …`); else None."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--now":
            next(tokens, None)
        elif not token.startswith("--now="):
            return token if token in COMMANDS else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: of its command alone when that is plain, else of every command."""
    parser = argparse.ArgumentParser(prog="sagsflow", description="Executable service-desk handbook")
    parser.add_argument("--now", help="act as if it were this time (ISO 8601 with offset); for scripts and tests")
    subparsers = parser.add_subparsers(dest="command", required=True)
    command = chosen_command(argv) if argv is not None else None
    for module in dict.fromkeys([COMMANDS[command]] if command else COMMANDS.values()):
        importlib.import_module(f"cli.{module}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    install_log_redaction()
    # the text boundary (domain/text.py): no NUL or control character reaches a command
    argv = [clean_text(a) for a in (sys.argv[1:] if argv is None else argv)]
    args = build_parser(argv).parse_args(argv)
    handler = getattr(args, "handler", None) or args.func
    return common.run_guarded(handler, args)


if __name__ == "__main__":
    sys.exit(main())
