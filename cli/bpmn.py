"""`sagsflow bpmn validate [PATH…]`: exit 0, or 1 with one `file:line: element: message` row per problem."""
from __future__ import annotations

from pathlib import Path

from config.settings import get_settings
from tasks.operations import OPERATIONS
from workflows.validation import validate_sources


def register(subparsers) -> None:
    bpmn = subparsers.add_parser("bpmn", help="diagram tools").add_subparsers(dest="bpmn_command", required=True)
    validate = bpmn.add_parser("validate", help="validate diagrams (XSD, parse, safety lint)")
    validate.add_argument("paths", nargs="*", type=Path)
    validate.set_defaults(handler=cmd_validate)


def _collect(paths: list[Path]) -> dict[str, str]:
    files: dict[Path, None] = {}
    for path in paths:
        directory = path if path.is_dir() else path.parent
        if not path.exists():
            raise FileNotFoundError(path)
        for sibling in sorted(directory.iterdir()):   # call activities and DMN resolve against siblings
            if sibling.suffix in (".bpmn", ".dmn"):
                files[sibling] = None
    return {p.name: p.read_text(encoding="utf-8", errors="replace") for p in files}


def cmd_validate(args) -> int:
    settings = get_settings()
    paths = args.paths or [settings.bpmn_dir]
    try:
        sources = _collect(paths)
    except FileNotFoundError as exc:
        print(f"{exc.args[0]}:0: file: not found")
        return 1
    main = settings.main_process if any(settings.main_process in text for text in sources.values()) else None
    problems = validate_sources(sources, known_topics=OPERATIONS.keys(), main_process=main)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ok: {len(sources)} file(s) valid")
    return 1 if problems else 0
