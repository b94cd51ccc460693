"""The process runtime used by every entry point (CLI, web, flows): deploys the current diagrams
once per content hash, loads and saves instances, runs service operations, and keeps the
projections (human tasks, timers, case columns) in step — all inside the caller's transaction."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from config.handbook import handbook, lane_rules
from config.settings import Settings
from domain.errors import InvalidState, NotFound
from store.notifications import notify_new_task
from services.case_status import case_status_of
from services.failures import clear_failure, is_failure, process_failure
from services.sla import refresh_deadlines, sla_config
from store.deployments import current_deployment
from store.directory import DbDirectory
from store.models import CaseRow, HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow
from store.process import instance_for_case, replace_timers, tasks_of
from tasks.context import OperationContext
from tasks.operations import OPERATIONS, run_operation
from engine.diagram_xml import normalise_source
from engine.adapter import DefinitionBundle, Engine, ServiceCall

STATUS_BY_TASK = {"classify_case": "in_triage", "first_triage": "in_triage", "choose_team": "in_triage",
                  "confirm_personal_handover": "awaiting_distribution", "distribute_case": "awaiting_distribution",
                  "work_on_case": "in_progress", "handle_escalation": "in_progress",
                  "review_rejection": "in_progress", "record_customer_answer": "waiting_for_customer",
                  "decide_test_waiver": "testing", "test_solution": "testing", "customer_acceptance": "testing",
                  "closure_checklist": "resolved"}


def read_sources(directory: Path) -> dict[str, str]:
    """The diagram files of a directory, decoded and normalised (see normalise_source)."""
    return {p.name: normalise_source(p.read_bytes()) for p in sorted(directory.iterdir())
            if p.suffix in (".bpmn", ".dmn")}


class Runtime:
    """One per process (CLI run, web app, worker). Holds the engine and the spec cache."""

    def __init__(self, settings: Settings, engine: Engine | None = None):
        self.settings = settings
        self.engine = engine or Engine()
        self._bundles: dict[int, DefinitionBundle] = {}

    # ------------------------------------------------------------ definitions
    def current_definition(self, session: Session) -> ProcessDefinitionRow:
        """The version new cases start on: the newest deployment in the database (the same on every
        host). Opening a case never deploys; a broken file on disk never stops new cases (issue 10)."""
        deployment = current_deployment(session, self.settings.main_process)
        if deployment is None:
            raise InvalidState("no diagrams are deployed yet; run `sagsflow db upgrade` or `sagsflow bpmn deploy`")
        return session.get(ProcessDefinitionRow, deployment.definition_id)

    def deploy_current(self, session: Session, *, actor: str, now: datetime) -> ProcessDefinitionRow:
        """The release deployment of the shipped diagrams when new (as `db upgrade`), then the current one."""
        from services.deployments import deploy_release   # services.deployments builds on this module
        deploy_release(session, self, now=now)
        return self.current_definition(session)

    def bundle(self, session: Session, definition_id: int) -> DefinitionBundle:
        if definition_id not in self._bundles:
            row = session.get(ProcessDefinitionRow, definition_id)
            if row is None:
                raise NotFound(f"unknown process definition {definition_id}")
            self._bundles[definition_id] = DefinitionBundle(row.content_hash, row.process_id, row.spec,
                                                            row.task_meta, row.sources)
        return self._bundles[definition_id]

    # ------------------------------------------------------------ running
    def advance(self, session: Session, *, instance: ProcessInstanceRow, case: CaseRow, workflow,
                actor: str, now: datetime) -> None:
        """Run until people, timers or messages are needed; then persist state and projections."""
        bundle = self.bundle(session, instance.definition_id)
        directory = DbDirectory(session)
        book = handbook()

        running: dict[str, str] = {}

        def on_service_task(call: ServiceCall) -> dict:
            running["element"] = call.bpmn_id
            ctx = OperationContext(session=session, case=case, actor=actor, now=now, handbook=book,
                                   directory=directory, task_id=call.task_id)
            return run_operation(ctx, call.topic, call.inputs, call.data)

        try:
            self.engine.run(workflow, bundle, on_service_task, now=now)
        except Exception as exc:   # a diagram or data problem is recorded by the entry point (issue 11)
            if not is_failure(exc):
                exc.sagsflow_element = running.get("element")   # where a refusal came from (the watchdog's failure)
                raise
            raise process_failure(exc, instance=instance, task_meta=bundle.task_meta, actor=actor, now=now,
                                  element=running.get("element")) from exc
        self._project(session, instance=instance, case=case, workflow=workflow, bundle=bundle, now=now, actor=actor)

    def update_case_data(self, session: Session, *, case: CaseRow, updates: dict, actor: str, now: datetime) -> None:
        """Change process data of a running case outside a task (a coordinator's reassignment)."""
        instance = instance_for_case(session, case.id, lock=True)
        if instance is None or instance.status != "running":
            return
        workflow = self.engine.load(self.bundle(session, instance.definition_id), instance.state)
        self.engine.update_open_data(workflow, updates)
        self.advance(session, instance=instance, case=case, workflow=workflow, actor=actor, now=now)

    def _project(self, session: Session, *, instance, case, workflow, bundle, now, actor: str = "") -> None:
        ready = self.engine.ready_human_tasks(workflow, bundle)
        data = self.engine.data(workflow) if not ready else ready[0].data
        _project_case(case, data)
        rules = lane_rules()
        ready_ids = {t.id for t in ready}
        rows = {row.id: row for row in tasks_of(session, instance.id)}   # one query for the projection
        open_rows = []
        for row in rows.values():
            if row.status == "open" and row.id not in ready_ids:
                row.status = "cancelled"   # left by a boundary event or a message
            elif row.status == "open":
                open_rows.append(row)
        for view in ready:
            if view.id in rows:
                continue
            rule = rules.get(view.lane or "")
            team = (rule.team if rule and rule.team else view.data.get(rule.team_from) if rule else None)
            row = HumanTaskRow(id=view.id, instance_id=instance.id, case_id=case.id, bpmn_id=view.bpmn_id,
                               name=view.name, lane=view.lane, team=team, role=rule.role if rule else "member",
                               form=view.form.model_dump(), status="open", created_at=now)
            session.add(row)
            open_rows.append(row)
            notify_new_task(session, case=case, task_name=view.name, task_id=view.id, team=team, role=row.role,
                            assignee=view.data.get("assignee") if row.role == "member" else None, actor=actor,
                            now=now)   # issue 13: the coordinator or the assigned technician is told
            case.status = case_status_of(bundle, view.bpmn_id) or case.status   # said by the diagram (issue 11)
        completed = self.engine.is_completed(workflow)
        instance.status = "completed" if completed else "running"
        clear_failure(instance)   # this step succeeded: the instance is no longer failed (issue 11)
        instance.state = self.engine.dump(workflow)
        instance.updated_at = now
        replace_timers(session, instance.id, [] if completed else self.engine.waiting_timers(workflow))
        refresh_deadlines(session, case=case, config=sla_config(self.settings.config_dir))
        due = _current_due(case)
        for row in open_rows:
            row.sla_due_at = due   # the worklist sorts on this copy (one indexed column)
        session.flush()


NO_DEADLINE = datetime(9999, 12, 31, tzinfo=timezone.utc)   # sorts after every real deadline


def _current_due(case: CaseRow) -> datetime:
    """The deadline that matters now: reaction before work starts, resolution afterwards."""
    if case.resolved_at is not None or case.closed_at is not None:
        return NO_DEADLINE
    due = case.reaction_due if case.started_at is None else case.resolution_due
    return due or NO_DEADLINE


def _project_case(case: CaseRow, data: dict) -> None:
    """Copy the searchable facts from the process data into case columns."""
    if data.get("priority") in ("critical", "high", "medium", "low"):
        case.priority = data["priority"]
    for key in ("impact", "urgency"):
        if str(data.get(key, "")) in ("1", "2", "3", "4"):
            setattr(case, key, int(data[key]))
    if data.get("team"):
        case.team = data["team"]
    if "assignee" in data:
        case.assignee = data.get("assignee")
    for key in ("end_user_name", "end_user_email", "end_user_phone"):   # first triage's end user (issue 13)
        if isinstance(data.get(key), str) and data[key].strip():
            setattr(case, key, data[key].strip()[:320])
