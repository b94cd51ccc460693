"""`sagsflow absence add|list` and `sagsflow case reassign` (issue 13; H-R2.2): record absence for
oneself or a team member, and let a coordinator redistribute a case of the team."""
from __future__ import annotations

from cli.common import emit, parse_now, session_scope


def register(subparsers) -> None:
    absence = subparsers.add_parser("absence", help="record absence (H-R2.2)").add_subparsers(
        dest="absence_command", required=True)
    add = absence.add_parser("add", help="mark a person absent from-until (Copenhagen time)")
    add.add_argument("--user", help="who is absent (default: --as)")
    add.add_argument("--from", dest="starts", required=True, help="e.g. 2026-11-24T08:00")
    add.add_argument("--until", dest="ends", required=True, help="e.g. 2026-11-27T16:00")
    add.add_argument("--note", default="")
    add.add_argument("--as", dest="actor", required=True, help="the person themselves or their coordinator")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=cmd_add)
    listing = absence.add_parser("list", help="absence of a person and the teams they coordinate")
    listing.add_argument("--as", dest="actor", required=True)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)


def register_reassign(case_subparsers) -> None:
    reassign = case_subparsers.add_parser("reassign", help="a coordinator gives a case of the team to a member")
    reassign.add_argument("number")
    reassign.add_argument("--to", dest="to_user", required=True)
    reassign.add_argument("--as", dest="actor", required=True, help="the coordinator of the case's team")
    reassign.add_argument("--json", action="store_true")
    reassign.set_defaults(handler=cmd_reassign)


def _document(row) -> dict:
    return {"id": row.id, "user": row.username, "from": row.starts_at.isoformat(), "until": row.ends_at.isoformat(),
            "note": row.note, "recorded_by": row.recorded_by}


def cmd_add(args) -> int:
    from services.absence import mark_absent, parse_local

    now = parse_now(args.now)
    with session_scope() as session:
        row = mark_absent(session, username=args.user or args.actor, by_user=args.actor,
                          starts_at=parse_local(args.starts, field="from"), ends_at=parse_local(args.ends, field="until"),
                          note=args.note, now=now)
        document = _document(row)
    emit(document, args.json, f"{document['user']} fraværende {args.starts} – {args.ends}")
    return 0


def cmd_list(args) -> int:
    from services.absence import absences_for

    with session_scope() as session:
        rows = [_document(r) for r in absences_for(session, username=args.actor)]
    emit(rows, args.json, "\n".join(f"{r['user']:<20} {r['from'][:16]} – {r['until'][:16]} {r['note']}" for r in rows)
         or "intet fravær")
    return 0


def cmd_reassign(args) -> int:
    from config.settings import get_settings
    from services.absence import reassign_case
    from services.runtime import Runtime

    now = parse_now(args.now)
    with session_scope() as session:
        moved = reassign_case(session, Runtime(get_settings()), case_number=args.number, to_user=args.to_user,
                              by_user=args.actor, now=now)
    emit({"case": args.number, "assignee": args.to_user, "tasks": moved}, args.json,
         f"{args.number} omfordelt til {args.to_user}")
    return 0
