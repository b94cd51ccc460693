"""The worklist pages (H-R2.2): mine / my team / unassigned / absent colleagues' tasks sorted by
the nearest SLA deadline with countdown badges (H-S); filters and search; claim and release (of
two people claiming at once exactly one wins); a coordinator moves an absent colleague's task."""
from __future__ import annotations

from datetime import datetime

from services.admin import problem_instances
from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from config.handbook import handbook
from services.auth import Principal
from services.runtime import Runtime
from services.tasks import claim_task, unclaim_task
from services.reassignment import absent_colleagues, present_members, reassign_task
from services.worklist import VIEWS, view_counts, worklist
from store.directory import DbDirectory
from web.auth import WORK_ROLES, in_one_hop, requires
from web.deps import db_session, flash, now, redirect, render, runtime
from web.i18n import language_of, translator
from web.worklist_rows import worklist_rows

router = APIRouter(include_in_schema=False)


@router.get("/worklist")
@in_one_hop(*WORK_ROLES)   # the guard, the clock and the page in one thread hop (issue 15)
def worklist_page(request: Request, view: str = "mine", priority: str | None = None, status: str | None = None,
                  team: str | None = None, q: str | None = None, *, principal: Principal,
                  session: Session = Depends(db_session), at: datetime = Depends(now)):
    view = view if view in VIEWS else "mine"
    items = worklist(session, username=principal.username, view=view, now=at, priority=priority or None,
                     status=status or None, team=team or None, search=q, memberships=principal.teams)
    directory = DbDirectory(session)
    members = {t: present_members(session, team=t) for t in principal.teams if principal.coordinates(t)}
    return render(request, "worklist.html", {
        "items": items, "worklist_rows": worklist_rows, "view": view, "views": VIEWS, "counts": view_counts(session, username=principal.username, now=at,
                                                                              memberships=principal.teams),
        "filters": {"priority": priority or "", "status": status or "", "team": team or "", "q": q or ""},
        "labels": handbook().labels, "teams": {code: directory.team_name(code) for code in principal.teams},
        "absent": [u.username for u in absent_colleagues(session, username=principal.username)],
        "members": members,
        "failed": [p for t in sorted(members) for p in problem_instances(session, team=t)]})   # issue 11


def _back(request: Request, fallback: str = "/worklist") -> str:
    target = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    return target[len(base):] if target.startswith(base + "/") else fallback


@router.post("/tasks/{task_id}/claim")
def claim(request: Request, task_id: str, principal: Principal = Depends(requires(*WORK_ROLES)),
          session: Session = Depends(db_session), at: datetime = Depends(now), rt: Runtime = Depends(runtime)):
    claim_task(session, task_id=task_id, username=principal.username, now=at, config_dir=rt.settings.config_dir)
    session.commit()
    flash(request, translator(language_of(request))("claimed"), "ok")
    return redirect(_back(request))


@router.post("/tasks/{task_id}/unclaim")
def unclaim(request: Request, task_id: str, principal: Principal = Depends(requires(*WORK_ROLES)),
            session: Session = Depends(db_session)):
    unclaim_task(session, task_id=task_id, username=principal.username)
    session.commit()
    flash(request, translator(language_of(request))("released"), "ok")
    return redirect(_back(request))


@router.post("/tasks/{task_id}/reassign")
def reassign(request: Request, task_id: str, to_user: str = Form(...),
             principal: Principal = Depends(requires("coordinator")), session: Session = Depends(db_session),
             at: datetime = Depends(now), engine_runtime: Runtime = Depends(runtime)):
    reassign_task(session, task_id=task_id, to_user=to_user.strip(), by_user=principal.username, now=at,
                  runtime=engine_runtime)
    session.commit()
    flash(request, translator(language_of(request))("reassigned"), "ok")
    return redirect(_back(request))
