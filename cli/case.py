"""`sagsflow case open|show` (H-V1 registration; H-R1.1 timeline)."""
from __future__ import annotations

from cli.absence import register_reassign
from datetime import datetime

from cli.case_control import register_control
from cli.common import emit, parse_now, session_scope


def register(subparsers) -> None:
    case = subparsers.add_parser("case", help="open and show cases").add_subparsers(dest="case_command", required=True)
    opener = case.add_parser("open", help="register a new case and start its process")
    opener.add_argument("--type", dest="case_type", required=True, choices=["incident", "service_request", "change"])
    opener.add_argument("--summary", required=True)
    opener.add_argument("--impact", required=True, type=int, choices=[1, 2, 3, 4])
    opener.add_argument("--urgency", required=True, type=int, choices=[1, 2, 3, 4])
    opener.add_argument("--sla-level", required=True, choices=["platinum", "gold", "silver", "bronze"])
    opener.add_argument("--customer", required=True, help="the customer's name")
    opener.add_argument("--customer-email")
    opener.add_argument("--customer-phone")
    opener.add_argument("--as", dest="actor", default="sd.tekniker", help="who registers the case")
    opener.add_argument("--json", action="store_true")
    opener.set_defaults(handler=cmd_open)
    show = case.add_parser("show", help="show a case with its open tasks and Work Info")
    show.add_argument("number")
    show.add_argument("--as", dest="reader", help="show only if this user may read the case (SECURITY.md)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show, brief=True)   # brief: cli/main.py runs it without the cyclic GC
    search = case.add_parser("search", help="find cases in every state by text, customer or number, with filters")
    search.add_argument("text", nargs="?", default=None, help="words of the summary, Work Info or customer; a number")
    search.add_argument("--view", choices=["all", "open", "waiting"], default="all")
    search.add_argument("--status")
    search.add_argument("--team")
    search.add_argument("--priority", choices=["critical", "high", "medium", "low"])
    search.add_argument("--type", dest="case_type", choices=["incident", "service_request", "change"])
    search.add_argument("--sla", choices=["ok", "warning", "breach", "paused"])
    search.add_argument("--from", dest="received_from", help="received on or after this date (YYYY-MM-DD)")
    search.add_argument("--to", dest="received_to", help="received on or before this date (YYYY-MM-DD)")
    search.add_argument("--sort", choices=["-received", "received", "due", "priority", "number"], default="-received")
    search.add_argument("--page", type=int, default=1)
    search.add_argument("--page-size", type=int, default=25)
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=cmd_search)
    register_control(case)   # issue 11: `sagsflow case retry|cancel|migrate`
    register_reassign(case)   # issue 13: `sagsflow case reassign NUMBER --to USER --as COORDINATOR`


def cmd_open(args) -> int:
    from config.settings import get_settings
    from services.cases import NewCase, case_document, open_case
    from services.runtime import Runtime

    new = NewCase(case_type=args.case_type, summary=args.summary, impact=args.impact, urgency=args.urgency,
                  sla_level=args.sla_level, customer_name=args.customer, customer_email=args.customer_email,
                  customer_phone=args.customer_phone)
    with session_scope() as session:
        case = open_case(session, Runtime(get_settings()), new=new, actor=args.actor, now=parse_now(args.now))
        document = case_document(session, case.number)
    emit({"number": document["number"], "status": document["status"], "open_tasks": document["open_tasks"]},
         args.json, document["number"])
    return 0


def cmd_search(args) -> int:
    """`{"total", "page", "page_size", "pages", "items": [...]}` as GET /api/cases (exit 2 on a bad filter)."""
    from config.handbook import handbook
    from services.case_search import CaseFilters, hit_document, search_cases

    filters = CaseFilters(q=args.text, view=args.view, status=args.status, team=args.team, priority=args.priority,
                          case_type=args.case_type, sla=args.sla, received_from=args.received_from,
                          received_to=args.received_to, sort=args.sort, page=args.page, page_size=args.page_size)
    with session_scope() as session:
        result = search_cases(session, filters, now=parse_now(args.now))
    labels = handbook().labels
    document = {"total": result.total, "more": result.more, "page": result.page, "page_size": result.page_size, "pages": result.pages,
                "items": [hit_document(hit) for hit in result.items]}
    lines = [f"{hit.number:<16} {labels['status'].get(hit.status, hit.status):<20} "
             f"{labels['priority'].get(hit.priority or '', '-'):<8} {hit.customer_name[:24]:<24} {hit.summary[:60]}"
             for hit in result.items]
    lines.append(f"{'over 1.000' if result.more else result.total} sag(er), side {result.page}"
                 + ("" if result.more else f" af {result.pages}"))
    emit(document, args.json, "\n".join(lines))
    return 0


def cmd_show(args) -> int:
    from services.cases import case_document

    with session_scope() as session:
        doc = case_document(session, args.number, reader=getattr(args, "reader", None))
    # the document is the scripts' contract; only the Danish text needs the handbook's labels (and PyYAML)
    emit(doc, args.json, "" if args.json else _show_text(doc))
    return 0


def _show_text(doc: dict) -> str:
    from config.handbook import labels as handbook_labels

    labels = handbook_labels()   # handbook().labels, without the handbook's pydantic models (issue 15)
    lines = [f"{doc['number']}  {doc['summary']}",
             f"  type {labels['case_type'].get(doc['type'], doc['type'])} · status "
             f"{labels['status'].get(doc['status'], doc['status'])} · prioritet "
             f"{labels['priority'].get(doc['priority'] or '', '-')} · SLA {labels['sla_level'][doc['sla_level']]}"
             f" · team {doc['team'] or '-'} · tekniker {doc['assignee'] or '-'}",
             f"  diagramversion {doc['process']['version'] or '-'} · proces {doc['process']['status'] or '-'}"]
    if doc["process"].get("failure"):   # issue 11
        from domain.calendar import to_local

        failure = doc["process"]["failure"]
        when = to_local(datetime.fromisoformat(failure["time"])).strftime("%d.%m.%Y kl. %H:%M")
        lines.append(f"  {failure['label']}: {failure['message']} ({when}, {failure['by']})")
    lines.append("  Åbne opgaver:")
    lines += [f"    {t['id']}  {t['name']}  [{t['team'] or '-'}]" for t in doc["open_tasks"]] or ["    (ingen)"]
    lines.append("  Work Info:")
    for w in doc["work_info"]:
        lines.append(f"    {w['time'][:19]}  {w['type']:<26} {w['author']:<16} {w['summary']}")
    return "\n".join(lines)
