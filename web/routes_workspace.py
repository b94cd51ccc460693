"""The desk's actions on a case page (H-V1.2, H-S, H-R1.3, H-R1.4): re-prioritise (impact and urgency
with a reason, by the service desk or the case's coordinator), and register the customer's answer or
call while the case waits for the customer — at any time, not only when a task is open."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from domain.errors import FormInvalid
from services.auth import Principal
from services.messages import deliver_customer_reply
from services.reprioritise import reprioritise
from services.runtime import Runtime
from web.auth import WORK_ROLES, public, requires
from web.deps import db_session, flash, now, redirect, runtime
from web.i18n import language_of, translator

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
CHANNELS = ("phone", "mail", "in_person")


class PriorityIn(BaseModel):
    impact: int = Field(ge=1, le=4)
    urgency: int = Field(ge=1, le=4)
    reason: str = Field(min_length=3, max_length=2000)
    coverage: str | None = Field(default=None, max_length=20, description="a calendar of config/sla.yaml; '' = the level's")


def _flash_errors(request: Request, exc: FormInvalid) -> None:
    for message in exc.errors.values():
        flash(request, message, "error")


@router.post("/cases/{number}/priority")
def change_priority(request: Request, number: str, impact: str = Form(""), urgency: str = Form(""),
                    reason: str = Form(""), coverage: str | None = Form(None),
                    principal: Principal = Depends(requires(*WORK_ROLES)), session: Session = Depends(db_session),
                    rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    try:
        result = reprioritise(session, rt, number=number, username=principal.username, impact=impact,
                              urgency=urgency, reason=reason, coverage=coverage, now=at)
    except FormInvalid as exc:
        session.rollback()
        _flash_errors(request, exc)
        return redirect(f"/cases/{number}#reprioritise")
    session.commit()
    t = translator(language_of(request))
    flash(request, f"{t('priority_changed')} {t.label('priority', result.new_priority)}"
          + (f" – {t('on_call_started')}" if result.on_call_started else ""), "ok")
    return redirect(f"/cases/{number}")


@api.post("/cases/{number}/priority", summary="Re-prioritise: new impact/urgency with a reason; the DMN decides")
def api_change_priority(number: str, body: PriorityIn, principal: Principal = Depends(requires(*WORK_ROLES)),
                        session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
                        at: datetime = Depends(now)) -> dict:
    result = reprioritise(session, rt, number=number, username=principal.username, impact=body.impact,
                          urgency=body.urgency, reason=body.reason, coverage=body.coverage, now=at)
    session.commit()
    return {"number": number, "old_priority": result.old_priority, "priority": result.new_priority,
            "on_call_started": result.on_call_started}


@router.post("/cases/{number}/customer-answer")
def customer_answer(request: Request, number: str, text: str = Form(""), channel: str = Form("phone"),
                    principal: Principal = Depends(requires(*WORK_ROLES)), session: Session = Depends(db_session),
                    rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    text = text.strip()
    if not 2 <= len(text) <= 20000 or channel not in CHANNELS:
        flash(request, "Skriv kundens svar (2-20.000 tegn) og vælg, hvordan det kom.", "error")
        return redirect(f"/cases/{number}#customer-answer")
    deliver_customer_reply(session, rt, case_number=number, text=text, now=at, actor=principal.username,
                           channel=channel)
    session.commit()
    flash(request, translator(language_of(request))("answer_registered"), "ok")
    return redirect(f"/cases/{number}")


@router.get("/sprog/{lang}", dependencies=[Depends(public())])
def switch_language(request: Request, lang: str, next: str | None = None):
    """The DA/EN switch as its own GET address: it works from any page, also one a POST rendered."""
    target = next or ""
    referer = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    if not target and referer.startswith(base + "/"):
        target = referer[len(base):]
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target)
    if lang in ("da", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
