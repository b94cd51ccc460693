"""An open task's page: its form from the deployed definition, prefilled from the case data (H-V1),
with the case beside it (issue 12), the form's conditions for the browser and the people to choose from."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.form_conditions import show_if_tree
from domain.forms import FormSpec
from services.case_access import require_read
from services.case_context import CaseContext, build_context, diagram_facts
from services.people import people_choices
from services.runtime import Runtime
from store.models import CaseRow, HumanTaskRow
from store.process import instance_for_case


@dataclass(frozen=True)
class TaskForm:
    """An open task with its form and the values to show: prefilled from the case data (H-V1)."""

    task: HumanTaskRow
    case: CaseRow
    form: FormSpec
    values: dict
    context: CaseContext | None = None   # the case beside the form (issue 12)
    conditions: dict | None = None       # field id -> show_if as a JSON tree for the browser
    pickers: dict | None = None          # field id -> people to choose from (team_member fields)


def task_form(session: Session, runtime: Runtime, *, task_id: str, reader: str | None = None) -> TaskForm:
    """A task with its form and case; with `reader`, only if that person may read the case."""
    task = session.get(HumanTaskRow, task_id)
    if task is None:
        raise NotFound(f"unknown task {task_id}")
    case = session.get(CaseRow, task.case_id)
    if reader is not None:
        require_read(session, username=reader, case=case)
    values: dict = {}
    data: dict = {}
    instance = instance_for_case(session, case.id)
    bundle = runtime.bundle(session, instance.definition_id)
    form = runtime.engine.forms(bundle).get(task.bpmn_id) or FormSpec()   # from the definition (issue 15)
    if task.status == "open":
        data = runtime.engine.task_view(runtime.engine.load(bundle, instance.state), bundle, task_id).data
    for f in form.fields:
        values[f.id] = f.starting_value(data)   # prefill, else prefill_from (e.g. Remedy's assignment)
    context = build_context(session, case=case, bpmn_id=task.bpmn_id, data=data,
                            facts=diagram_facts(bundle.content_hash, bundle.sources))
    types = {f.id: f.type for f in form.fields}
    conditions = {f.id: tree for f in form.fields if f.show_if
                  for tree in [show_if_tree(f.show_if, types, data)] if tree is not None}
    return TaskForm(task, case, form, values, context, conditions, people_choices(session, form, data))
