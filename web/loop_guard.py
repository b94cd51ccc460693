"""Never block the event loop (issue 9): a database or engine call inside an `async def` route or
dependency freezes every request of the process while it waits (for a pooled connection, a lock, a
silent server). `create_app` refuses to start when an `async def` endpoint or dependency could reach
the database; such code is a plain `def` (FastAPI runs it in the threadpool) or hands the blocking
part to `run_in_threadpool` explicitly."""
from __future__ import annotations

import inspect
import re

from fastapi import FastAPI
from fastapi.routing import APIRoute

# What reaching the database (or the engine, which loads from it) looks like in a function's source.
_BLOCKING = re.compile(r"\b(db_session|session_factory|Session\b|\.execute\(|\.commit\(|runtime\b|Runtime\b)")


def _reaches_database(call) -> str | None:
    """Why an async callable is blocking, or None."""
    for name, parameter in inspect.signature(call).parameters.items():
        annotation = str(parameter.annotation)
        if name in ("session", "rt") or "Session" in annotation or "Runtime" in annotation:
            return f"its parameter {name!r} is a database session or the engine runtime"
    try:
        source = inspect.getsource(call)
    except (OSError, TypeError):
        return None
    body = source.split(":", 1)[-1] if source.lstrip().startswith("async def") else source
    found = _BLOCKING.search(body)
    return f"it uses {found.group(1)!r}" if found else None


def blocking_async_calls(app: FastAPI) -> list[str]:
    """Every async endpoint or dependency of the app that could reach the database."""
    problems: list[str] = []
    stack = list(app.routes)
    while stack:
        route = stack.pop()
        included = getattr(route, "original_router", None)
        if included is not None:
            stack.extend(included.routes)
            continue
        if not isinstance(route, APIRoute):
            continue
        dependants = [route.dependant]
        while dependants:
            dependant = dependants.pop()
            dependants.extend(dependant.dependencies)
            call = dependant.call
            if call is None or getattr(call, "loop_safe", False):
                continue
            if not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)):
                continue
            if any(getattr(d.call, "__name__", "") == "db_session" and not getattr(d.call, "loop_safe", False)
                   for d in dependant.dependencies):
                problems.append(f"{route.path}: async {call.__name__} depends on the database session")
                continue
            why = _reaches_database(call)
            if why:
                problems.append(f"{route.path}: async {call.__name__} — {why}")
    return sorted(set(problems))


def refuse_blocking_async(app: FastAPI) -> None:
    problems = blocking_async_calls(app)
    if problems:
        raise RuntimeError("async code that blocks the event loop (make it a plain def): " + "; ".join(problems))
