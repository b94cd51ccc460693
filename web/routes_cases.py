"""Case pages (H-V1 registration, H-R1.1 Work Info, H-S deadlines, H-R1.4 pauses) and task forms
rendered from the form definition in the diagram, with per-field errors (H-V1.1, H-V2)."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from config.handbook import handbook
from domain.errors import FormInvalid
from services.auth import Principal
from services.cases import NewCase, case_document, get_case, open_case
from services.definitions import case_position
from services.insight_links import case_runs
from services.insight_report import case_insight_panel
from services.runtime import Runtime
from services.tasks import complete_task, list_tasks
from services.sla_clock import sla_clock
from services.task_form import task_form
from services.conversation import add_note as add_typed_note
from web.routes_conversation import conversation_panel
from web.auth import WORK_ROLES, in_one_hop, requires
from web.deps import db_session, flash, form_data, now, redirect, render, runtime
from web.i18n import language_of, translator
from web.error_text import danish_validation
from web.templating import person, team_name

router = APIRouter(include_in_schema=False)
NEW_CASE_FIELDS = ("case_type", "summary", "impact", "urgency", "sla_level", "customer_name", "customer_email",
                   "customer_phone")
VIEW_ROLES = (*WORK_ROLES, "admin")


def _t(request: Request):
    return translator(language_of(request))


@router.get("/cases/new")
def new_case_page(request: Request, principal: Principal = Depends(requires(*WORK_ROLES))):
    return render(request, "case_new.html", {"values": {"case_type": "incident", "impact": "3", "urgency": "3",
                                                        "sla_level": "bronze"}, "errors": {},
                                             "labels": handbook().labels})


@router.post("/cases/new")
def new_case(request: Request, principal: Principal = Depends(requires(*WORK_ROLES)),
             session: Session = Depends(db_session), rt: Runtime = Depends(runtime), at: datetime = Depends(now),
             form: FormData = Depends(form_data)):
    values = {key: str(form.get(key, "")).strip() for key in NEW_CASE_FIELDS}
    try:
        new = NewCase(**{k: (v or None) if k in ("customer_email", "customer_phone") else v for k, v in values.items()})
    except ValidationError as exc:
        errors = {str(e["loc"][0]): e["msg"] if language_of(request) == "en" else danish_validation(e)
                  for e in exc.errors() if e["loc"]}
        return render(request, "case_new.html", {"values": values, "errors": errors, "labels": handbook().labels},
                      status_code=422)
    case = open_case(session, rt, new=new, actor=principal.username, now=at)
    session.commit()
    flash(request, f"{_t(request)('case_opened')} {case.number}", "ok")
    return redirect(_next_step(session, principal, case.number))


def _next_step(session: Session, principal: Principal, number: str) -> str:
    """The first open task of the case this person may do, else the case page."""
    for task in list_tasks(session, case_number=number):
        allowed = principal.coordinates(task["team"]) if task["role"] == "coordinator" else task["team"] in principal.teams
        if allowed and task["assignee"] in (None, principal.username):
            return f"/tasks/{task['id']}"
    return f"/cases/{number}"


@router.get("/cases/{number}")
@in_one_hop(*VIEW_ROLES)
def case_page(request: Request, number: str, principal: Principal, session: Session = Depends(db_session),
              rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    case = get_case(session, number, reader=principal.username)   # read once (and the read scope checked once)
    document = case_document(session, number, case=case)
    position = case_position(session, rt, case_id=case.id)
    return render(request, "case.html", {"case": document, "clock": sla_clock(case, now=at), "position": position,
                                         "labels": handbook().labels, "tasks": list_tasks(session, case_number=number),
                                         "flow_runs": case_runs(session, case.id),
                                         "case_insight": case_insight_panel(session, case_id=case.id, now=at),
                                         "contacts": [w for w in document["work_info"] if "contact" in w["event"]],
                                         **conversation_panel(request, session, number=number,
                                                              username=principal.username, case=case)})


@router.get("/cases/{number}/diagram.json")
def case_diagram(number: str, principal: Principal = Depends(requires(*VIEW_ROLES)),
                 session: Session = Depends(db_session), rt: Runtime = Depends(runtime)) -> dict:
    return case_position(session, rt, case_id=get_case(session, number, reader=principal.username).id)


@router.post("/cases/{number}/notes")
def add_note(request: Request, number: str, summary: str = Form(""), notes: str = Form(""),
             work_log_type: str = Form("Working Log"), view_access: str = Form("internal"),
             principal: Principal = Depends(requires(*WORK_ROLES)), session: Session = Depends(db_session),
             at: datetime = Depends(now)):
    add_typed_note(session, case_number=number, username=principal.username, summary=summary, notes=notes,
                   work_log_type=work_log_type, public=view_access == "public", now=at)   # issue 13
    session.commit()
    flash(request, _t(request)("note_added"), "ok")
    return redirect(f"/cases/{number}#work-info")


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: str, principal: Principal = Depends(requires(*WORK_ROLES)),
              session: Session = Depends(db_session), rt: Runtime = Depends(runtime)):
    view = task_form(session, rt, task_id=task_id, reader=principal.username)
    return render(request, "task.html", _task_context(principal, view, view.values, {}))


def _task_context(principal: Principal, view, values: dict, errors: dict) -> dict:
    task = view.task
    may_act = task.status == "open" and (principal.coordinates(task.team) if task.role == "coordinator"
                                         else task.team in principal.teams)
    return {"task": task, "case": view.case, "form": view.form, "values": values, "errors": errors,
            "may_act": may_act and task.claimed_by in (None, principal.username), "labels": handbook().labels,
            "unknown_errors": {k: v for k, v in errors.items() if view.form.field(k) is None},
            "case_context": view.context, "cannot_act": _cannot_act(principal, task),
            "conditions": view.conditions or {}, "pickers": view.pickers or {}}


def _cannot_act(principal: Principal, task) -> str | None:
    """Why this person may not do the task (shown instead of a half-disabled form), or None."""
    if task.status != "open":
        return None
    if task.claimed_by and task.claimed_by != principal.username:
        return f"Opgaven er taget af {person(task.claimed_by)}. Den kan udføres, når den er sluppet."
    if task.role == "coordinator" and not principal.coordinates(task.team):
        return f"Kun koordinatoren for {team_name(task.team)} kan udføre denne opgave."
    if task.team not in principal.teams:
        return f"Kun medlemmer af {team_name(task.team)} kan udføre denne opgave."
    return None


def submitted_values(form, fields) -> dict:
    """The posted answers for the form's fields; an unticked checkbox is false."""
    data = {}
    for f in fields:
        if f.type == "boolean":
            data[f.id] = "true" if form.get(f.id) in ("true", "on", "1") else "false"
        elif f.id in form:
            data[f.id] = str(form.get(f.id))
    return data


@router.post("/tasks/{task_id}")
def complete(request: Request, task_id: str, principal: Principal = Depends(requires(*WORK_ROLES)),
             session: Session = Depends(db_session), rt: Runtime = Depends(runtime), at: datetime = Depends(now),
             form: FormData = Depends(form_data)):
    view = task_form(session, rt, task_id=task_id, reader=principal.username)
    data = submitted_values(form, view.form.fields)
    try:
        result = complete_task(session, rt, task_id=task_id, username=principal.username, data=data, now=at)
    except FormInvalid as exc:
        session.rollback()
        return render(request, "task.html", _task_context(principal, view, {**view.values, **data}, exc.errors),
                      status_code=422)
    session.commit()
    flash(request, _t(request)("completed"), "ok")
    return redirect(_next_step(session, principal, result["case"]))
