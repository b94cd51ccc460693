"""`sagsflow report compliance [--team T] [--from D --to D] [--json]` (issue 16): the handbook's four
preconditions per team and ISO week (share of the cases received that met each), the bad case flows
with their cases, and the worst cases first — the same report as /indsigt and GET /api/insight."""
from __future__ import annotations

from datetime import date

from cli.common import EXIT_INVALID, CliError, emit, parse_now, session_scope


def register(subparsers) -> None:
    report = subparsers.add_parser("report", help="reports")
    kinds = report.add_subparsers(dest="report", required=True)
    compliance = kinds.add_parser("compliance", help="the handbook's four preconditions per team and week")
    compliance.add_argument("--team", help="one team (code, e.g. application_operations)")
    compliance.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: 8 weeks back)")
    compliance.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
    compliance.add_argument("--json", action="store_true", help="the full report as JSON, per case too")
    compliance.set_defaults(handler=cmd_compliance)


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option}: not a date (YYYY-MM-DD): {value!r}", EXIT_INVALID) from None


def cmd_compliance(args) -> int:
    from services.insight_report import insight_report
    from store.directory import DbDirectory

    now = parse_now(getattr(args, "now", None))
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    with session_scope() as session:
        directory = DbDirectory(session)
        if args.team and directory.team_name(args.team) == args.team:   # unknown codes come back unchanged
            raise CliError(f"--team: unknown team {args.team!r}", EXIT_INVALID)
        report = insight_report(session, now=now, start=start, end=end, team=args.team)
        names = {team: directory.team_name(team) or team for team in report.teams}
        emit(report.as_dict(), args.json, _text(report, names))
    return 0


def _text(report, names: dict[str, str]) -> str:
    from services.insight import PRECONDITIONS
    from services.insight_report import PATTERN_LABELS, PRECONDITION_LABELS

    lines = [f"Håndbogens fire forudsætninger, sager modtaget {report.first_day:%d-%m-%Y} – {report.last_day:%d-%m-%Y}"
             f" ({names.get(report.team, report.team) if report.team else 'alle teams'})", ""]
    header = f"{'Team':<22}{'Uge':<10}{'Sager':>6}" + "".join(f"{PRECONDITION_LABELS[p]:>15}" for p in PRECONDITIONS)
    lines += [header, "-" * len(header)]
    for tw in report.team_weeks:
        cells = "".join(f"{'–' if tw.percent(p) is None else f'{tw.percent(p):.0f} %':>15}" for p in PRECONDITIONS)
        lines.append(f"{names.get(tw.team, tw.team)[:21]:<22}{tw.week:<10}{tw.cases:>6}{cells}")
    if not report.team_weeks:
        lines.append("Ingen sager i perioden.")
    lines += ["", "Dårlige forløb:"]
    for name, numbers in report.patterns.items():
        lines.append(f"  {PATTERN_LABELS[name]} ({len(numbers)}): {', '.join(numbers) or '–'}")
    worst = report.worst(10)
    if worst:
        lines += ["", "Værste sager først:"]
        for case in worst:
            failed = [PRECONDITION_LABELS[p].lower() for p, ok in case.ok.items() if not ok]
            found = [PATTERN_LABELS[p] for p in case.patterns]
            lines.append(f"  {case.number} ({names.get(case.team, case.team)}): "
                         + "; ".join(x for x in (f"fejler {', '.join(failed)}" if failed else "",
                                                 ", ".join(found)) if x))
    return "\n".join(lines)
