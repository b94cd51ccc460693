"""`sagsflow task list|complete|claim|unclaim` — the worklist from the command line."""
from __future__ import annotations

import json

from cli.common import emit, parse_now, read_json_arg, session_scope


def register(subparsers) -> None:
    task = subparsers.add_parser("task", help="list and complete human tasks").add_subparsers(dest="task_command", required=True)
    lister = task.add_parser("list", help="open tasks, oldest first")
    lister.add_argument("--case")
    lister.add_argument("--team")
    lister.add_argument("--as", dest="reader", help="only what this user may read (SECURITY.md)")
    lister.add_argument("--json", action="store_true")
    lister.set_defaults(handler=cmd_list)
    completer = task.add_parser("complete", help="complete a task with form data")
    completer.add_argument("task_id")
    completer.add_argument("--as", dest="actor", required=True)
    completer.add_argument("--data", required=True, help="JSON object, or @file.json")
    completer.add_argument("--json", action="store_true")
    completer.set_defaults(handler=cmd_complete)
    for name, handler in (("claim", cmd_claim), ("unclaim", cmd_unclaim)):
        parser = task.add_parser(name)
        parser.add_argument("task_id")
        parser.add_argument("--as", dest="actor", required=True)
        parser.set_defaults(handler=handler)


def cmd_list(args) -> int:
    from services.tasks import list_tasks

    with session_scope() as session:
        tasks = list_tasks(session, case_number=args.case, team=args.team, reader=args.reader)
    human = "\n".join(f"{t['id']}  {t['case']}  {t['name']}  [{t['team'] or '-'}/{t['role']}]"
                      + "\n" + "\n".join(f"      {f['id']} ({f['type']}{', påkrævet' if f['required'] else ''}): {f['label']}"
                                         + (f" [{', '.join(o['id'] for o in f['options'])}]" if f['options'] else "")
                                         for f in t["fields"]) for t in tasks) or "(ingen åbne opgaver)"
    emit(tasks, args.json, human)
    return 0


def cmd_complete(args) -> int:
    from config.settings import get_settings
    from services.runtime import Runtime
    from services.tasks import complete_task

    data = read_json_arg(args.data)
    with session_scope() as session:
        result = complete_task(session, Runtime(get_settings()), task_id=args.task_id, username=args.actor,
                               data=data, now=parse_now(args.now))
    emit(result, args.json, f"Udført. Sag {result['case']} · status {result['status']} · næste opgaver: "
         + (", ".join(result["next_tasks"]) or "ingen"))
    return 0


def cmd_claim(args) -> int:
    from config.settings import get_settings
    from services.tasks import claim_task

    with session_scope() as session:
        claim_task(session, task_id=args.task_id, username=args.actor, now=parse_now(args.now),
                   config_dir=get_settings().config_dir)
    print(json.dumps({"claimed": args.task_id, "by": args.actor}))
    return 0


def cmd_unclaim(args) -> int:
    from services.tasks import unclaim_task

    with session_scope() as session:
        unclaim_task(session, task_id=args.task_id, username=args.actor)
    print(json.dumps({"released": args.task_id}))
    return 0
