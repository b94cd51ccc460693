"""Request-scoped dependencies of the web app (issue 5): the database session (the route owns the
transaction and commits explicitly; any error rolls back), the clock, the runtime and page rendering."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData
from sqlalchemy.orm import Session

from services.runtime import Runtime
from web.csrf import csrf_token
from web.i18n import language_of, translator


async def form_data(request: Request) -> FormData:
    """The posted form, read on the event loop (reading the body is I/O); the route that uses it
    stays a plain `def` so its database work runs in the threadpool."""
    return await request.form()


def db_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()   # no-op after a commit; discards anything uncommitted after an error
        session.close()


def now(request: Request) -> datetime:
    """The request's time (aware UTC), from the app's clock — tests pass a fixed one."""
    return request.app.state.clock()


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault("flash", []).append([kind, message])


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
