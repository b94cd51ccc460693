"""The engine adapter: the only runtime code that touches SpiffWorkflow (with validation.py).

- A definition bundle (all diagrams of one deployment) is versioned by content hash; its serialized
  spec is stored once and spliced back in when an instance is loaded, so instances stay small and keep
  the version they started with.
- Workflows always run with the safe script engine, re-attached after every load.
- Service tasks are Camunda external tasks: the engine hands (topic, inputs, data) to a callback and
  completes the task with the returned data, then keeps stepping.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import weakref
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _spiff_timer
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (BpmnSubWorkflowConverter, BpmnWorkflowConverter, TaskConverter,
                                                            WorkflowConverter)
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

try:   # a fast JSON codec for the state (a dependency of Prefect); the standard library otherwise
    import orjson as _orjson
except ImportError:   # pragma: no cover - orjson comes with the Prefect dependency
    _orjson = None

from domain.errors import InvalidState, NotFound, SagsflowError
from domain.forms import Constraint, FieldSpec, FormSpec, Option
from engine import ended, state_codec, task_iteration
from engine.finished_tasks import FinishedSubWorkflowConverter, FinishedTaskConverter
from engine.diagram_xml import XmlProblem, normalise_source, task_meta
from engine.safe_script import safe_script_engine
from engine.validation import build_parser, errors_of, load_trees, validate_sources


_ENGINE_NOW: ContextVar[datetime | None] = ContextVar("sagsflow_engine_now", default=None)


class _EngineClock(datetime):
    """SpiffWorkflow's timers read the wall clock (no clock injection in 3.2). This clock returns the
    `now` of the command being run, so a timer fires exactly when the caller's time says it is due —
    the same in production, in `sagsflow tick --now …` and in tests."""

    @classmethod
    def now(cls, tz=None):
        fixed = _ENGINE_NOW.get()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz is not None else fixed.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _EngineClock
task_iteration.install()   # the library's task walk in its own order, at a fraction of the cost (issue 15)


@contextmanager
def engine_time(now: datetime | None):
    """Run SpiffWorkflow as if it were `now`; timers due at or before `now` fire (the library compares
    with a strict `<`, hence the microsecond)."""
    token = _ENGINE_NOW.set(None if now is None else now + timedelta(microseconds=1))
    try:
        yield
    finally:
        _ENGINE_NOW.reset(token)


class DiagramInvalid(SagsflowError):
    code = "invalid_diagram"

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class EngineError(SagsflowError):
    """The process could not advance (a diagram or data problem); nothing was saved."""

    code = "engine_error"


@dataclass(frozen=True)
class DefinitionBundle:
    content_hash: str
    process_id: str
    spec: dict            # {"spec": …, "subprocess_specs": …} as serialized by SpiffWorkflow
    task_meta: dict       # bpmn id -> {name, lane, kind, process, topic, inputs}
    sources: dict         # file name -> text


@dataclass
class HumanTaskView:
    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: FormSpec
    data: dict


@dataclass(frozen=True)
class ServiceCall:
    task_id: str
    bpmn_id: str
    topic: str
    inputs: dict
    data: dict


ServiceHandler = Callable[[ServiceCall], dict]   # returns data updates for the task


class _SharedSpecWorkflowConverter(BpmnWorkflowConverter):
    """Instances are stored without their spec (held once per version by the engine): serializing
    skips the spec — most of the library's serialization cost — and restoring splices it back in."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def spec_to_dict(self, workflow) -> dict:
        return {"spec": self.registry.convert(workflow.spec),
                "subprocess_specs": self.mapping_to_dict(workflow.subprocess_specs)}

    def from_dict(self, dct):
        specs = dct.pop("_specs", None)
        if specs is None:
            return super().from_dict(dct)
        workflow = self.target_class(specs[0], specs[1], deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def content_hash(sources: dict[str, str]) -> str:
    """The version's identity: file names and texts after normalise_source (encoding, line endings)."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + _normalised_bytes(sources[name]) + b"\0")
    return digest.hexdigest()


def _normalised_bytes(text: str | bytes) -> bytes:
    try:
        return normalise_source(text).encode()
    except XmlProblem:
        return text if isinstance(text, bytes) else text.encode()   # undecodable: validation reports it


class Engine:
    def __init__(self) -> None:
        # the default config has no converter for plain (external) service tasks
        config = {**DEFAULT_CONFIG, BpmnWorkflow: _SharedSpecWorkflowConverter, ServiceTask: BpmnTaskSpecConverter,
                  Task: FinishedTaskConverter,   # finished tasks and ended subprocesses are not serialized
                  BpmnSubWorkflow: FinishedSubWorkflowConverter}   # again at every step
        self._serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
        # a self-check (the test suite turns it on): every dump also made by the library's own task
        # converters, and a difference is an error — the kept dictionaries must never change a state
        self._plain_serializer = None
        if os.environ.get("SAGSFLOW_ENGINE_VERIFY_DUMPS") == "1":
            config = {**config, Task: TaskConverter, BpmnSubWorkflow: BpmnSubWorkflowConverter}
            self._plain_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
        self._script_engine = safe_script_engine()
        self._spec_cache: dict[str, tuple] = {}
        self._bundle_cache: dict[tuple, DefinitionBundle] = {}
        self._after_message: weakref.WeakSet = weakref.WeakSet()   # workflows that just received a message

    # ---------------------------------------------------------------- definitions
    def build_bundle(self, sources: dict[str, str], *, process_id: str, known_topics) -> DefinitionBundle:
        """Validate and compile; raises DiagramInvalid with every problem. Built once per content."""
        key = (content_hash(sources), process_id, tuple(sorted(known_topics)))
        if key not in self._bundle_cache:
            if len(self._bundle_cache) >= 32:   # candidates from the editor come and go; keep the newest
                self._bundle_cache.pop(next(iter(self._bundle_cache)))
            self._bundle_cache[key] = self._build_bundle(sources, process_id=process_id, known_topics=key[2])
        return self._bundle_cache[key]

    def _build_bundle(self, sources: dict[str, str], *, process_id: str, known_topics) -> DefinitionBundle:
        problems = errors_of(validate_sources(sources, known_topics=known_topics, main_process=process_id))
        if problems:
            raise DiagramInvalid(problems)
        sources = {name: normalise_source(text) for name, text in sources.items()}
        trees, _ = load_trees(sources)
        parser = build_parser(trees)
        workflow = BpmnWorkflow(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
        converter = _SharedSpecWorkflowConverter(BpmnWorkflow, self._serializer.registry)
        meta: dict[str, dict] = {}
        for root in trees.values():
            meta.update(task_meta(root))
        return DefinitionBundle(content_hash(sources), process_id,
                                json.loads(json.dumps(converter.spec_to_dict(workflow))), meta, sources)

    # ---------------------------------------------------------------- instances
    def _specs(self, bundle: DefinitionBundle, *, private: bool = False):
        """Spec objects per bundle, restored once and shared by all instances (specs are read-only).
        ``private``: a fresh copy for one instance — SpiffWorkflow keeps state on the spec of an event
        subprocess it starts, which must not reach the other instances."""
        if private or bundle.content_hash not in self._spec_cache:
            registry = self._serializer.registry
            raw = json.loads(json.dumps(bundle.spec))   # restoring mutates its input
            spec = registry.restore(raw["spec"])
            subprocess_specs = {name: registry.restore(s) for name, s in raw["subprocess_specs"].items()}
            if private:
                return spec, subprocess_specs
            self._spec_cache[bundle.content_hash] = (spec, subprocess_specs)
        return self._spec_cache[bundle.content_hash]

    def start(self, bundle: DefinitionBundle, data: dict) -> BpmnWorkflow:
        spec, subprocess_specs = self._specs(bundle)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self._script_engine)
        workflow.task_tree.set_data(**data)
        for child in workflow.task_tree.children:
            child.set_data(**data)
        return workflow

    def load(self, bundle: DefinitionBundle, state: bytes, *, private_specs: bool = False) -> BpmnWorkflow:
        return self._restored(bundle, _decoded(state), private_specs=private_specs)

    def _restored(self, bundle: DefinitionBundle, dct: dict, *, private_specs: bool = False) -> BpmnWorkflow:
        if ended.is_record(dct):
            raise ended.ProcessEnded("the process of this case has ended; only its path and data are kept")
        dct["_specs"] = self._specs(bundle, private=private_specs)
        workflow = self._serializer.from_dict(dct)
        workflow.script_engine = self._script_engine   # never the library's unrestricted default
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> bytes:
        dct = self._serializer.to_dict(workflow)   # without the spec (see _SharedSpecWorkflowConverter)
        if self._plain_serializer is not None and self._plain_serializer.to_dict(workflow) != dct:
            raise AssertionError("a kept task dictionary differs from the library's serialization")
        return _encoded(dct)

    def dump_ended(self, workflow: BpmnWorkflow) -> bytes:
        """What is stored once the workflow has completed: its path and final data (engine.ended)."""
        if self._plain_serializer is not None:
            self.dump(workflow)   # the self-check still compares the last full state with the library's
        return _encoded(ended.record(self.completed_path(workflow),
                                     self._serializer.registry.convert(self.data(workflow))))

    def ended_record(self, state: bytes) -> ended.EndedProcess | None:
        """The path and final data of an ended process's stored record; None for a workflow's state."""
        return self._ended(_decoded(state))

    def _ended(self, dct: dict) -> ended.EndedProcess | None:
        if not ended.is_record(dct):
            return None
        return ended.EndedProcess(list(dct["path"]), self._serializer.registry.restore(dct["data"]))

    def position(self, bundle: DefinitionBundle, state: bytes) -> tuple[list[str], list[str]]:
        """(bpmn ids of the completed elements in order, bpmn ids of the open human tasks) of a stored
        state: a running workflow's or an ended process's record (decoded once)."""
        dct = _decoded(state)
        if ended.is_record(dct):
            return list(dct["path"]), []
        workflow = self._restored(bundle, dct)
        return self.completed_path(workflow), [view.bpmn_id for view in self.ready_human_tasks(workflow, bundle)]

    # ---------------------------------------------------------------- running
    def run(self, workflow: BpmnWorkflow, bundle: DefinitionBundle, on_service_task: ServiceHandler,
            *, now: datetime | None = None) -> None:
        """Step until only human tasks, timers or messages remain; run service tasks via the callback.
        Timers are compared with `now` (the wall clock when None)."""
        with engine_time(now):
            self._run(workflow, bundle, on_service_task)

    def _run(self, workflow: BpmnWorkflow, bundle: DefinitionBundle, on_service_task: ServiceHandler) -> None:
        try:
            for _ in range(10_000):
                workflow.do_engine_steps()
                if workflow in self._after_message and _interrupt_for_event_subprocess(workflow, bundle):
                    continue
                pending = [t for t in workflow.get_tasks(state=TaskState.STARTED)
                           if type(t.task_spec).__name__ == "ServiceTask"]
                if not pending:
                    return
                for task in pending:
                    meta = bundle.task_meta.get(task.task_spec.bpmn_id, {})
                    updates = on_service_task(ServiceCall(str(task.id), task.task_spec.bpmn_id,
                                                          meta.get("topic") or "", dict(meta.get("inputs") or {}),
                                                          task.data))
                    task.set_data(**(updates or {}))
                    task.complete()
            raise EngineError("the process did not settle after 10,000 steps (a loop without a human task?)")
        except SpiffWorkflowException as exc:
            raise EngineError(_engine_message(exc)) from exc

    def ready_human_tasks(self, workflow: BpmnWorkflow, bundle: DefinitionBundle) -> list[HumanTaskView]:
        return self.open_work(workflow, bundle, timers=False)[0]

    def open_work(self, workflow: BpmnWorkflow, bundle: DefinitionBundle, *, timers: bool = True
                  ) -> tuple[list[HumanTaskView], list[tuple[str, str, datetime]]]:
        """What the process waits for after a step — the human tasks ready for people and (with `timers`)
        the waiting timers (see waiting_timers) — from one walk of the task tree."""
        views, waiting = [], []
        forms = self.forms(bundle)
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING if timers else TaskState.READY):
            if task._state == TaskState.WAITING:
                timer = _timer_of(task)
                if timer is not None:
                    waiting.append(timer)
                continue
            spec = task.task_spec
            if not spec.manual:
                continue
            meta = bundle.task_meta.get(spec.bpmn_id, {})
            form = forms.get(spec.bpmn_id) if spec.bpmn_id else None
            views.append(HumanTaskView(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id,
                                       meta.get("lane"), form if form is not None else form_of(spec), task.data))
        return views, waiting

    def complete_human_task(self, workflow: BpmnWorkflow, task_id: str, data: dict, *,
                            now: datetime | None = None) -> None:
        task = self._task(workflow, task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise InvalidState(f"task {task_id} is not waiting for a person")
        try:
            task.set_data(**data)
            with engine_time(now):
                task.run()
        except SpiffWorkflowException as exc:
            raise EngineError(_engine_message(exc)) from exc

    def update_open_data(self, workflow: BpmnWorkflow, updates: dict) -> None:
        """Change process data on every task that is still to run (e.g. the assignee after a reassignment)."""
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            task.set_data(**updates)

    def forms(self, bundle: DefinitionBundle) -> dict[str, FormSpec]:
        """bpmn id -> form of every user task of the bundle's version (see definition_forms)."""
        return definition_forms(bundle.content_hash, bundle.spec)

    def task_view(self, workflow: BpmnWorkflow, bundle: DefinitionBundle, task_id: str) -> HumanTaskView:
        task = self._task(workflow, task_id)
        meta = bundle.task_meta.get(task.task_spec.bpmn_id, {})
        form = self.forms(bundle).get(task.task_spec.bpmn_id) if task.task_spec.bpmn_id else None
        return HumanTaskView(str(task.id), task.task_spec.bpmn_id, task.task_spec.bpmn_name or "",
                             meta.get("lane"), form if form is not None else form_of(task.task_spec), task.data)

    def _task(self, workflow: BpmnWorkflow, task_id: str):
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, TypeError):
            task = None
        if task is None:
            raise NotFound(f"unknown task {task_id}")
        return task

    def send_message(self, workflow: BpmnWorkflow, name: str, payload: dict, *, now: datetime | None = None) -> None:
        try:
            with engine_time(now):
                workflow.send_event(BpmnEvent(MessageEventDefinition(name),
                                              payload={"payload": payload, "result_var": name}))
            self._after_message.add(workflow)   # the next run honours an interrupting event subprocess
        except WorkflowException as exc:
            raise InvalidState(f"the case is not waiting for {name!r}") from exc

    def forget_message(self, workflow: BpmnWorkflow) -> None:
        """The message's run is over (its state is saved): the workflow behaves as one freshly loaded."""
        self._after_message.discard(workflow)

    def waiting_timers(self, workflow: BpmnWorkflow) -> list[tuple[str, str, datetime]]:
        """(task id, bpmn id, due in UTC) of every timer the process waits for."""
        return [timer for task in workflow.get_tasks(state=TaskState.WAITING) if (timer := _timer_of(task)) is not None]

    def fire_timers(self, workflow: BpmnWorkflow, *, now: datetime) -> None:
        """Fire every waiting timer that is due at `now` (the next run() steps past them)."""
        with engine_time(now):
            workflow.refresh_timers()

    def completed_path(self, workflow: BpmnWorkflow) -> list[str]:
        return [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id]

    def is_completed(self, workflow: BpmnWorkflow) -> bool:
        return workflow.is_completed()

    def data(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        last = workflow.last_task
        return dict(last.data) if last is not None else dict(workflow.data)


def _encoded(dct: dict) -> bytes:
    if _orjson is not None:
        try:
            return state_codec.encode(_orjson.dumps(dct))
        except TypeError:   # what orjson does not encode (e.g. a very large int) the standard codec may
            pass
    return state_codec.encode(json.dumps(dct, separators=(",", ":")).encode())


def _decoded(state: bytes) -> dict:
    raw = state_codec.decode(state)
    return _orjson.loads(raw) if _orjson is not None else json.loads(raw)


def _timer_of(task) -> tuple[str, str, datetime] | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next") if value.get("cycles") != 0 else None
    if not isinstance(value, str):
        return None
    return str(task.id), task.task_spec.bpmn_id or "", datetime.fromisoformat(value).astimezone(timezone.utc)


_DEFINITION_FORMS: dict[str, dict[str, FormSpec]] = {}


def definition_forms(content_hash: str, spec: Callable[[], dict] | dict) -> dict[str, FormSpec]:
    """bpmn id -> form of every user task of one deployed version (issue 15: a task's form lives in
    its definition, not in a copy per task row). Computed once per content hash; ``spec`` is the
    version's stored spec, or a function returning it (only called when not cached)."""
    forms = _DEFINITION_FORMS.get(content_hash)
    if forms is None:
        raw = json.loads(json.dumps(spec() if callable(spec) else spec))   # restoring mutates its input
        registry = _form_registry()
        forms = {}
        stored = [raw["spec"]] if raw.get("spec") else []   # a version without processes has no forms
        for process in [registry.restore(s) for s in (*stored, *raw.get("subprocess_specs", {}).values())]:
            for task_spec in process.task_specs.values():
                if getattr(task_spec, "manual", False) and task_spec.bpmn_id:
                    forms.setdefault(task_spec.bpmn_id, form_of(task_spec))
        if len(_DEFINITION_FORMS) >= 64:
            _DEFINITION_FORMS.pop(next(iter(_DEFINITION_FORMS)))
        _DEFINITION_FORMS[content_hash] = forms
    return forms


_REGISTRY: list = []


def _form_registry():
    if not _REGISTRY:
        config = {**DEFAULT_CONFIG, BpmnWorkflow: _SharedSpecWorkflowConverter, ServiceTask: BpmnTaskSpecConverter}
        _REGISTRY.append(BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config)).registry)
    return _REGISTRY[0]


def form_of(spec) -> FormSpec:
    form = getattr(spec, "form", None)
    if form is None:
        return FormSpec()
    return FormSpec(fields=[FieldSpec(
        id=f.id, type=f.type if f.type in ("string", "long", "boolean", "date", "enum") else "string",
        label=f.label or f.id, default=f.default_value,
        options=[Option(id=o.id, name=o.name) for o in getattr(f, "options", [])],
        constraints=[Constraint(name=v.name, config=v.config) for v in f.validation],
        properties={p.id: p.value for p in f.properties}) for f in form.fields])


def _engine_message(exc: Exception) -> str:
    task = getattr(exc, "task", None)
    where = f" at {task.task_spec.bpmn_id}" if task is not None and task.task_spec.bpmn_id else ""
    return f"{exc}{where}".split("\n")[0]


_NON_INTERRUPTING_START = re.compile(r'<bpmn:startEvent\b[^>]*\bisInterrupting="false"')


def _interrupt_for_event_subprocess(workflow: BpmnWorkflow, bundle: DefinitionBundle) -> bool:
    """BPMN: when the start event of an event subprocess fires, the rest of its process ends
    (``isInterrupting`` defaults to true). SpiffWorkflow runs the event subprocess alongside, so
    the remaining work of the top-level process is cancelled here (issue 14: "Afsluttet i Remedy").
    Non-interrupting start events are left alone. Returns True when something was cancelled."""
    if not any(_NON_INTERRUPTING_START.search(text) is None and 'triggeredByEvent="true"' in text
               for text in bundle.sources.values()):
        return False
    triggered = []   # top-level event subprocesses whose start event has fired
    for start in workflow.get_tasks(state=TaskState.COMPLETED):
        sub = start.workflow
        if sub is workflow or type(start.task_spec).__name__ != "StartEvent" or start.parent is None \
                or start.parent.parent is not None:
            continue
        owner = workflow.get_task_from_id(sub.parent_task_id)
        if owner is not None and owner.workflow is workflow and owner.parent is not None \
                and type(owner.parent.task_spec).__name__ == "BpmnStartTask":
            triggered.append(owner)
    if not triggered:
        return False
    keep = {id(t) for t in triggered}
    cancelled = False
    for task in list(workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)):
        if task.workflow is workflow and id(task) not in keep and not task.has_state(TaskState.FINISHED_MASK):
            task.cancel()
            cancelled = True
    return cancelled

