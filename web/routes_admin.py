"""Administrators' pages (issue 5; H-S follow-up): the SLA dashboard with a chart, the outbox with
dead letters and a retry button, failed or stuck process instances, links to the Prefect UI."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from config.handbook import handbook
from services.admin import (PRIORITIES, outbox_counts, outbox_rows, problem_instances, retry_outbox_item,
                            sla_dashboard, weekly_compliance)
from services.auth import Principal
from services.mail_quarantine import quarantine_count
from services.insight_links import outbox_details
from web.auth import requires
from web.deps import DbId, db_session, flash, now, redirect, render
from web.i18n import language_of, translator

router = APIRouter(include_in_schema=False)
ADMIN = "admin"


@router.get("/admin")
def dashboard(request: Request, weeks: Annotated[int, Query(ge=1, le=104)] = 4, principal: Principal = Depends(requires(ADMIN)),
              session: Session = Depends(db_session), at: datetime = Depends(now)):
    board = sla_dashboard(session, now=at, weeks=max(1, min(weeks, 26)))
    statuses = sorted({s for by in board.open_by_priority.values() for s in by})
    return render(request, "admin_dashboard.html", {
        "board": board, "statuses": statuses, "priorities": [*PRIORITIES, "none"], "chart": weekly_compliance(board),
        "labels": handbook().labels, "outbox": outbox_counts(session), "failed": len(problem_instances(session)),
        "quarantined": quarantine_count(session)})   # issue 9: inbound mails that could not be stored


@router.get("/admin/outbox")
def outbox(request: Request, status: str | None = None, principal: Principal = Depends(requires(ADMIN)),
           session: Session = Depends(db_session)):
    rows = outbox_rows(session, status=status or None)
    return render(request, "admin_outbox.html", {"rows": rows, "details": outbox_details(session, rows),
                                                 "status": status or "", "counts": outbox_counts(session)})


@router.post("/admin/outbox/{item_id}/retry")
def retry(request: Request, item_id: DbId, principal: Principal = Depends(requires(ADMIN)),
          session: Session = Depends(db_session), at: datetime = Depends(now)):
    retry_outbox_item(session, item_id=item_id, now=at)
    session.commit()
    flash(request, translator(language_of(request))("retried"), "ok")
    return redirect("/admin/outbox?status=dead")


@router.get("/admin/instances")
def instances(request: Request, principal: Principal = Depends(requires(ADMIN)),
              session: Session = Depends(db_session)):
    return render(request, "admin_instances.html", {"rows": problem_instances(session)})
