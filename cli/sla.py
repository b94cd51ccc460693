"""``sagsflow sla due``: SLA deadlines of a case from the command line (H-S, H-S1, H-S3).

    sagsflow sla due --priority critical --sla-level gold --received 2024-03-30T23:00 \
        [--started ISO] [--config PATH] [--json]

Uses ``domain.sla.compute_deadlines`` with ``config/sla.yaml``. Times without a UTC
offset are Europe/Copenhagen wall-clock times (a time that DST skips or repeats is
rejected). Output times are Europe/Copenhagen with their offset (ISO 8601). With
``--json``: ``{"reaction_due": ISO|null, "resolution_due": ISO|null}``;
``resolution_due`` is null without ``--started``. Invalid input: a message on stderr
and exit code 2.

``register(subparsers)`` adds the command to the main parser; the chosen sub-command's
function is stored as ``args.func`` (call ``args.func(args)``, it returns the exit code).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.sla import Deadlines

# the values of domain.sla.Priority and SlaLevel (a test keeps them equal): the parser of every command
# is built without importing the SLA machinery, which only this command needs (issue 15)
PRIORITIES = ("critical", "high", "medium", "low")
SLA_LEVELS = ("platinum", "gold", "silver", "bronze")
NOT_AGREED = "ikke aftalt"
NOT_STARTED = "afventer at arbejdet startes"


def _moment(text: str) -> datetime:
    from domain.calendar import CalendarError, local_datetime

    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r} (e.g. 2024-03-04T10:00)") from None
    try:
        return local_datetime(parsed)
    except CalendarError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(subparsers) -> None:
    """Add ``sla due`` to an argparse sub-parsers object."""
    sla = subparsers.add_parser("sla", help="SLA deadlines (H-S)", description="SLA deadlines (H-S)")
    commands = sla.add_subparsers(dest="sla_command", metavar="COMMAND", required=True)
    due = commands.add_parser(
        "due",
        help="reaction and resolution deadlines of a case",
        description="Reaction and resolution deadlines; times without offset are Europe/Copenhagen.",
    )
    due.add_argument("--priority", required=True, choices=PRIORITIES)
    due.add_argument("--sla-level", required=True, choices=SLA_LEVELS)
    due.add_argument("--received", required=True, type=_moment, metavar="ISO", help="when the case was received")
    due.add_argument("--started", type=_moment, metavar="ISO", help="when a technician started work")
    due.add_argument("--config", type=Path, metavar="PATH", help="SLA configuration (default config/sla.yaml)")
    due.add_argument("--json", action="store_true", help="print JSON")
    due.set_defaults(func=run_due, sla_parser=due, brief=True)   # brief: cli/main.py runs it without the cyclic GC


def _iso(at: datetime | None) -> str | None:
    from domain.calendar import to_local

    return None if at is None else to_local(at).isoformat()


def _human(deadlines: Deadlines, *, started: bool) -> str:
    reaction = _iso(deadlines.reaction_due) or NOT_AGREED
    resolution = _iso(deadlines.resolution_due) or (NOT_AGREED if started else NOT_STARTED)
    return f"Reaktion senest (reaction due): {reaction}; løsning senest (resolution due): {resolution}"


def run_due(args: argparse.Namespace) -> int:
    """Print the deadlines; on invalid input print to stderr and exit with code 2."""
    from config.sla_config import SlaConfigError, load_sla_config
    from domain.calendar import CalendarError
    from domain.sla import SlaError, compute_deadlines

    try:
        config = load_sla_config(args.config)
        deadlines = compute_deadlines(
            priority=args.priority,
            sla_level=args.sla_level,
            received_at=args.received,
            started_at=args.started,
            pauses=(),
            policy=config.sla_policy,
        )
    except (SlaConfigError, SlaError, CalendarError) as error:
        args.sla_parser.exit(2, f"{args.sla_parser.prog}: error: {error}\n")
    if args.json:
        print(json.dumps({"reaction_due": _iso(deadlines.reaction_due), "resolution_due": _iso(deadlines.resolution_due)}))
    else:
        print(_human(deadlines, started=args.started is not None))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m cli.sla due ...``) until ``cli/main.py`` wires ``register``."""
    parser = argparse.ArgumentParser(prog="sagsflow")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["sla", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
