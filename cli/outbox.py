"""`sagsflow outbox dispatch|list|retry` (H-R1.1, H-R1.3, H-C2): deliver the outbox once with the
configured connectors (the same function as the `outbox-dispatcher` flow), list items (dead letters
for administrators), and put a dead letter back in the queue."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.common import CliError, EXIT_INVALID, emit, parse_now, session_scope

if TYPE_CHECKING:
    from store.models import OutboxRow


def register(subparsers) -> None:
    outbox = subparsers.add_parser("outbox", help="the outbox: deliver, list, retry dead letters")
    commands = outbox.add_subparsers(dest="outbox_command", required=True)
    run = commands.add_parser("dispatch", help="deliver due items once (mail, notifications, calls, Remedy)")
    run.add_argument("--now", default=argparse.SUPPRESS, help="act as if it were this time (ISO 8601 with offset)")
    run.add_argument("--json", action="store_true")
    run.set_defaults(handler=cmd_dispatch)
    listing = commands.add_parser("list", help="list outbox items (newest first)")
    listing.add_argument("--dead", action="store_true", help="only dead letters")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)
    retry = commands.add_parser("retry", help="put a dead letter back in the queue")
    retry.add_argument("item_id", type=int)
    retry.add_argument("--now", default=argparse.SUPPRESS, help="act as if it were this time (ISO 8601 with offset)")
    retry.set_defaults(handler=cmd_retry)


def cmd_dispatch(args) -> int:
    from config.settings import get_settings
    from services.transports import dispatch
    from store.db import engine_for, session_factory

    settings = get_settings()
    report = dispatch(session_factory(engine_for(settings.database_url)), settings, now=parse_now(args.now))
    document = {"sent": report.sent, "retried": report.retried, "dead": report.dead, "skipped": report.skipped}
    emit(document, args.json, f"Udbakke: {len(report.sent)} sendt, {len(report.retried)} prøves igen senere, "
                              f"{len(report.dead)} fejlet endeligt, {report.skipped} håndteret af en anden")
    return 0


def item_document(row: OutboxRow) -> dict:
    """No addresses or contents: kind, purpose, case, state and the last error."""
    return {"id": row.id, "kind": row.kind, "purpose": row.payload.get("purpose"),
            "case": row.payload.get("case_number"), "status": row.status, "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
            "message_id": row.message_id, "last_error": row.last_error}


def cmd_list(args) -> int:
    from store.models import OutboxRow
    from store.outbox import dead_letters

    if args.limit < 1:
        raise CliError("--limit must be at least 1", EXIT_INVALID)
    with session_scope() as session:
        rows = (dead_letters(session, limit=args.limit) if args.dead else
                session.query(OutboxRow).order_by(OutboxRow.id.desc()).limit(args.limit).all())
        items = [item_document(r) for r in rows]
    human = "\n".join(f"{i['id']:>6}  {i['status']:<8} {i['kind']:<12} {i['purpose'] or '':<22} {i['case'] or '':<16} "
                      f"{(i['last_error'] or '')[:80]}" for i in items) or "(ingen)"
    emit(items, args.json, human)
    return 0


def cmd_retry(args) -> int:
    from services.dispatcher import retry_dead

    with session_scope() as session:
        retry_dead(session, args.item_id, now=parse_now(getattr(args, "now", None)))
    print(f"Element {args.item_id} er sat i kø igen")
    return 0
