"""`sagsflow tick [--now ISO] [--json]`: one watchdog sweep, synchronously, through the same function
the Prefect flow `sla_watchdog` calls (H-S warnings and breaches, H-E addressing, BPMN timers).
For scripts, tests and simulations: `--now` lets time pass without waiting."""
from __future__ import annotations

import argparse

from cli.common import emit, parse_now


def register(subparsers) -> None:
    tick = subparsers.add_parser("tick", help="run one watchdog sweep now (SLA warnings/breaches, due timers)")
    tick.add_argument("--now", default=argparse.SUPPRESS,
                      help="sweep as if it were this time (ISO 8601 with offset)")
    tick.add_argument("--json", action="store_true", help="print the sweep report as JSON")
    tick.set_defaults(handler=cmd_tick)


def cmd_tick(args) -> int:
    from config.settings import get_settings
    from services.runtime import Runtime
    from services.watchdog import sweep
    from store.db import engine_for, session_factory

    now = parse_now(args.now)
    settings = get_settings()
    report = sweep(session_factory(engine_for(settings.database_url)), Runtime(settings), now=now)
    emit(report.as_dict(), args.json,
         f"Sweep {report.now.isoformat()}: {report.warnings} advarsler, {report.breaches} overskridelser, "
         f"{report.timers_fired} timere, {report.skipped} sprunget over (håndteret af en anden sweep)")
    return 0
