"""Deploying diagrams (issue 10: safe process change; the handbook's process belongs to its process
owners). A deployment validates the diagrams, stores them as a definition version (once per content)
and makes that version current for new cases — in the caller's transaction, in the database only:
nothing is written to the diagram directory, and every host starts new cases on the same version.
Rolling back is deploying an earlier version again. `sagsflow db upgrade` deploys the shipped
diagrams only when that exact content was never deployed (a release); a broken file on disk is
reported there and by `bpmn validate`, and new cases carry on with the current version."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from domain.errors import InvalidState, NotFound
from services.runtime import Runtime
from store.deployments import add_deployment, current_deployment, deployments_of, was_ever_deployed
from store.models import DeploymentRow, ProcessDefinitionRow
from store.process import definition_by_hash
from tasks.operations import OPERATIONS
from engine.diagram_xml import Problem, XmlProblem, normalise_source
from engine.adapter import DiagramInvalid, content_hash

RELEASE_ACTOR = "release"
RELEASE_COMMENT = "Udgivelse: diagrammerne der følger med Sagsflow"
FILE_SUFFIXES = (".bpmn", ".dmn")
MAX_COMMENT = 500


@dataclass
class DeployResult:
    deployment: DeploymentRow | None
    definition: ProcessDefinitionRow | None
    new_version: bool = False            # False: an earlier version became current again
    problems: list[Problem] = field(default_factory=list)
    changed: bool = True                 # False: nothing deployed (already deployed once, or problems)


def read_directory(directory: Path, names: list[str] | None = None) -> tuple[dict[str, str], list[Problem]]:
    """The diagram files of a directory, normalised; files that cannot be decoded are problems."""
    sources, problems = {}, []
    for path in sorted(Path(directory).iterdir()):
        if path.suffix not in FILE_SUFFIXES or not path.is_file() or (names is not None and path.name not in names):
            continue
        try:
            sources[path.name] = normalise_source(path.read_bytes())
        except XmlProblem as exc:
            problems.append(Problem(path.name, exc.line, "file", str(exc)))
    return sources, problems


def _clean_comment(comment: str | None) -> str:
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]", " ", comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidState(f"the comment is longer than {MAX_COMMENT} characters")
    return text


def store_version(session: Session, runtime: Runtime, *, sources: dict[str, str | bytes], actor: str,
                  now: datetime) -> tuple[ProcessDefinitionRow, bool]:
    """The definition version of these sources: the stored one, or a new one after validation."""
    row = definition_by_hash(session, content_hash(sources))
    if row is not None:
        return row, False
    bundle = runtime.engine.build_bundle(sources, process_id=runtime.settings.main_process,
                                         known_topics=OPERATIONS.keys())   # raises DiagramInvalid
    row = ProcessDefinitionRow(content_hash=bundle.content_hash, process_id=bundle.process_id, spec=bundle.spec,
                               task_meta=bundle.task_meta, sources=bundle.sources, deployed_at=now,
                               deployed_by=actor)
    session.add(row)
    session.flush()
    return row, True


def deploy(session: Session, runtime: Runtime, *, sources: dict[str, str | bytes], actor: str, now: datetime,
           comment: str | None = "") -> DeployResult:
    """Validate, store and make current. Raises DiagramInvalid (every problem) or InvalidState when
    these diagrams already are the current version."""
    text = _clean_comment(comment)
    if not sources:
        raise InvalidState("no diagram files (.bpmn, .dmn) given")
    definition, new = store_version(session, runtime, sources=sources, actor=actor, now=now)
    runtime.engine.build_bundle(definition.sources, process_id=runtime.settings.main_process,
                                known_topics=OPERATIONS.keys())   # an older version is checked against today's topics
    current = current_deployment(session, runtime.settings.main_process)
    if current is not None and current.definition_id == definition.id:
        raise InvalidState(f"these diagrams are already the current version ({definition.id}); nothing to do")
    deployment = add_deployment(session, process_id=runtime.settings.main_process, definition_id=definition.id,
                                actor=actor, now=now, comment=text)
    return DeployResult(deployment, definition, new)


def deploy_version(session: Session, runtime: Runtime, *, version_id: int, actor: str, now: datetime,
                   comment: str | None = "") -> DeployResult:
    """Make a stored version current again (a roll-back, or forward again)."""
    row = session.get(ProcessDefinitionRow, version_id)
    if row is None:
        raise NotFound(f"unknown diagram version {version_id}")
    return deploy(session, runtime, sources=row.sources, actor=actor, now=now, comment=comment)


def deploy_release(session: Session, runtime: Runtime, *, now: datetime) -> DeployResult:
    """The shipped diagrams, deployed by the release when this exact content was never deployed.
    Problems are returned (and nothing deployed): the current version stays current."""
    sources, problems = read_directory(runtime.settings.bpmn_dir)
    if problems:
        return DeployResult(None, None, problems=problems, changed=False)
    if was_ever_deployed(session, content_hash(sources)):
        current = current_deployment(session, runtime.settings.main_process)
        return DeployResult(current, session.get(ProcessDefinitionRow, current.definition_id) if current else None,
                            changed=False)
    try:
        return deploy(session, runtime, sources=sources, actor=RELEASE_ACTOR, now=now, comment=RELEASE_COMMENT)
    except DiagramInvalid as exc:
        return DeployResult(None, None, problems=list(exc.problems), changed=False)


def history(session: Session, runtime: Runtime) -> list[DeploymentRow]:
    """Every deployment of the main process, newest (= current) first."""
    return deployments_of(session, runtime.settings.main_process)
