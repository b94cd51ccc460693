"""Shared CLI plumbing: settings, one transaction per command, exit codes, output.

Light on purpose (issue 15): the parser of every command is built from this module and argparse
alone; the database, the services and the engine are imported by the handler that needs them."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from domain.text import clean_tree
from domain.errors import ConcurrencyConflict, Forbidden, FormInvalid, InvalidState, NotFound, SagsflowError

EXIT_INVALID, EXIT_FORBIDDEN, EXIT_NOT_FOUND, EXIT_STATE = 2, 3, 4, 5


class CliError(Exception):
    def __init__(self, message: str, code: int = 1):
        self.code = code
        super().__init__(message)


@contextmanager
def session_scope():
    # SAGSFLOW_DATABASE_URL as config.settings.Settings reads it, without importing pydantic (issue 15)
    from config.environment import database_url
    from store.db import engine_for, session_factory

    factory = session_factory(engine_for(database_url()))
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        failures = sys.modules.get("services.failures")   # only a command that ran the engine can raise it
        if failures is not None and isinstance(exc, failures.ProcessFailed):
            failures.record_failure(factory, exc)   # rolled back; the failure is recorded on its own (issue 11)
        raise
    finally:
        session.close()


def parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"--now: not an ISO 8601 time: {value!r}", EXIT_INVALID) from None
    if parsed.tzinfo is None:
        raise CliError("--now needs a UTC offset, e.g. 2026-11-25T10:00:00+01:00", EXIT_INVALID)
    return parsed.astimezone(timezone.utc)


def read_json_arg(value: str):
    try:
        text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
        return clean_tree(json.loads(text))   # the text boundary (domain/text.py)
    except OSError as exc:
        raise CliError(f"--data: cannot read {value[1:]}: {exc.strerror}", EXIT_INVALID) from None
    except json.JSONDecodeError as exc:
        raise CliError(f"--data: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", EXIT_INVALID) from None


def emit(document, as_json: bool, human: str) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2) if as_json else human)


def run_guarded(func, args) -> int:
    """Map domain errors to exit codes and clear messages on stderr."""
    try:
        result = func(args)
        return 0 if result is None else int(result)
    except FormInvalid as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": "invalid_form", "fields": exc.errors}, ensure_ascii=False, indent=2))
        print("Ugyldige felter (intet er ændret):", file=sys.stderr)
        for field, message in exc.errors.items():
            print(f"  {field}: {message}", file=sys.stderr)
        return EXIT_INVALID
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except Forbidden as exc:
        print(f"forbidden: {exc}", file=sys.stderr)
        return EXIT_FORBIDDEN
    except NotFound as exc:
        print(f"not found: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except (InvalidState, ConcurrencyConflict) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_STATE
    except SagsflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        code = _library_error(exc)
        if code is None:
            raise
        return code


def _loaded(module: str, *names: str) -> tuple[type, ...]:
    """Exception classes of a library the command has imported; none if it never did (then none was raised)."""
    loaded = sys.modules.get(module)
    return tuple(getattr(loaded, name) for name in names) if loaded is not None else ()


def _library_error(exc: Exception) -> int | None:
    """pydantic's and the database's errors, recognised without importing either library here."""
    if isinstance(exc, _loaded("pydantic", "ValidationError")):
        for error in exc.errors():
            print(f"  {'.'.join(str(p) for p in error['loc'])}: {error['msg']}", file=sys.stderr)
        return EXIT_INVALID
    if isinstance(exc, _loaded("sqlalchemy.exc", "OperationalError", "InterfaceError", "TimeoutError")):
        # one line, never a traceback (and never the SQL or its parameters: customers' text)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        print(f"error: the database cannot be reached ({type(getattr(exc, 'orig', exc)).__name__}: {reason})",
              file=sys.stderr)
        return 1
    if isinstance(exc, _loaded("sqlalchemy.exc", "DBAPIError")):
        print(f"error: the database refused the command ({type(getattr(exc, 'orig', exc)).__name__}); "
              "nothing was changed", file=sys.stderr)
        return 1
    return None
