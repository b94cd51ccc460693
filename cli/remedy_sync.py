"""`sagsflow remedy sync` (H-R1.1): import new/changed Remedy incidents and queue Work Info and status
changes for Remedy once, as the `remedy-sync` flow does (the dispatcher then delivers them)."""
from __future__ import annotations

import argparse

from cli.common import CliError, emit, parse_now


def register(subparsers) -> None:
    remedy = subparsers.add_parser("remedy", help="BMC Remedy integration")
    commands = remedy.add_subparsers(dest="remedy_command", required=True)
    run = commands.add_parser("sync", help="import incidents from Remedy and queue updates for it, once")
    run.add_argument("--now", default=argparse.SUPPRESS, help="act as if it were this time (ISO 8601 with offset)")
    run.add_argument("--json", action="store_true")
    run.set_defaults(handler=cmd_sync)


def cmd_sync(args) -> int:
    from config.settings import get_settings
    from connectors.remedy import RemedyClient, RemedyError
    from services.remedy_sync import sync
    from services.runtime import Runtime
    from store.db import engine_for, session_factory

    settings = get_settings()
    if not settings.remedy.enabled:
        raise CliError("Remedy is off (SAGSFLOW_REMEDY__ENABLED=true, __BASE_URL, __USERNAME, __PASSWORD)")
    try:
        with RemedyClient(settings.remedy) as client:
            report = sync(session_factory(engine_for(settings.database_url)), Runtime(settings), client,
                          settings=settings, now=parse_now(args.now))
    except RemedyError as exc:
        raise CliError(str(exc)) from None
    emit(report.as_dict(), args.json,
         f"Remedy: {len(report.imported)} importeret, {len(report.updated)} opdateret, "
         f"{report.work_info} Work Info fra Remedy, {report.queued} i kø til "
         f"Remedy, {len(report.errors)} afvist" + (" (flere venter; næste synkronisering fortsætter)" if report.more
                                                   else "") + "".join(f"\n  {e}" for e in report.errors))
    return 1 if report.errors else 0
