"""Replay before deploy (issue 10, the "what-if"): the recorded answers of the latest cases (closed
and open) and the example answers in docs/examples/ are replayed on a candidate version, in memory
and inside a savepoint that is always rolled back — nothing is saved, sent or queued. Per case: the
same path; the path changed at an element (the candidate asks something else there); it would fail
at an element with the engine's message; or it needs answers to new fields."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook, lane_rules
from config.settings import ROOT
from domain.errors import FormInvalid, InvalidState, SagsflowError
from domain.forms import validate_submission
from services.runtime import Runtime
from store.cases import add_case
from store.deployments import answers_of
from store.directory import DbDirectory
from store.models import OPEN_TASK, CaseRow, HumanTaskRow, MembershipRow, ProcessInstanceRow
from tasks.context import OperationContext
from tasks.operations import OPERATIONS, run_operation
from domain.process_data import CASE_FIELDS
from engine.adapter import DefinitionBundle, ServiceCall

EXAMPLES = ROOT / "docs" / "examples"


@dataclass
class Replay:
    case: str                                   # case number, or "docs/examples"
    outcome: str = "same"                       # same | changed | failed | needs_answers
    element: str | None = None
    element_name: str | None = None
    now_asks: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    error: str | None = None
    steps: int = 0

    def describe(self) -> str:
        where = f"«{self.element_name or self.element}» ({self.element})"
        if self.outcome == "changed":
            asks = ", ".join(f"«{n}»" for n in self.now_asks) or "nothing (the process ends or waits)"
            return f"path changed at {where}: now asks {asks} instead"
        if self.outcome == "failed":
            return f"would fail at {where}: {self.error}"
        if self.outcome == "needs_answers":
            return f"needs answers to new fields at {where}: {', '.join(self.fields)}"
        return f"same path ({self.steps} steps)"


@dataclass
class Simulation:
    cases: list[Replay]
    examples: Replay | None

    def summary(self) -> dict:
        count = lambda outcome: sum(1 for r in self.cases if r.outcome == outcome)
        return {"cases": len(self.cases), "unchanged": count("same"), "changed": count("changed"),
                "failed": count("failed"), "needs_answers": count("needs_answers")}


def start_data(case: CaseRow) -> dict:
    """The data a case starts with (as services.cases.open_case; the names are domain.process_data.CASE_FIELDS)."""
    data = {"case_number": case.number, "case_type": case.case_type, "classification": case.case_type,
            "summary": case.summary, "impact": str(case.impact), "urgency": str(case.urgency),
            "sla_level": case.sla_level, "end_user_name": case.customer_name,
            "end_user_email": case.customer_email, "end_user_phone": case.customer_phone}
    assert set(data) == CASE_FIELDS
    return data


def simulate(session: Session, runtime: Runtime, *, sources: dict[str, str], cases: int, now: datetime,
             examples: bool = True) -> Simulation:
    """Raises DiagramInvalid when the candidate cannot be built; never changes anything."""
    bundle = runtime.engine.build_bundle(sources, process_id=runtime.settings.main_process,
                                         known_topics=OPERATIONS.keys())
    rows = list(session.execute(select(CaseRow).join(ProcessInstanceRow, ProcessInstanceRow.case_id == CaseRow.id)
                                .order_by(CaseRow.id.desc()).limit(cases)).scalars())
    answers = answers_of(session, [c.id for c in rows])
    results = []
    for case in rows:
        results.append(_in_savepoint(session, lambda: _replay_case(session, runtime, bundle, case, answers[case.id])))
    example = _in_savepoint(session, lambda: _replay_examples(session, runtime, bundle, now)) if examples else None
    return Simulation(results, example)


def _in_savepoint(session: Session, work):
    savepoint = session.begin_nested()
    try:
        return work()
    finally:
        savepoint.rollback()


def _handler(session, case, actor_of, now_of):
    book, directory = handbook(), DbDirectory(session)

    def on_service_task(call: ServiceCall) -> dict:
        ctx = OperationContext(session=session, case=case, actor=actor_of(), now=now_of(), handbook=book,
                               directory=directory, task_id=call.task_id)
        return run_operation(ctx, call.topic, call.inputs, call.data)
    return on_service_task


def _step(session, runtime, bundle, workflow, view, answers: dict, *, actor: str, now: datetime,
          handler, result: Replay) -> bool:
    """Complete one task with the given answers; False (and `result` filled in) when it cannot."""
    known = {f.id for f in view.form.fields}
    try:
        values = validate_submission(view.form, {k: v for k, v in answers.items() if k in known}, view.data,
                                     directory=DbDirectory(session))
        runtime.engine.complete_human_task(workflow, view.id, values, now=now)
        runtime.engine.run(workflow, bundle, handler, now=now)
        return True
    except FormInvalid as exc:
        new = [f.label for f in view.form.fields if f.id in exc.errors and f.id not in answers]
        result.outcome, result.fields = ("needs_answers", new) if new else ("failed", [])
        result.error = None if new else "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
    except SagsflowError as exc:
        result.outcome, result.error = "failed", str(exc)
    result.element, result.element_name = view.bpmn_id, view.name
    return False


def _replay_case(session, runtime, bundle: DefinitionBundle, case: CaseRow, recorded) -> Replay:
    result = Replay(case.number)
    clock = {"now": case.received_at, "actor": "simulering"}
    handler = _handler(session, case, lambda: clock["actor"], lambda: clock["now"])
    workflow = runtime.engine.start(bundle, start_data(case))
    try:
        runtime.engine.run(workflow, bundle, handler, now=case.received_at)
    except SagsflowError as exc:
        result.outcome, result.error, result.element = "failed", str(exc), "start"
        return result
    for answer in recorded:
        clock.update(now=answer.answered_at, actor=answer.answered_by)
        if answer.bpmn_id.startswith("message:"):    # a customer's mail reply delivered into the process
            if not _deliver(runtime, bundle, workflow, answer, handler, result):
                return result
            continue
        view = _ready(runtime, bundle, workflow, answer.bpmn_id)
        if view is None:   # a timer may be due by the time the answer was given
            runtime.engine.fire_timers(workflow, now=answer.answered_at)
            runtime.engine.run(workflow, bundle, handler, now=answer.answered_at)
            view = _ready(runtime, bundle, workflow, answer.bpmn_id)
        if view is None:
            return _changed(result, runtime, bundle, workflow, answer.bpmn_id)
        if not _step(session, runtime, bundle, workflow, view, answer.answers, actor=answer.answered_by,
                     now=answer.answered_at, handler=handler, result=result):
            return result
        result.steps += 1
    still_open = session.execute(select(HumanTaskRow.bpmn_id).where(HumanTaskRow.case_id == case.id,
                                                                    OPEN_TASK)).scalars().all()
    ready = sorted(v.bpmn_id for v in runtime.engine.ready_human_tasks(workflow, bundle))
    if ready != sorted(still_open):
        return _changed(result, runtime, bundle, workflow, still_open[0] if still_open else None)
    return result


def _deliver(runtime, bundle, workflow, answer, handler, result: Replay) -> bool:
    name = answer.bpmn_id.split(":", 1)[1]
    before = len(runtime.engine.completed_path(workflow))
    try:
        runtime.engine.send_message(workflow, name, dict(answer.answers), now=answer.answered_at)
        runtime.engine.run(workflow, bundle, handler, now=answer.answered_at)
    except InvalidState:
        before = None
    except SagsflowError as exc:
        result.outcome, result.error, result.element = "failed", str(exc), f"message:{name}"
        result.element_name = "kundens svar" if name == "customer_reply" else name
        return False
    if before is not None and len(runtime.engine.completed_path(workflow)) > before:
        return True     # the candidate was waiting for it and went on
    result.outcome, result.element = "changed", f"message:{name}"
    result.element_name = "kundens svar" if name == "customer_reply" else name
    result.now_asks = [v.name for v in runtime.engine.ready_human_tasks(workflow, bundle)]
    return False


def _ready(runtime, bundle, workflow, bpmn_id):
    return next((v for v in runtime.engine.ready_human_tasks(workflow, bundle) if v.bpmn_id == bpmn_id), None)


def _changed(result: Replay, runtime, bundle, workflow, expected: str | None) -> Replay:
    result.outcome = "changed"
    result.element = expected or "end"
    result.element_name = (bundle.task_meta.get(expected or "", {}).get("name") if expected else None) or \
        ("the end of the recorded steps" if expected is None else expected)
    result.now_asks = [v.name for v in runtime.engine.ready_human_tasks(workflow, bundle)]
    return result


def _replay_examples(session, runtime, bundle: DefinitionBundle, now: datetime) -> Replay:
    """The standard path with the answers in docs/examples/<task>.json, on a case that is rolled back."""
    book = handbook()
    case = add_case(session, CaseRow(case_type="incident", summary="Simulering af eksemplerne", status="registered",
                                     impact=3, urgency=3, sla_level="gold", customer_name="Eksempel Kunde",
                                     customer_email="kunde@example.org", received_at=now),
                    prefix=book.case_number_prefix["incident"])
    result = Replay("docs/examples")
    clock = {"actor": "simulering"}
    handler = _handler(session, case, lambda: clock["actor"], lambda: now)
    workflow = runtime.engine.start(bundle, start_data(case))
    runtime.engine.run(workflow, bundle, handler, now=now)
    for _ in range(60):
        ready = runtime.engine.ready_human_tasks(workflow, bundle)
        if not ready:
            return result
        view = ready[0]
        path = EXAMPLES / f"{view.bpmn_id}.json"
        if not path.exists():
            result.outcome, result.element, result.element_name = "needs_answers", view.bpmn_id, view.name
            result.fields = [f.label for f in view.form.fields if f.required]
            return result
        clock["actor"] = _actor_for(session, view, view.data)
        if not _step(session, runtime, bundle, workflow, view, json.loads(path.read_text(encoding="utf-8")),
                     actor=clock["actor"], now=now, handler=handler, result=result):
            return result
        result.steps += 1
    return result


def _actor_for(session, view, data) -> str:
    """Someone who may do the task: the lane's team (fixed or from the data), its coordinator if needed."""
    rule = lane_rules().get(view.lane or "")
    team = (rule.team or data.get(rule.team_from or "")) if rule else None
    query = select(MembershipRow.username).where(MembershipRow.team == team).order_by(MembershipRow.username)
    if rule and rule.role == "coordinator":
        query = query.where(MembershipRow.role == "coordinator")
    return session.execute(query.limit(1)).scalar_one_or_none() or "simulering"
