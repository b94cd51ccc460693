"""The REST API under /api (issue 5): the worklist's operations for other programs — open and show
cases (H-V1), list, claim and complete tasks (H-R2.2), Work Info (H-R1.1), the diagrams and a
case's position in them. Same roles as the pages; a session cookie (with X-CSRF-Token on changes)
or `Authorization: Bearer <token>`. Errors are JSON: {"error", "message"[, "fields"]}."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
try:
    from orjson import dumps as dump_json   # comes with Prefect; the same bytes as pydantic's encoder, 3x faster
except ImportError:   # pragma: no cover
    from pydantic_core import to_json as dump_json
from sqlalchemy.orm import Session

from domain.errors import InvalidState
from services.auth import Principal
from services.cases import NewCase, case_document, get_case, open_case
from services.conversation import add_note as add_typed_note
from services.definitions import case_position, list_versions, version_file
from services.runtime import Runtime
from services.tasks import claim_task, complete_task, list_tasks, unclaim_task
from services.worklist import VIEWS, worklist_documents
from web.auth import ALL_ROLES, WORK_ROLES, in_one_hop, requires
from web.deps import DbId, db_session, now, render, runtime

router = APIRouter(prefix="/api", tags=["api"])
READ_ROLES = (*WORK_ROLES, "admin")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")   # an unknown field is refused, never silently ignored
    summary: str = Field(min_length=3, max_length=300)
    notes: str = Field(default="", max_length=20000)
    type: str = Field(default="Working Log", description="the Work Log Type (config/handbook.yaml work_log_types)")
    view_access: Literal["internal", "public"] = "internal"


class CompleteIn(BaseModel):
    data: dict[str, Any] = Field(description="field id -> value, as in the task's `fields`")


@router.get("/me", summary="Who am I")
def me(principal: Principal = Depends(requires(*ALL_ROLES))) -> dict:
    return {"username": principal.username, "roles": sorted(principal.roles), "teams": principal.teams}


@router.post("/cases", status_code=201, summary="Register a case (H-V1)")
def api_open_case(new: NewCase, principal: Principal = Depends(requires(*WORK_ROLES)),
                  session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
                  at: datetime = Depends(now)) -> dict:
    case = open_case(session, rt, new=new, actor=principal.username, now=at)
    session.commit()
    return {"number": case.number, "status": case.status,
            "open_tasks": list_tasks(session, case_number=case.number)}


@router.get("/cases/{number}", summary="The case document")
def api_case(number: str, principal: Principal = Depends(requires(*READ_ROLES)),
             session: Session = Depends(db_session)) -> dict:
    return case_document(session, number, reader=principal.username)


@router.get("/cases/{number}/work-info", summary="The Work Info timeline (H-R1.1)")
def api_work_info(number: str, principal: Principal = Depends(requires(*READ_ROLES)),
                  session: Session = Depends(db_session)) -> list[dict]:
    return case_document(session, number, reader=principal.username)["work_info"]


@router.post("/cases/{number}/work-info", status_code=201, summary="Add a Work Info note")
def api_add_note(number: str, note: NoteIn, principal: Principal = Depends(requires(*WORK_ROLES)),
                 session: Session = Depends(db_session), at: datetime = Depends(now)) -> dict:
    add_typed_note(session, case_number=number, username=principal.username, summary=note.summary, notes=note.notes,
                   work_log_type=note.type, public=note.view_access == "public", now=at)   # issue 13
    session.commit()
    return {"added": True}


@router.get("/cases/{number}/diagram", summary="The case's diagrams, path taken and open elements")
def api_case_diagram(number: str, principal: Principal = Depends(requires(*READ_ROLES)),
                     session: Session = Depends(db_session), rt: Runtime = Depends(runtime)) -> dict:
    return case_position(session, rt, case_id=get_case(session, number, reader=principal.username).id)


@router.get("/tasks", summary="Open tasks: of a case, a team, or one worklist view (H-R2.2)",
            response_model=list[dict])
@in_one_hop(*WORK_ROLES)
def api_tasks(case: str | None = None, team: str | None = None, view: str | None = None, *, principal: Principal,
              session: Session = Depends(db_session), at: datetime = Depends(now)) -> Any:
    if view is not None:   # the worklist view: encoded here, in the same thread hop as the guard (issue 15)
        if view not in VIEWS:
            raise InvalidState(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
        rows = worklist_documents(session, username=principal.username, view=view, now=at,
                                  memberships=principal.teams)   # plain rows of str and None: encoded as they are,
        return Response(dump_json(rows), media_type="application/json")   # not validated again by a model
    return list_tasks(session, case_number=case, team=team, reader=principal.username)


@router.post("/tasks/{task_id}/claim", summary="Claim a task (exactly one of two simultaneous claims wins)")
@in_one_hop(*WORK_ROLES)
def api_claim(task_id: str, principal: Principal, session: Session = Depends(db_session), at: datetime = Depends(now),
              rt: Runtime = Depends(runtime)) -> dict:
    claim_task(session, task_id=task_id, username=principal.username, now=at, config_dir=rt.settings.config_dir)
    session.commit()
    return {"claimed": task_id, "by": principal.username}


@router.post("/tasks/{task_id}/unclaim", summary="Release a claimed task")
def api_unclaim(task_id: str, principal: Principal = Depends(requires(*WORK_ROLES)),
                session: Session = Depends(db_session)) -> dict:
    unclaim_task(session, task_id=task_id, username=principal.username)
    session.commit()
    return {"released": task_id}


@router.post("/tasks/{task_id}/complete", summary="Complete a task with its form data")
@in_one_hop(*WORK_ROLES)
def api_complete(task_id: str, body: CompleteIn, principal: Principal, session: Session = Depends(db_session),
                 rt: Runtime = Depends(runtime), at: datetime = Depends(now)) -> dict:
    result = complete_task(session, rt, task_id=task_id, username=principal.username, data=body.data, now=at)
    session.commit()
    return result


@router.get("/diagrams", summary="Deployed diagram versions")
def api_diagrams(principal: Principal = Depends(requires(*ALL_ROLES)), session: Session = Depends(db_session)) -> list:
    return [{"id": v.id, "content_hash": v.content_hash, "process_id": v.process_id,
             "deployed_at": v.deployed_at.isoformat(), "deployed_by": v.deployed_by, "files": v.files,
             "running_instances": v.running, "current": v.current} for v in list_versions(session)]


@router.get("/diagrams/{version_id}/files/{name}", summary="One diagram file of a version (XML)",
            response_class=Response)
def api_diagram_file(version_id: DbId, name: str, principal: Principal = Depends(requires(*ALL_ROLES)),
                     session: Session = Depends(db_session)) -> Response:
    return Response(version_file(session, version_id=version_id, name=name), media_type="application/xml")


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, principal: Principal = Depends(requires(*ALL_ROLES))) -> dict:
    return _schema(request)


@router.get("/docs", include_in_schema=False)
def docs(request: Request, principal: Principal = Depends(requires(*ALL_ROLES))):
    """A self-contained page generated from the OpenAPI schema (no external assets)."""
    return render(request, "api_docs.html", {"schema": _schema(request)})


def _schema(request: Request) -> dict:
    schema = dict(request.app.openapi())
    schema["paths"] = {path: ops for path, ops in schema.get("paths", {}).items() if path.startswith("/api")}
    return schema
