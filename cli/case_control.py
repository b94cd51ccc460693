"""`sagsflow case retry|cancel|migrate` (issue 11: running cases under control; H-R1.1 Work Info)."""
from __future__ import annotations

from cli.common import EXIT_STATE, CliError, EXIT_INVALID, emit, parse_now, session_scope


def register_control(case) -> None:
    retry = case.add_parser("retry", help="run the failed step of a case again (after a fix)")
    retry.add_argument("number")
    retry.add_argument("--as", dest="actor", required=True, help="an administrator or the team's coordinator")
    retry.add_argument("--json", action="store_true")
    retry.set_defaults(handler=cmd_retry)
    cancel = case.add_parser("cancel", help="cancel a running case with a reason (the customer is told)")
    cancel.add_argument("number")
    cancel.add_argument("--reason", required=True)
    cancel.add_argument("--as", dest="actor", required=True, help="an administrator or the team's coordinator")
    cancel.add_argument("--json", action="store_true")
    cancel.set_defaults(handler=cmd_cancel)
    migrate = case.add_parser("migrate", help="move a case (or every case of a version) to another diagram version")
    migrate.add_argument("number", nargs="?", help="the case; or --from VERSION for all its running cases")
    migrate.add_argument("--from", dest="from_version", type=int, help="every running case of this version")
    migrate.add_argument("--to", dest="to_version", type=int, required=True)
    migrate.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
    migrate.add_argument("--as", dest="actor", default="admin", help="an administrator or a process owner")
    migrate.add_argument("--json", action="store_true")
    migrate.set_defaults(handler=cmd_migrate)


def cmd_retry(args) -> int:
    from config.settings import get_settings
    from services.instance_control import retry_case
    from services.runtime import Runtime

    with session_scope() as session:
        result = retry_case(session, Runtime(get_settings()), number=args.number, actor=args.actor,
                            now=parse_now(args.now))
    emit(result, args.json, f"{result['case']}: det fejlede trin er kørt igen; åbne opgaver: "
                            f"{', '.join(result['open_tasks']) or '(ingen)'}")
    return 0


def cmd_cancel(args) -> int:
    from config.settings import get_settings
    from services.instance_control import cancel_case
    from services.runtime import Runtime

    with session_scope() as session:
        result = cancel_case(session, Runtime(get_settings()), number=args.number, actor=args.actor,
                             reason=args.reason, now=parse_now(args.now))
    told = "kunden får besked" if result["customer_told"] else "kunden havde ikke hørt om sagen"
    emit(result, args.json, f"{result['case']}: annulleret ({told})")
    return 0


def _lines(doc: dict) -> list[str]:
    head = (f"{doc['case']}: version {doc['from_version']} → {doc['to_version']}: "
            + ("flyttet" if doc["migrated"] else "kan flyttes" if doc["possible"] else "kan ikke flyttes"))
    lines = [head]
    lines += [f"  {p['name']} ({p['bpmn_id']}) → {p['target'] or 'findes ikke i målversionen'}" for p in doc["positions"]]
    if doc["added"]:
        lines.append("  nye elementer: " + ", ".join(doc["added"]))
    if doc["removed"]:
        lines.append("  fjernede elementer: " + ", ".join(doc["removed"]))
    lines += [f"  afvist: {b}" for b in doc["blockers"]]
    return lines


def cmd_migrate(args) -> int:
    from config.settings import get_settings
    from domain.errors import InvalidState
    from services.migration import cases_of_version, migrate_case
    from services.runtime import Runtime

    if (args.number is None) == (args.from_version is None):
        raise CliError("give a case NUMBER or --from VERSION (not both)", EXIT_INVALID)
    runtime, now = Runtime(get_settings()), parse_now(args.now)
    if args.number is not None:
        with session_scope() as session:
            doc = migrate_case(session, runtime, number=args.number, to_version=args.to_version, actor=args.actor,
                               now=now, dry_run=args.dry_run)
            if args.dry_run:
                session.rollback()
        emit(doc, args.json, "\n".join(_lines(doc)))
        return 0 if doc["possible"] else EXIT_STATE
    with session_scope() as session:
        numbers = [number for number, _, _ in cases_of_version(session, args.from_version)]
    docs, refused = [], []
    for number in numbers:   # one transaction per case: a refused case does not stop the others
        try:
            with session_scope() as session:
                doc = migrate_case(session, runtime, number=number, to_version=args.to_version, actor=args.actor,
                                   now=now, dry_run=args.dry_run)
                if args.dry_run:
                    session.rollback()
        except InvalidState as exc:
            with session_scope() as session:
                doc = migrate_case(session, runtime, number=number, to_version=args.to_version, actor=args.actor,
                                   now=now, dry_run=True)
                session.rollback()
            doc["error"] = str(exc)
        docs.append(doc)
        if not doc["possible"]:
            refused.append(number)
    result = {"from_version": args.from_version, "to_version": args.to_version, "dry_run": args.dry_run,
              "cases": docs, "migrated": sum(d["migrated"] for d in docs), "refused": refused}
    lines = [line for doc in docs for line in _lines(doc)]
    lines.append(f"{len(docs)} sag(er) på version {args.from_version}: {result['migrated']} flyttet, "
                 f"{len(refused)} kan ikke flyttes")
    emit(result, args.json, "\n".join(lines))
    return EXIT_STATE if refused else 0
