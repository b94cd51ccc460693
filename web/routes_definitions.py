"""Process owners' pages (issue 5; the handbook's process as editable diagrams): the deployed
versions, viewing one (bpmn-js), editing in the browser (bpmn-js Modeler) or uploading a file,
validation with the problems listed and marked on the elements, deployment as a new version
(running cases keep theirs), and a summary of what changed between two versions."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from domain.errors import InvalidState
from services.auth import Principal
from services.definitions import (check_sources, deploy_sources, diff_versions, get_version, list_versions,
                                  problems_by_element, replace_file)
from services.deployments import deploy_version, history
from services.runtime import Runtime
from services.simulate import simulate
from web.auth import requires
from web.deps import DbId, db_session, flash, now, redirect, render, runtime
from web.definition_texts import describe_replay, problems_for, texts
from web.i18n import language_of, translator
from engine.adapter import DiagramInvalid
from engine.validation import errors_of

router = APIRouter(include_in_schema=False)
OWNER = "process_owner"
MAX_UPLOAD = 2_000_000
SIMULATED_CASES = 20


class EditedFile(BaseModel):
    file: str = Field(max_length=200)
    xml: str = Field(max_length=MAX_UPLOAD)


@router.get("/definitions")
def versions_page(request: Request, principal: Principal = Depends(requires(OWNER)),
                  session: Session = Depends(db_session), rt: Runtime = Depends(runtime)):
    return render(request, "definitions.html", {"versions": list_versions(session), "deployments": history(session, rt),
                                                "dt": texts(language_of(request))})


@router.post("/definitions/{version_id}/activate")
def activate(request: Request, version_id: DbId, comment: str = Form("", max_length=500),
             principal: Principal = Depends(requires(OWNER)), session: Session = Depends(db_session),
             rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    """Roll back (or forward): make a stored version current again; nothing else changes."""
    result = deploy_version(session, rt, version_id=version_id, actor=principal.username, now=at, comment=comment)
    session.commit()
    flash(request, f"{translator(language_of(request))('deployed_ok')} {result.definition.id}", "ok")
    return redirect("/definitions")


@router.get("/definitions/diff")
def diff_page(request: Request, old: Annotated[int, Query(ge=1, le=2_147_483_647)], new: Annotated[int, Query(ge=1, le=2_147_483_647)], principal: Principal = Depends(requires(OWNER)),
              session: Session = Depends(db_session)):
    return render(request, "definition_diff.html", {"diff": diff_versions(session, old_id=old, new_id=new)})


def _default_file(row, wanted: str | None) -> str:
    names = sorted(n for n in row.sources if n.endswith(".bpmn"))
    return wanted if wanted in row.sources else next((n for n in names if n.startswith(row.process_id)), names[0])


@router.get("/definitions/{version_id}")
def version_page(request: Request, version_id: DbId, file: str | None = None,
                 principal: Principal = Depends(requires(OWNER)), session: Session = Depends(db_session)):
    row = get_version(session, version_id)
    return render(request, "definition.html", {"version": row, "file": _default_file(row, file),
                                               "files": sorted(row.sources)})


@router.get("/definitions/{version_id}/edit")
def edit_page(request: Request, version_id: DbId, file: str | None = None,
              principal: Principal = Depends(requires(OWNER)), session: Session = Depends(db_session)):
    row = get_version(session, version_id)
    name = _default_file(row, file)
    return render(request, "definition_edit.html", {"version": row, "file": name, "xml": row.sources[name],
                                                    "files": sorted(row.sources), "problems": None,
                                                    "dt": texts(language_of(request))})


@router.post("/definitions/{version_id}/validate")
def validate(request: Request, version_id: DbId, edited: EditedFile, principal: Principal = Depends(requires(OWNER)),
             session: Session = Depends(db_session), rt: Runtime = Depends(runtime)) -> dict:
    sources = replace_file(get_version(session, version_id).sources, name=edited.file, text=edited.xml)
    return {"problems": problems_for(problems_by_element(check_sources(rt, sources)), language_of(request))}


def _candidate(row, file: str, xml: str, upload: UploadFile | None) -> tuple[str, dict[str, str]]:
    name, text = file, xml
    if upload is not None and upload.filename:
        content = upload.file.read(MAX_UPLOAD + 1)   # a spooled file: plain read in the threadpool
        if len(content) > MAX_UPLOAD:
            raise InvalidState("the file is larger than 2 MB")
        name, text = upload.filename.rsplit("/", 1)[-1], content
    return name, replace_file(row.sources, name=name, text=text)


@router.post("/definitions/{version_id}/simulate")
def simulate_page(request: Request, version_id: DbId, file: str = Form(...), xml: str = Form(""),
                  comment: str = Form("", max_length=500), upload: UploadFile | None = File(None),
                  principal: Principal = Depends(requires(OWNER)), session: Session = Depends(db_session),
                  rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    """Replay the latest cases' answers on the edited diagrams (Simulér before Udrul); changes nothing."""
    row = get_version(session, version_id)
    name, sources = _candidate(row, file, xml, upload)
    lang = language_of(request)
    problems, simulation = errors_of(check_sources(rt, sources)), None
    if not problems:
        simulation = simulate(session, rt, sources=sources, cases=SIMULATED_CASES, now=at)
    session.rollback()
    replays = [] if simulation is None else [
        {"case": r.case, "outcome": r.outcome, "text": describe_replay(r, lang)}
        for r in simulation.cases + ([simulation.examples] if simulation.examples else [])]
    return render(request, "definition_edit.html", {
        "version": row, "file": name, "xml": sources[name], "files": sorted(row.sources), "comment": comment,
        "problems": problems_for(problems_by_element(problems), lang) if problems else None, "dt": texts(lang),
        "simulation": simulation.summary() if simulation else None, "replays": replays},
        status_code=422 if problems else 200)


@router.post("/definitions/{version_id}/deploy")
def deploy(request: Request, version_id: DbId, file: str = Form(...), xml: str = Form(""),
           comment: str = Form("", max_length=500), upload: UploadFile | None = File(None),
           principal: Principal = Depends(requires(OWNER)), session: Session = Depends(db_session),
           rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    """Validate, store and make current in the database; writes no file (issue 10)."""
    row = get_version(session, version_id)
    name, sources = _candidate(row, file, xml, upload)
    problems = errors_of(check_sources(rt, sources))   # warnings do not stop a deployment
    if not problems:
        try:
            new = deploy_sources(session, rt, sources=sources, actor=principal.username, now=at, comment=comment)
        except DiagramInvalid as exc:
            problems = list(exc.problems)
    if problems:
        session.rollback()
        return render(request, "definition_edit.html", {
            "version": row, "file": name, "xml": sources[name], "files": sorted(row.sources),
            "problems": problems_for(problems_by_element(problems), language_of(request)),
            "dt": texts(language_of(request))}, status_code=422)
    session.commit()
    flash(request, f"{translator(language_of(request))('deployed_ok')} {new.id}", "ok")
    return redirect(f"/definitions/diff?old={version_id}&new={new.id}")
