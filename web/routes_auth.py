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
from web.auth import ALL_ROLES, public, requires, sign_in
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
    try:
        principal = authenticate(session, username=username, password=password)
    except SignInFailed as exc:
        return render(request, "login.html", {"next": _safe_next(next), "error": str(exc), "username": username[:64]},
                      status_code=401)
    session.commit()   # a rehashed password
    sign_in(request, principal)
    return redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, principal: Principal = Depends(requires(*ALL_ROLES))):
    request.session.clear()
    return redirect("/login")


@router.get("/")
def home(request: Request, principal: Principal = Depends(requires(*ALL_ROLES))):
    if principal.has_any(("technician", "coordinator")):
        return redirect("/worklist")
    if "admin" in principal.roles:
        return redirect("/admin")
    return redirect("/definitions")
