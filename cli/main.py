"""The `sagsflow` command: a stable contract for scripts (see README, "Command line").

Starts fast (issue 15): only the chosen command's module registers its parser, and every handler
imports the services, the database and the engine it needs when it runs. `sagsflow --help` (or an
unknown command) builds the whole tree."""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

from config.log_redaction import install_log_redaction
from domain.text import clean_text

from cli import common

# sub-command -> the cli module that registers it, in the order of `sagsflow --help`
COMMANDS = {"db": "db", "case": "case", "task": "task", "bpmn": "bpmn", "sla": "sla", "tick": "tick",
            "outbox": "outbox", "mail": "mail", "remedy": "remedy_sync", "run": "run", "web": "web",
            "remedy-simulator": "remedy", "demo": "demo", "report": "report", "absence": "absence"}


def chosen_command(argv: list[str]) -> str | None:
    """The sub-command named in `argv`, when it is plain to see (`[--now ISO] COMMAND …`); else None."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--now":
            next(tokens, None)
        elif not token.startswith("--now="):
            return token if token in COMMANDS else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: of its command alone when that is plain, else of every command."""
    parser = argparse.ArgumentParser(prog="sagsflow", description="Executable service-desk handbook")
    parser.add_argument("--now", help="act as if it were this time (ISO 8601 with offset); for scripts and tests")
    subparsers = parser.add_subparsers(dest="command", required=True)
    command = chosen_command(argv) if argv is not None else None
    for module in dict.fromkeys([COMMANDS[command]] if command else COMMANDS.values()):
        importlib.import_module(f"cli.{module}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    install_log_redaction()
    as_process = argv is None   # the process is this command (the `sagsflow` script, `python -m cli.main`)
    # the text boundary (domain/text.py): no NUL or control character reaches a command
    argv = [clean_text(a) for a in (sys.argv[1:] if argv is None else argv)]
    args = build_parser(argv).parse_args(argv)
    brief = as_process and getattr(args, "brief", False)
    if brief:
        # a brief command (it reads one case or computes one deadline, then ends) only makes long-lived objects
        # while it imports: the cyclic garbage collector would walk them again and again for nothing (~0.05 s)
        gc.disable()
        # nor does it need pydantic's plugins (pydantic 2's documented switch): their search reads the entry
        # points of every installed distribution when the first model class is made (~5 ms); set, it stays
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    handler = getattr(args, "handler", None) or args.func
    code = common.run_guarded(handler, args)
    if as_process:   # and it ends now
        _before_exit()
        if brief:
            _end_now(code)
    return code


def _before_exit() -> None:
    """Close the database connections cleanly, then spare the interpreter's last garbage collection:
    it would walk the ~90,000 objects the imports made (modules, classes, SQLAlchemy's and pydantic's
    tables), ~0.1 s of a short command (issue 15), only to free memory the ending process gives back
    anyway. Objects are still released by reference counting; files and connections are closed."""
    db = sys.modules.get("store.db")
    if db is not None:
        db.dispose_engines()
    gc.freeze()


def _end_now(code: int) -> None:
    """A brief command's process ends here, once its output is written: the interpreter's shutdown would
    take its ~500 modules apart one by one (~8 ms of `case show`, issue 15) and has nothing left to do —
    the database connections are closed (_before_exit), the command starts no thread, writes no file and
    registers no exit hook. A failure to write the output still ends the command with an error."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:   # the reader went away (`sagsflow case show X | head -1`)
        os._exit(1)
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
