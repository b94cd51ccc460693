"""`sagsflow bpmn validate [PATH…]`, `bpmn deploy [DIR]` and `bpmn simulate [DIR]` (issue 10: safe
process change). validate: exit 0, or 1 with one `file:line: element (name): message` row per
problem, for exactly the files given plus the files they reference. deploy: validate, store and make
current in the database in one transaction (no file is written). simulate: replay the recorded
answers of the latest cases on the candidate diagrams, in memory."""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from cli.common import EXIT_FORBIDDEN, EXIT_INVALID, CliError, parse_now, session_scope
from cli.simulate import register_simulate

SUFFIXES = (".bpmn", ".dmn")


def register(subparsers) -> None:
    bpmn = subparsers.add_parser("bpmn", help="diagram tools").add_subparsers(dest="bpmn_command", required=True)
    validate = bpmn.add_parser("validate", help="validate diagrams (XSD, parse, data flow, values, timers, lanes)")
    validate.add_argument("paths", nargs="*", type=Path)
    validate.set_defaults(handler=cmd_validate)
    dep = bpmn.add_parser("deploy", help="validate, store and make current the diagrams of a directory")
    dep.add_argument("directory", nargs="?", type=Path)
    dep.add_argument("--comment", default="")
    dep.add_argument("--as", dest="actor", default=None, help="a process owner's username")
    dep.add_argument("--json", action="store_true")
    dep.set_defaults(handler=cmd_deploy)
    register_simulate(bpmn)


def _collect(paths: list[Path]) -> tuple[dict[str, str | bytes], set[str]]:
    """(every diagram file of the directories involved, the names of the files asked for)."""
    files: dict[str, bytes] = {}
    wanted: set[str] = set()
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(path)
        directory = path if path.is_dir() else path.parent
        for sibling in sorted(directory.iterdir()):   # call activities and DMN resolve against siblings
            if sibling.suffix in SUFFIXES and sibling.is_file():
                files.setdefault(sibling.name, sibling.read_bytes())
                if path.is_dir():
                    wanted.add(sibling.name)
        if not path.is_dir():
            wanted.add(path.name)
    return files, wanted


def cmd_validate(args) -> int:
    from config.settings import get_settings
    from engine.validation import errors_of, validate_files
    from tasks.operations import OPERATIONS

    settings = get_settings()
    paths = args.paths or [settings.bpmn_dir]
    try:
        sources, wanted = _collect(paths)
    except FileNotFoundError as exc:
        print(f"{exc.args[0]}:0: file: not found")
        return 1
    checked, problems = validate_files(sources, wanted, known_topics=OPERATIONS.keys(),
                                       main_process=settings.main_process, config_dir=settings.config_dir)
    for problem in problems:
        print(problem)
    errors = errors_of(problems)
    if not errors:
        warned = len(problems)
        print(f"ok: {len(checked)} file(s) valid" + (f" ({warned} warning(s))" if warned else ""))
    return 1 if errors else 0


def _actor(session, username: str | None) -> str:
    from store.directory import DbDirectory

    if username is None:
        return f"cli:{getpass.getuser()}"[:64]
    user = DbDirectory(session).user(username)
    if user is None or not user.active or "process_owner" not in (user.roles or []):
        raise CliError(f"{username} is not an active process owner; only process owners deploy diagrams",
                       EXIT_FORBIDDEN)
    return username


def cmd_deploy(args) -> int:
    from config.settings import get_settings
    from engine.adapter import DiagramInvalid
    from services.deployments import deploy, read_directory
    from services.runtime import Runtime

    settings = get_settings()
    directory = args.directory or settings.bpmn_dir
    if not directory.is_dir():
        raise CliError(f"{directory}: not a directory", EXIT_INVALID)
    sources, problems = read_directory(directory)
    if not problems:
        with session_scope() as session:
            try:
                result = deploy(session, Runtime(settings), sources=sources, actor=_actor(session, args.actor),
                                now=parse_now(args.now), comment=args.comment)
            except DiagramInvalid as exc:
                problems = list(exc.problems)
                session.rollback()
            else:
                document = {"version": result.definition.id, "new_version": result.new_version,
                            "deployment": result.deployment.id, "deployed_by": result.deployment.deployed_by,
                            "deployed_at": result.deployment.deployed_at.isoformat(),
                            "comment": result.deployment.comment, "files": sorted(result.definition.sources)}
    if problems:
        if args.json:
            print(json.dumps({"error": "invalid_diagram", "problems": [p.as_dict() for p in problems]},
                             ensure_ascii=False, indent=2))
        for problem in problems:
            print(problem, file=sys.stderr if args.json else sys.stdout)
        return 1
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        how = "as a new version" if document["new_version"] else "again (an earlier version is current again)"
        print(f"deployed version {document['version']} {how}; new cases start on it")
    return 0
