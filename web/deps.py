"""Request-scoped dependencies of the web app (issue 5): the database session (the route owns the
transaction and commits explicitly; any error rolls back), the clock, the runtime and page rendering."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from services.runtime import Runtime
from web.csrf import csrf_token
from web.i18n import language_of, translator


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DatabaseBusy(PoolTimeout):
    """No database slot within the pool timeout (answered 503 like a pool timeout)."""


async def form_data(request: Request) -> FormData:
    """The posted form, read on the event loop (reading the body is I/O); the route that uses it
    stays a plain `def` so its database work runs in the threadpool."""
    return await request.form()


async def db_session(request: Request) -> AsyncIterator[Session]:
    """The request's database session. A request first takes one of the app's database slots (as
    many as the pool has connections), waiting for it on the event loop — back-pressure instead of
    request threads that hold a thread while waiting for a connection another request holds. A
    request that gets no slot within the queue timeout is answered 503. Creating the session does no
    I/O; closing one that still holds a connection does, so that runs in the threadpool."""
    state = request.app.state
    slots = getattr(state, "db_slots", None)
    if slots is None:
        url = state.settings.database_url
        slots = state.db_slots = anyio.CapacityLimiter(state.db_tuning.web_threads(url))
        writers = state.db_tuning.web_writers(url)
        state.db_writers = anyio.CapacityLimiter(writers) if writers else None
    gates = [slots]
    if state.db_writers is not None and request.method not in SAFE_METHODS:
        gates.insert(0, state.db_writers)     # the writer's turn first: a waiting writer holds no slot
    taken = []
    try:
        with anyio.fail_after(state.db_tuning.queue_timeout_s):
            for gate in gates:
                await gate.acquire()
                taken.append(gate)
    except BaseException as exc:      # a timeout, or the client went away while waiting
        for gate in reversed(taken):
            gate.release()
        if isinstance(exc, TimeoutError):
            raise DatabaseBusy("all database connections are busy") from None
        raise
    session = state.session_factory()
    try:
        yield session
    finally:
        try:
            if session.in_transaction():   # holds a connection: the rollback and its return are I/O
                await anyio.to_thread.run_sync(_discard, session)
            else:   # committed (the connection went back to the pool then) or never used: no I/O
                session.close()
        finally:
            for gate in reversed(taken):
                gate.release()


db_session.loop_safe = True   # type: ignore[attr-defined]  # vetted: no I/O on the loop (see above)


def _discard(session: Session) -> None:
    session.rollback()   # no-op after a commit; discards anything uncommitted after an error
    session.close()


async def now(request: Request) -> datetime:
    """The request's time (aware UTC), from the app's clock — tests pass a fixed one. Async: it does no
    I/O, and a plain `def` dependency costs a trip through the threadpool on every request."""
    return request.app.state.clock()


now.loop_safe = True   # type: ignore[attr-defined]  # vetted: reads a clock, no I/O


async def runtime(request: Request) -> Runtime:
    """The app's process runtime (async for the same reason as `now`)."""
    return request.app.state.runtime


runtime.loop_safe = True   # type: ignore[attr-defined]  # vetted: returns an object, no I/O


def flash(request: Request, message: str, kind: str = "info") -> None:
    # assigned, not appended in place: the session is only written back when a key is set
    request.session["flash"] = [*request.session.get("flash", []), [kind, message]]


def render(request: Request, template: str, context: dict | None = None, *, status_code: int = 200) -> HTMLResponse:
    lang = language_of(request)
    messages = request.session.pop("flash", []) if "session" in request.scope else []
    base = {"request": request, "t": translator(lang), "lang": lang, "csrf": csrf_token(request),
            "principal": getattr(request.state, "principal", None), "flashes": messages,
            "prefect_ui_url": request.app.state.web.prefect_ui_url, "now": request.app.state.clock()}
    response = request.app.state.templates.TemplateResponse(request, template, {**base, **(context or {})},
                                                             status_code=status_code)
    if request.query_params.get("lang") in ("da", "en"):
        response.set_cookie("lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# Database ids in paths: bounded so a huge number is a 422, not a database overflow.
DbId = Annotated[int, Path(ge=1, le=2_147_483_647)]
