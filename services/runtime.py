"""The process runtime used by every entry point (CLI, web, flows): deploys the current diagrams
once per content hash, loads and saves instances, runs service operations, and keeps the
projections (human tasks, timers, case columns) in step — all inside the caller's transaction."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from config.handbook import handbook, lane_rules
from config.settings import Settings
from domain.errors import InvalidState, NotFound
from store.notifications import notify_new_task
from services.case_status import case_status_of
from services.failures import is_failure, process_failure
from services.sla import FINISHED_STATUSES, refresh_deadlines, sla_config
from store.deployments import current_deployment
from store.directory import DbDirectory
from store.models import CasePauseRow, CaseRow, HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow, SlaEventRow
from store.process import instance_for_case, replace_timers, save_instance, tasks_of
from store.core_writes import add_row, write_changes
from tasks.context import OperationContext
from tasks.operations import run_operation
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


WORKFLOW_CACHE_SIZE = 256   # recently used workflows kept in memory per process (issue 15)


@dataclass
class _Saved:
    """What the last committed projection of an instance wrote, kept with its workflow object: a later
    completion in this process skips deserializing (the version and the stored state must match) and
    knows the open task rows and waiting timers without asking the database."""

    instance: Any                     # the row object of the saving session (its version after the flush)
    definition_id: int
    state: bytes                      # the dump stored by that projection
    workflow: Any
    open_tasks: dict[str, datetime]   # open human task id -> created_at
    timers: list
    version: int | None = None


@dataclass
class _Loaded:
    """A workflow handed out by Runtime.load_workflow within one transaction, with what the database
    holds for it (when it came from the cache) and the case's SLA inputs at load time."""

    workflow: Any
    saved: _Saved | None
    sla_inputs: tuple
    due: datetime


_LOADED, _PENDING, _SLA_TOUCHED = "sagsflow_loaded", "sagsflow_pending", "sagsflow_sla_rows"


def _sla_inputs(case: CaseRow) -> tuple:
    """What services.sla.refresh_deadlines reads from the case row (pauses and events aside)."""
    return (case.priority, case.sla_level, case.received_at, case.started_at, case.coverage, case.resolved_at,
            case.closed_at, case.status in FINISHED_STATUSES)


def _sla_rows_touched(session: Session) -> bool:
    """Were pauses or SLA events written in this transaction (pending or already flushed)?"""
    if session.info.get(_SLA_TOUCHED):
        return True
    return any(isinstance(o, (CasePauseRow, SlaEventRow)) for o in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(Session, "before_flush")
def _note_sla_rows(session, _context, _instances) -> None:
    if any(isinstance(o, (CasePauseRow, SlaEventRow)) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_SLA_TOUCHED] = True


@event.listens_for(Session, "after_flush_postexec")
def _note_versions(session, _context) -> None:
    for _runtime, saved in session.info.get(_PENDING, {}).values():
        saved.version = saved.instance.__dict__.get("version", saved.version)


@event.listens_for(Session, "after_commit")
def _check_in(session) -> None:
    """Committed: the workflows of this transaction's projections may serve the next step."""
    pending = session.info.pop(_PENDING, None)
    session.info.pop(_LOADED, None)
    session.info.pop(_SLA_TOUCHED, None)
    for key, (runtime, saved) in (pending or {}).items():
        saved.instance = None   # the row object belongs to this session; the version is what counts
        if saved.version is not None:
            runtime._keep(key, saved)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, _previous) -> None:
    """Rolled back: nothing of this transaction may be served from memory (the workflows were taken
    out of the cache when loaded, so the next step reloads from the database)."""
    session.info.pop(_PENDING, None)
    session.info.pop(_LOADED, None)
    session.info.pop(_SLA_TOUCHED, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session, transaction) -> None:
    """Whatever is still pending when the outermost transaction ends (closed without commit) is forgotten."""
    if transaction.parent is None:
        _forget(session, transaction)


class Runtime:
    """One per process (CLI run, web app, worker). Holds the engine, the spec cache and the cache of
    recently used workflows."""

    def __init__(self, settings: Settings, engine: Engine | None = None, *,
                 workflow_cache_size: int = WORKFLOW_CACHE_SIZE):
        self.settings = settings
        self.engine = engine or Engine()
        self._bundles: dict[int, DefinitionBundle] = {}
        self._workflows: OrderedDict = OrderedDict()   # (bind, instance id) -> _Saved
        self._workflow_cache_size = workflow_cache_size
        self._lock = threading.Lock()

    # ------------------------------------------------------------ workflows in memory
    def load_workflow(self, session: Session, *, instance: ProcessInstanceRow, case: CaseRow,
                      bundle: DefinitionBundle):
        """The instance's workflow for this transaction: the one this process committed last when the
        row still has that version and state (taken out of the cache: one user at a time), else
        restored from the row. A rollback forgets it; a commit after advance() puts it back."""
        key = (id(session.get_bind()), instance.id)
        with self._lock:
            saved = self._workflows.pop(key, None)
        if saved is not None and (saved.version != instance.version or saved.definition_id != instance.definition_id
                                  or saved.state != instance.state):
            saved = None   # changed by someone else (another process, a migration): reload
        workflow = saved.workflow if saved is not None else self.engine.load(bundle, instance.state)
        session.info.setdefault(_LOADED, {})[instance.id] = _Loaded(workflow, saved, _sla_inputs(case),
                                                                    _current_due(case))
        return workflow

    def _keep(self, key, saved: _Saved) -> None:
        if self._workflow_cache_size <= 0:
            return
        self.engine.forget_message(saved.workflow)   # as after a reload (see Engine.send_message)
        with self._lock:
            self._workflows[key] = saved
            self._workflows.move_to_end(key)
            while len(self._workflows) > self._workflow_cache_size:
                self._workflows.popitem(last=False)

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
                actor: str, now: datetime) -> list[str]:
        """Run until people, timers or messages are needed; then persist state and projections.
        Returns the open human tasks of the case (ids, oldest first)."""
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
        return self._project(session, instance=instance, case=case, workflow=workflow, bundle=bundle, now=now,
                             actor=actor)

    def update_case_data(self, session: Session, *, case: CaseRow, updates: dict, actor: str, now: datetime) -> None:
        """Change process data of a running case outside a task (a coordinator's reassignment)."""
        instance = instance_for_case(session, case.id, lock=True)
        if instance is None or instance.status != "running":
            return
        workflow = self.engine.load(self.bundle(session, instance.definition_id), instance.state)
        self.engine.update_open_data(workflow, updates)
        self.advance(session, instance=instance, case=case, workflow=workflow, actor=actor, now=now)

    def _project(self, session: Session, *, instance, case, workflow, bundle, now, actor: str = "") -> list[str]:
        """State, human-task rows, timers, SLA and case columns after a step. When the workflow came from
        the cache (load_workflow), what the database holds is known from the last projection: only the
        changes are written (new task rows, cancelled ones, changed timers, deadlines whose inputs
        changed); otherwise the rows are read first."""
        loaded = session.info.get(_LOADED, {}).pop(instance.id, None)
        if loaded is not None and loaded.workflow is not workflow:
            loaded = None
        saved = loaded.saved if loaded is not None else None
        ready, waiting = self.engine.open_work(workflow, bundle)   # one walk of the task tree
        data = self.engine.data(workflow) if not ready else ready[0].data
        _project_case(case, data)
        rules = lane_rules()
        ready_ids = {t.id for t in ready}
        if saved is not None:   # the rows as our last projection left them (this step completed one of them)
            known = {task_id: created for task_id, created in saved.open_tasks.items()
                     if session.identity_map.get((HumanTaskRow, (task_id,), None)) is None
                     or session.identity_map.get((HumanTaskRow, (task_id,), None)).status == "open"}
            existing = set(saved.open_tasks)
            rows: dict = {}
        else:
            with session.no_autoflush:   # reads human_task only; this session's rows are in its identity map
                rows = {row.id: row for row in tasks_of(session, instance.id)}   # one query for the projection
            known = {row.id: row.created_at for row in rows.values() if row.status == "open"}
            existing = set(rows)
        cancelled = [task_id for task_id in known if task_id not in ready_ids]   # left by a boundary event or a message
        new_views = [view for view in ready if view.id not in existing]
        for view in new_views:
            case.status = case_status_of(bundle, view.bpmn_id) or case.status   # said by the diagram (issue 11)
        completed = self.engine.is_completed(workflow)
        # ended: its path and final data are kept, not the task tree (engine.ended); this step succeeded,
        # so the instance is no longer failed (issue 11)
        state = self.engine.dump_ended(workflow) if completed else self.engine.dump(workflow)
        save_instance(session, instance, state=state, status="completed" if completed else "running", now=now)
        timers = [] if completed else waiting
        # timers and deadlines read only their own tables: no autoflush of the changes above (they go in
        # one flush at the end), except pauses and SLA events written earlier in this transaction
        if saved is None or sorted(saved.timers) != sorted(timers):
            with session.no_autoflush:
                replace_timers(session, instance.id, timers)
        if loaded is None or loaded.sla_inputs != _sla_inputs(case) or _sla_rows_touched(session):
            if any(isinstance(o, (CasePauseRow, SlaEventRow)) for o in (*session.new, *session.dirty, *session.deleted)):
                session.flush()
            with session.no_autoflush:
                refresh_deadlines(session, case=case, config=sla_config(self.settings.config_dir))
        due = _current_due(case)
        open_tasks = {task_id: created for task_id, created in known.items() if task_id in ready_ids}
        if saved is None:
            for task_id in cancelled:
                rows[task_id].status = "cancelled"
            for task_id in open_tasks:
                rows[task_id].sla_due_at = due   # the worklist sorts on this copy (one indexed column)
        else:
            if cancelled:
                session.execute(update(HumanTaskRow).where(HumanTaskRow.id.in_(cancelled), HumanTaskRow.status == "open")
                                .values(status="cancelled"), execution_options={"synchronize_session": False})
            if open_tasks and due != loaded.due:
                session.execute(update(HumanTaskRow).where(HumanTaskRow.id.in_(list(open_tasks)))
                                .values(sla_due_at=due), execution_options={"synchronize_session": False})
            for task_id in (*cancelled, *open_tasks):   # objects of this session see what was written
                row = session.identity_map.get((HumanTaskRow, (task_id,), None))
                if row is not None:
                    session.expire(row, ["status", "sla_due_at"])
        added = []
        for view in new_views:
            rule = rules.get(view.lane or "")
            team = (rule.team if rule and rule.team else view.data.get(rule.team_from) if rule else None)
            role = rule.role if rule else "member"
            add_row(session, HumanTaskRow.__table__, {   # the form: from the definition
                "id": view.id, "instance_id": instance.id, "case_id": case.id, "bpmn_id": view.bpmn_id,
                "name": view.name, "lane": view.lane, "team": team, "role": role, "status": "open",
                "created_at": now, "sla_due_at": due})
            added.append((view, team, role))
            open_tasks[view.id] = now
        for view, team, role in added:   # after the rows are queued: one INSERT for all of them
            notify_new_task(session, case=case, task_name=view.name, task_id=view.id, team=team, role=role,
                            assignee=view.data.get("assignee") if role == "member" else None, actor=actor,
                            now=now)   # issue 13: the coordinator or the assigned technician is told
        write_changes(session, case)   # the case's new columns: one UPDATE, not an ORM flush of it
        session.flush()
        if completed:   # nothing runs an ended process again: not kept in memory
            return []
        pending = session.info.setdefault(_PENDING, {})
        pending[(id(session.get_bind()), instance.id)] = (self, _Saved(
            instance, instance.definition_id, state, workflow, open_tasks, timers, instance.version))
        return [task_id for task_id, _ in sorted(open_tasks.items(), key=lambda item: (item[1], item[0]))]


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
