"""Running cases under control in the browser (issue 11; H-R1.1 Work Info for every change): run a
failed step again and cancel with a reason (coordinator of the case's team, administrator), preview
and move a case to another diagram version, and the running cases of a version (process owner,
administrator); the same under /api as JSON. Parse, call a service, render; the services check who
may do what."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from domain.errors import FormInvalid, InvalidState
from services.auth import Principal
from services.definitions import get_version, list_versions
from services.instance_control import cancel_case, retry_case
from services.migration import cases_of_version, migrate_case
from services.runtime import Runtime
from web.auth import requires
from web.deps import DbId, db_session, flash, now, redirect, render, runtime

router = APIRouter(include_in_schema=False)
CONTROLLERS = ("coordinator", "admin")
MIGRATORS = ("process_owner", "admin")
VersionId = Annotated[int, Query(ge=1, le=2_147_483_647)]


@router.post("/cases/{number}/retry")
def retry(request: Request, number: str, principal: Principal = Depends(requires(*CONTROLLERS)),
          session: Session = Depends(db_session), rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    retry_case(session, rt, number=number, actor=principal.username, now=at)   # a new failure: see web/app.py
    session.commit()
    flash(request, "Det fejlede trin er kørt igen; sagen kører videre.", "ok")
    return redirect(f"/cases/{number}")


@router.post("/cases/{number}/cancel")
def cancel(request: Request, number: str, reason: str = Form("", max_length=2000),
           principal: Principal = Depends(requires(*CONTROLLERS)), session: Session = Depends(db_session),
           rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    try:
        result = cancel_case(session, rt, number=number, actor=principal.username, reason=reason, now=at)
    except FormInvalid as exc:
        flash(request, " ".join(exc.errors.values()), "error")
        return redirect(f"/cases/{number}#control")
    session.commit()
    flash(request, "Sagen er annulleret." + (" Kunden får besked." if result["customer_told"] else ""), "ok")
    return redirect(f"/cases/{number}")


@router.get("/cases/{number}/migrate")
def migrate_preview(request: Request, number: str, to: VersionId | None = None,
                    principal: Principal = Depends(requires(*MIGRATORS)), session: Session = Depends(db_session),
                    rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    """The preview: nothing changes until the button below it is pressed."""
    preview, error = None, None
    if to is not None:
        try:
            preview = migrate_case(session, rt, number=number, to_version=to, actor=principal.username, now=at,
                                   dry_run=True)
        except InvalidState as exc:
            error = str(exc)
        session.rollback()
    return render(request, "case_migrate.html", {"number": number, "to": to, "preview": preview, "error": error,
                                                 "versions": list_versions(session)})


@router.post("/cases/{number}/migrate")
def migrate(request: Request, number: str, to: int = Form(..., ge=1, le=2_147_483_647),
            principal: Principal = Depends(requires(*MIGRATORS)), session: Session = Depends(db_session),
            rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    result = migrate_case(session, rt, number=number, to_version=to, actor=principal.username, now=at)
    session.commit()
    flash(request, f"Sagen er flyttet fra version {result['from_version']} til {result['to_version']}.", "ok")
    return redirect(f"/cases/{number}")


@router.get("/definitions/{version_id}/cases")
def version_cases(request: Request, version_id: DbId, principal: Principal = Depends(requires(*MIGRATORS)),
                  session: Session = Depends(db_session)):
    version = get_version(session, version_id)
    return render(request, "definition_cases.html", {"version": version, "cases": cases_of_version(session, version_id)})


# ---------------------------------------------------------------- REST API (the same services)
api = APIRouter(prefix="/api", tags=["api"])


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=2000, description="why the case is cancelled (required, at least 3 characters)")


class MigrateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: int = Field(ge=1, le=2_147_483_647, description="the diagram version to move to")
    dry_run: bool = Field(default=False, description="only show what would happen")


@api.post("/cases/{number}/retry", summary="Run the failed step of a case again")
def api_retry(number: str, principal: Principal = Depends(requires(*CONTROLLERS)),
              session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
              at: datetime = Depends(now)) -> dict:
    result = retry_case(session, rt, number=number, actor=principal.username, now=at)
    session.commit()
    return result


@api.post("/cases/{number}/cancel", summary="Cancel a running case with a reason")
def api_cancel(number: str, body: CancelIn, principal: Principal = Depends(requires(*CONTROLLERS)),
               session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
               at: datetime = Depends(now)) -> dict:
    result = cancel_case(session, rt, number=number, actor=principal.username, reason=body.reason, now=at)
    session.commit()
    return result


@api.post("/cases/{number}/migrate", summary="Preview (dry_run) or move a case to another diagram version")
def api_migrate(number: str, body: MigrateIn, principal: Principal = Depends(requires(*MIGRATORS)),
                session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
                at: datetime = Depends(now)) -> dict:
    result = migrate_case(session, rt, number=number, to_version=body.to, actor=principal.username, now=at,
                          dry_run=body.dry_run)
    if body.dry_run:
        session.rollback()
    else:
        session.commit()
    return result
