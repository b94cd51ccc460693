"""Sign-in and sign-out (issue 5): local users with argon2 hashes; a fresh session on sign-in."""
from __future__ import annotations

from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.auth import Principal, SignInFailed, authenticate
from domain.text import clean_line
from services.web_sessions import TooManyAttempts, check_throttle, record_failure
from web.auth import ALL_ROLES, client_address, public, requires, sign_in, sign_out
from web.deps import db_session, redirect, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


@router.get("/healthz", dependencies=[Depends(public())])
async def health() -> dict:
    """Liveness: the process answers (on the event loop, touching nothing)."""
    return {"status": "ok"}


@router.get("/readyz", dependencies=[Depends(public())])
async def ready(request: Request):
    """Readiness: the database answers within the readiness timeout (checked in the threadpool)."""
    limit = request.app.state.db_tuning.readiness_timeout_s
    try:
        with anyio.fail_after(limit):
            # abandoned on timeout: a thread stuck on a silent server must not hold the answer
            await anyio.to_thread.run_sync(database_answers, request.app, abandon_on_cancel=True)
    except TimeoutError:
        return JSONResponse({"status": "unavailable", "database": f"no answer within {limit:g} s"}, status_code=503)
    except Exception as exc:   # noqa: BLE001 — any failure means "not ready"; the reason is the error's kind only
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
    return {"status": "ok", "database": "ok"}


def database_answers(app) -> None:
    with app.state.session_factory() as session:
        session.execute(text("SELECT 1"))


@router.get("/login", dependencies=[Depends(public())])
def login_page(request: Request, next: str | None = None):
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login", dependencies=[Depends(public(csrf=True))])
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
          session: Session = Depends(db_session)):
    at, client, name = request.app.state.clock(), client_address(request), clean_line(username)[:64].lower()
    context = {"next": _safe_next(next), "username": name}
    try:
        check_throttle(session, username=name, client=client, now=at)
        principal = authenticate(session, username=name, password=password)
    except TooManyAttempts as exc:
        response = render(request, "login.html", {**context, "error": str(exc)}, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except SignInFailed as exc:
        session.rollback()
        record_failure(session, username=name, client=client, now=at)
        session.commit()
        return render(request, "login.html", {**context, "error": str(exc)}, status_code=401)
    sign_in(request, session, principal)
    session.commit()   # the new session (and a rehashed password)
    return redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, principal: Principal = Depends(requires(*ALL_ROLES)),
           session: Session = Depends(db_session)):
    sign_out(request, session, principal)   # the server-side session ends: a copied cookie is worthless
    session.commit()
    return redirect("/login")


@router.get("/")
def home(request: Request, principal: Principal = Depends(requires(*ALL_ROLES))):
    if principal.has_any(("technician", "coordinator")):
        return redirect("/worklist")
    if "admin" in principal.roles:
        return redirect("/admin")
    return redirect("/definitions")
