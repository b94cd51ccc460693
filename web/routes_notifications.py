"""Notifications (issue 13): the person's list (*Beskeder*), the unread badge, marking read and turning
kinds off; absence (H-R2.2): a person marks themselves absent, a coordinator a team member; a
coordinator redistributes a case of the team (web and `POST /api/cases/{number}/reassign`). Plain
`def` routes (database work in the threadpool)."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.errors import FormInvalid
from services.absence import absences_for, end_absence, mark_absent, parse_local, reassign_case, team_people
from services.auth import Principal
from store.notifications import KINDS, change_settings, mark_read, notifications_of, settings_of, unread_count
from services.runtime import Runtime
from web.auth import ALL_ROLES, WORK_ROLES, requires
from web.deps import DbId, db_session, flash, form_data, now, redirect, render, runtime

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])


@router.get("/beskeder")
def notifications_page(request: Request, principal: Principal = Depends(requires(*ALL_ROLES)),
                       session: Session = Depends(db_session)):
    return render(request, "notifications.html", {
        "items": notifications_of(session, username=principal.username), "kinds": KINDS,
        "settings": settings_of(session, username=principal.username),
        "absences": absences_for(session, username=principal.username),
        "people": team_people(session, coordinator=principal.username)})


@router.post("/beskeder/read")
def read_all(request: Request, principal: Principal = Depends(requires(*ALL_ROLES)),
             session: Session = Depends(db_session), at: datetime = Depends(now)):
    mark_read(session, username=principal.username, now=at)
    session.commit()
    return redirect("/beskeder")


@router.post("/beskeder/settings")
def save_settings(request: Request, principal: Principal = Depends(requires(*ALL_ROLES)),
                  session: Session = Depends(db_session), form=Depends(form_data)):
    change_settings(session, username=principal.username, choices={k: form.get(k) == "on" for k in KINDS})
    session.commit()
    flash(request, "Dine valg er gemt.", "ok")
    return redirect("/beskeder")


@router.post("/absence")
def add_absence(request: Request, username: str = Form(""), starts: str = Form(""), ends: str = Form(""),
                note: str = Form(""), principal: Principal = Depends(requires(*WORK_ROLES)),
                session: Session = Depends(db_session), at: datetime = Depends(now)):
    try:
        mark_absent(session, username=username or principal.username, by_user=principal.username,
                    starts_at=parse_local(starts, field="starts"), ends_at=parse_local(ends, field="ends"),
                    note=note, now=at)
    except FormInvalid as exc:
        session.rollback()
        flash(request, " ".join(exc.errors.values()), "error")
        return redirect("/beskeder#absence")
    session.commit()
    flash(request, "Fraværet er registreret.", "ok")
    return redirect("/beskeder#absence")


@router.post("/absence/{item_id}/end")
def stop_absence(request: Request, item_id: DbId, principal: Principal = Depends(requires(*WORK_ROLES)),
                 session: Session = Depends(db_session), at: datetime = Depends(now)):
    end_absence(session, absence_id=item_id, by_user=principal.username, now=at)
    session.commit()
    flash(request, "Fraværet er afsluttet.", "ok")
    return redirect("/beskeder#absence")


@router.post("/cases/{number}/reassign")
def reassign(request: Request, number: str, to_user: str = Form(""),
             principal: Principal = Depends(requires("coordinator")), session: Session = Depends(db_session),
             rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    reassign_case(session, rt, case_number=number, to_user=to_user, by_user=principal.username, now=at)
    session.commit()
    flash(request, f"Sagen er omfordelt til {to_user}.", "ok")
    return redirect(f"/cases/{number}")


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_user: str = Field(min_length=1, max_length=64, description="a present member of the case's team")


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: dict[str, bool] = Field(description=f"kind -> on/off; kinds: {', '.join(KINDS)}")


@api.post("/cases/{number}/reassign", summary="A coordinator redistributes a case of the team (H-R2.2)")
def api_reassign(number: str, body: ReassignIn, principal: Principal = Depends(requires("coordinator")),
                 session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
                 at: datetime = Depends(now)) -> dict:
    moved = reassign_case(session, rt, case_number=number, to_user=body.to_user, by_user=principal.username, now=at)
    session.commit()
    return {"case": number, "assignee": body.to_user, "tasks": moved}


@api.get("/notifications", summary="My notifications, newest first, and the unread count")
def api_notifications(principal: Principal = Depends(requires(*ALL_ROLES)),
                      session: Session = Depends(db_session)) -> dict:
    items = notifications_of(session, username=principal.username)
    return {"unread": unread_count(session, username=principal.username),
            "items": [{"id": n.id, "kind": n.kind, "summary": n.summary, "created_at": n.created_at.isoformat(),
                       "read": n.read_at is not None} for n in items]}


@api.get("/notifications/unread", summary="The unread count (the worklist's badge)")
def api_unread(principal: Principal = Depends(requires(*ALL_ROLES)), session: Session = Depends(db_session)) -> dict:
    return {"unread": unread_count(session, username=principal.username)}


@api.post("/notifications/read", summary="Mark all my notifications read")
def api_read(principal: Principal = Depends(requires(*ALL_ROLES)), session: Session = Depends(db_session),
             at: datetime = Depends(now)) -> dict:
    count = mark_read(session, username=principal.username, now=at)
    session.commit()
    return {"marked": count}


@api.post("/notifications/settings", summary="Turn kinds of notification on or off")
def api_settings(body: SettingsIn, principal: Principal = Depends(requires(*ALL_ROLES)),
                 session: Session = Depends(db_session)) -> dict:
    result = change_settings(session, username=principal.username, choices=body.enabled)
    session.commit()
    return result
