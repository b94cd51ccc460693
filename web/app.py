"""The web application (issue 5; H-R2.2 worklist, H-V1 registration, H-R1.1 Work Info): FastAPI
with server-rendered Jinja2 pages, signed session cookies (HttpOnly, SameSite=Lax), CSRF tokens,
a role guard on every route (deny by default: the app refuses to start with an unguarded route),
domain errors mapped to clear pages or JSON, and the REST API under /api."""
from __future__ import annotations

import gc
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from config.database import DatabaseSettings
from config.log_redaction import install_log_redaction
from config.settings import Settings
from domain.errors import ConcurrencyConflict, Forbidden, FormInvalid, InvalidState, NotFound, SagsflowError
from services.auth import SignInFailed
from services.runtime import Runtime
from store.db import engine_for, session_factory as make_session_factory
from web import routes_security
from web import routes_admin, routes_api, routes_auth, routes_cases, routes_definitions, routes_worklist
from web import routes_search, routes_workspace
from web import routes_conversation, routes_conversation_api, routes_notifications
from web import routes_insight
from web import routes_control
from services.failures import ProcessFailed, record_failure
from web.auth import NotSignedIn, guarded
from web.deps import render
from web.error_text import danish_refusal, danish_validation
from web.i18n import language_of
from web.input_guard import InputGuard
from web.upload_limit import UploadLimit
from web.loop_guard import refuse_blocking_async
from web.oidc import oidc_router
from web.security_headers import SecurityHeaders
from web.settings import WebSettings
from web.templating import add_filters
from engine.adapter import DiagramInvalid

HERE = Path(__file__).resolve().parent
STATUS_BY_ERROR = [(NotSignedIn, 401), (SignInFailed, 401), (Forbidden, 403), (NotFound, 404),
                   (FormInvalid, 422), (DiagramInvalid, 422), (InvalidState, 409), (ConcurrencyConflict, 409),
                   (ProcessFailed, 409),
                   (SagsflowError, 400)]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def create_app(settings: Settings, *, session_factory: sessionmaker[Session] | None = None,
               web: WebSettings | None = None, clock: Callable[[], datetime] | None = None,
               runtime: Runtime | None = None) -> FastAPI:
    web = web or WebSettings()
    install_log_redaction()
    app = FastAPI(title="Sagsflow API", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_serving,
                  description="The worklist's REST API: cases, tasks, Work Info and diagrams. Sign in with the "
                              "session cookie (send X-CSRF-Token on changes) or `Authorization: Bearer <token>`.")
    app.state.settings = settings
    app.state.web = web
    app.state.session_factory = session_factory or make_session_factory(engine_for(settings.database_url))
    app.state.runtime = runtime or Runtime(settings)
    app.state.clock = clock or _utc_now
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    add_filters(templates.env)
    app.state.templates = templates

    app.state.db_tuning = DatabaseSettings()
    threads = app.state.db_tuning.threadpool_size()

    app.add_middleware(SecurityHeaders, threads=threads)   # innermost: sees the session
    app.add_middleware(SessionMiddleware, secret_key=web.resolved_session_secret(), session_cookie="sagsflow_session",
                       max_age=web.session_max_age_s, same_site="lax", https_only=web.https_only)
    app.add_middleware(InputGuard)   # no route sees uncleaned text (domain/text.py)
    app.add_middleware(UploadLimit, max_file_bytes=settings.attachments.max_bytes)   # issue 13: no disk filling
    app.add_middleware(SecureCookies)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if web.bpmn_js_dir.is_dir():
        app.mount("/assets/bpmn-js", StaticFiles(directory=str(web.bpmn_js_dir)), name="bpmn-js")
    modules = web.bpmn_js_dir.parent.parent   # node_modules: the modeler bundle and dmn-js (issue 11)
    for mount, directory in (("sagsflow-modeler", modules / ".sagsflow-modeler"), ("dmn-js", modules / "dmn-js" / "dist")):
        if directory.is_dir():
            app.mount(f"/assets/{mount}", StaticFiles(directory=str(directory)), name=mount)
    for module in (routes_auth, routes_worklist, routes_cases, routes_definitions, routes_admin, routes_api,
                   routes_security):
        app.include_router(module.router)
    app.include_router(routes_search.router)
    app.include_router(routes_control.router)              # issue 11: retry, cancel, migrate
    app.include_router(routes_control.api)
    app.include_router(routes_insight.router)             # issue 16: /indsigt, /api/insight
    app.include_router(routes_conversation.router)       # issue 13: conversation, attachments, contacts
    app.include_router(routes_conversation_api.router)
    app.include_router(routes_notifications.router)      # issue 13: notifications, absence, redistribution
    app.include_router(routes_notifications.api)
    app.include_router(routes_search.api)
    app.include_router(routes_workspace.router)   # issue 12: re-prioritise, customer's answer
    app.include_router(routes_workspace.api)
    oidc = oidc_router(web)
    app.state.oidc_enabled = oidc is not None
    if oidc is not None:
        app.include_router(oidc)
    _install_error_handlers(app)
    _refuse_unguarded(app)
    refuse_blocking_async(app)
    return app


@asynccontextmanager
async def _serving(_app: FastAPI):
    """When a server starts the app: what start-up built (routes, templates, the mapped tables, the
    settings) lives as long as the process, so the garbage collector's full collections need not walk
    it again and again (the worklist benchmark: a full collection ~65 ms, ~9 per 600 requests; ~4 ms
    frozen). Only under a server (uvicorn runs the lifespan), not for every app a test builds."""
    gc.freeze()
    yield


class SecureCookies:
    """Outermost: every cookie of a response served over HTTPS — TLS here, or a trusted proxy said so
    (uvicorn's --proxy-headers / --forwarded-allow-ips) — gets the `Secure` attribute."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def secured(message):
            if message["type"] == "http.response.start":
                message["headers"] = [(k, v + b"; Secure" if k == b"set-cookie" and b"secure" not in v.lower() else v)
                                      for k, v in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, secured)


def _refuse_unguarded(app: FastAPI) -> None:
    """Deny by default: every route must declare who may use it (a guard dependency)."""
    stack = list(app.routes)
    while stack:
        route = stack.pop()
        included = getattr(route, "original_router", None)   # FastAPI >= 0.13x wraps included routers
        if included is not None:
            stack.extend(included.routes)
        elif isinstance(route, APIRoute) and not guarded(route):
            raise RuntimeError(f"route {route.path} has no role guard; add Depends(requires(...)) or public()")


def _wants_json(request: Request) -> bool:
    return (request.url.path.startswith("/api") or "application/json" in request.headers.get("accept", "")
            or request.headers.get("content-type", "").startswith("application/json"))


def _plain_error(request: Request, status: int, code: str, message: str, *, retry_after: int | None = None):
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    if _wants_json(request):
        return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)
    try:
        response = render(request, "error.html", {"status": status, "message": message}, status_code=status)
    except Exception:   # the page itself cannot be rendered: still a Danish answer
        return HTMLResponse(f"<!doctype html><html lang=da><title>Fejl</title><p>{message}</p>", status_code=status,
                            headers=headers)
    if headers:
        response.headers.update(headers)
    return response


def _install_error_handlers(app: FastAPI) -> None:
    async def domain_error(request: Request, exc: Exception):
        status = next(code for kind, code in STATUS_BY_ERROR if isinstance(exc, kind))
        if isinstance(exc, ProcessFailed):   # the request was rolled back; record it on its own (issue 11)
            await anyio.to_thread.run_sync(record_failure, request.app.state.session_factory, exc)
        if isinstance(exc, NotSignedIn) and not _wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if _wants_json(request):
            body = {"error": getattr(exc, "code", "error"), "message": str(exc)}
            if isinstance(exc, FormInvalid):
                body["fields"] = exc.errors
            if isinstance(exc, DiagramInvalid):
                body["problems"] = [str(p) for p in exc.problems]
            return JSONResponse(body, status_code=status,
                                headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
        message = (str(exc) if language_of(request) == "en" or isinstance(exc, DiagramInvalid)
                   else danish_refusal(str(exc), status))
        return render(request, "error.html", {"status": status, "message": message}, status_code=status)

    async def stale(request: Request, exc: StaleDataError):
        return await domain_error(request, ConcurrencyConflict(
            "someone else changed the case at the same time; reload and try again"))

    async def invalid_request(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        if _wants_json(request):
            return JSONResponse({"error": "invalid_request", "message": problems}, status_code=422)
        if language_of(request) != "en":
            problems = "; ".join(danish_validation(e) for e in exc.errors())
        return render(request, "error.html", {"status": 422, "message": problems}, status_code=422)

    async def http_error(request: Request, exc: StarletteHTTPException):
        """404/405 and the like: JSON under /api, a Danish page elsewhere (issue 12)."""
        if _wants_json(request):
            return JSONResponse({"error": "not_found" if exc.status_code == 404 else "http_error",
                                 "message": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
        message = str(exc.detail) if language_of(request) == "en" else danish_refusal("", exc.status_code)
        response = render(request, "error.html", {"status": exc.status_code, "message": message},
                          status_code=exc.status_code)
        response.headers.update(exc.headers or {})
        return response

    async def database_unavailable(request: Request, exc: Exception):
        """A dead, silent or overloaded database: 503 at once, never a frozen or bare error page."""
        return _plain_error(request, 503, "database_unavailable",
                            "Databasen svarer ikke lige nu. Prøv igen om lidt.", retry_after=5)

    async def unexpected(request: Request, exc: Exception):
        return _plain_error(request, 500, "internal_error",
                            "Der opstod en uventet fejl. Prøv igen; fortsætter fejlen, så kontakt en administrator.")

    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(InterfaceError, database_unavailable)
    app.add_exception_handler(PoolTimeout, database_unavailable)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(SagsflowError, domain_error)
    app.add_exception_handler(StaleDataError, stale)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
