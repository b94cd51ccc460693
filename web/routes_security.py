"""Administrators' view of sign-in security (issue 9): the audit log of sign-ins, failures, locks,
sign-outs and revoked sessions (services/web_sessions.py)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from services.auth import Principal
from store.auth_events import recent_events
from web.auth import requires
from web.deps import db_session, render

router = APIRouter(include_in_schema=False)


@router.get("/admin/audit")
def audit(request: Request, principal: Principal = Depends(requires("admin")), session: Session = Depends(db_session)):
    return render(request, "admin_audit.html", {"events": recent_events(session, limit=300)})
