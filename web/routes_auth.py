"""Sign-in and sign-out (issue 5): local users with argon2 hashes; a fresh session on sign-in."""
from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
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
def health() -> dict:
    return {"status": "ok"}


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
