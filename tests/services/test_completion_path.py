"""Issue 15: the persisted completion path — forms come from the deployed definition (no copy per
task row), and the workflows kept in memory between steps never change what a step does: a rolled
back step, another process's step or a cleared cache give the same result as restoring from the row."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from cli.demo import STEPS
from config.settings import Settings
from domain.errors import InvalidState
from services.cases import NewCase, open_case
from services.runtime import Runtime
from services.tasks import complete_task, list_tasks
from store.models import CaseRow, HumanTaskRow, OutboxRow, ProcessInstanceRow, WaitingTimerRow, WorkInfoRow

from casewalk import T0

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NEW = NewCase(case_type="incident", summary="Journalsystemet kan ikke åbnes", impact=2, urgency=1, sla_level="gold",
              customer_name="Test Kunde", customer_email="kunde@example.org", customer_phone="24681357")


def _open(session, runtime) -> str:
    number = open_case(session, runtime, new=NEW, actor="sd.tekniker", now=T0).number
    session.commit()
    return number


def _step(session, runtime, number: str, index: int) -> dict:
    bpmn_id, actor, data = STEPS[index]
    session.expire_all()
    task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
    result = complete_task(session, runtime, task_id=task["id"], username=actor, data=data,
                           now=T0 + timedelta(minutes=5 * (index + 1)))
    session.commit()
    return result


def _outcome(session, number: str) -> dict:
    """Everything a walk leaves in the database for one case (case number and task ids taken out of keys)."""
    session.expire_all()
    case_id = session.execute(select(CaseRow.id).where(CaseRow.number == number)).scalar_one()
    instance = session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case_id)).scalar_one()
    tasks = session.execute(select(HumanTaskRow.bpmn_id, HumanTaskRow.status, HumanTaskRow.sla_due_at)
                            .where(HumanTaskRow.case_id == case_id)
                            .order_by(HumanTaskRow.created_at, HumanTaskRow.bpmn_id)).all()
    return {"tasks": [tuple(t) for t in tasks],
            "work_info": list(session.execute(select(WorkInfoRow.event, WorkInfoRow.summary, WorkInfoRow.notes)
                                              .where(WorkInfoRow.case_id == case_id).order_by(WorkInfoRow.id)).all()),
            "outbox": sorted(UUID.sub("ID", k.replace(number, "N")) for (k,) in session.execute(
                select(OutboxRow.idempotency_key).where(OutboxRow.case_id == case_id))),
            "timers": sorted(b for (b,) in session.execute(select(WaitingTimerRow.bpmn_id)
                                                           .where(WaitingTimerRow.instance_id == instance.id))),
            "case": session.execute(select(CaseRow.status, CaseRow.priority, CaseRow.team, CaseRow.assignee,
                                           CaseRow.started_at, CaseRow.resolved_at, CaseRow.closed_at,
                                           CaseRow.resolution_due, CaseRow.next_sla_check_at)
                                    .where(CaseRow.id == case_id)).one(),
            "instance": (instance.status, instance.version, instance.failed_at)}


def test_a_task_row_holds_no_form_and_every_reader_gets_it_from_the_definition(session, runtime):
    number = _open(session, runtime)
    # migration 0013 emptied the copy, 0016 dropped the column
    assert "form" not in {c["name"] for c in inspect(session.get_bind()).get_columns("human_task")}
    listed = list_tasks(session, case_number=number)
    assert [t["bpmn_id"] for t in listed] == ["classify_case"]
    assert "classification" in {f["id"] for f in listed[0]["fields"]}


def test_the_standard_path_gives_the_same_outcome_with_and_without_the_workflow_cache(session, runtime, db_url,
                                                                                     shared_engine):
    restoring = Runtime(Settings(database_url=db_url), engine=shared_engine, workflow_cache_size=0)
    cached_case, restored_case = _open(session, runtime), _open(session, restoring)
    for index in range(len(STEPS)):   # interleaved: the same steps at the same times on two cases
        _step(session, runtime, cached_case, index)
        _step(session, restoring, restored_case, index)
    cached, restored = _outcome(session, cached_case), _outcome(session, restored_case)
    assert cached["instance"][0] == "completed" and cached["tasks"][-1][:2] == ("closure_checklist", "completed")
    assert cached == restored


def test_a_rolled_back_step_is_not_served_from_memory(session, runtime):
    number = _open(session, runtime)
    _step(session, runtime, number, 0)
    bpmn_id, actor, data = STEPS[1]
    task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
    complete_task(session, runtime, task_id=task["id"], username=actor, data=data, now=T0 + timedelta(minutes=10))
    session.rollback()   # the workflow object went on to the next task; the database did not
    result = _step(session, runtime, number, 1)   # must complete again, from the stored state
    assert result["task"] == task["id"]
    assert [t["bpmn_id"] for t in list_tasks(session, case_number=number)] == ["choose_team"]


def test_a_step_made_by_another_process_is_seen(session, runtime, db_url, shared_engine):
    number = _open(session, runtime)
    _step(session, runtime, number, 0)                       # this process keeps the workflow in memory
    other = Runtime(Settings(database_url=db_url), engine=shared_engine)
    _step(session, other, number, 1)                         # another process advances the instance
    result = _step(session, runtime, number, 2)              # a stale copy would not know choose_team
    assert result["status"] and [t["bpmn_id"] for t in list_tasks(session, case_number=number)] == [STEPS[3][0]]


def test_a_task_completed_twice_is_refused_whatever_the_cache_holds(session, runtime):
    number = _open(session, runtime)
    bpmn_id, actor, data = STEPS[0]
    task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
    _step(session, runtime, number, 0)
    with pytest.raises(InvalidState):
        complete_task(session, runtime, task_id=task["id"], username=actor, data=data, now=T0 + timedelta(minutes=9))
    session.rollback()


def test_a_committed_step_keeps_its_workflow_and_a_step_in_progress_or_rolled_back_does_not(session, runtime):
    number = _open(session, runtime)   # opening the case commits its first projection
    assert len(runtime._workflows) == 1
    bpmn_id, actor, data = STEPS[0]
    task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
    complete_task(session, runtime, task_id=task["id"], username=actor, data=data, now=T0 + timedelta(minutes=5))
    assert len(runtime._workflows) == 0   # in use by this transaction: nobody else gets it
    session.rollback()
    assert len(runtime._workflows) == 0   # rolled back: forgotten, the next step restores from the row
    _step(session, runtime, number, 0)
    assert len(runtime._workflows) == 1


def test_the_standard_path_takes_at_most_8_statements_per_completion_at_the_median(session, runtime, db_engine):
    """Issue 15: a step's Work Info rows go in one INSERT (on SQLite through work_info.insert_order) and a
    case's contact attempts are read once per transaction — counted on the database connection."""
    from sqlalchemy import event

    number = _open(session, runtime)
    statements: list[str] = []
    listener = lambda _conn, _cursor, statement, *_rest: statements.append(statement)   # noqa: E731
    event.listen(db_engine, "before_cursor_execute", listener)
    per_step, inserts, written = [], {}, {}
    count_rows = select(func.count()).select_from(WorkInfoRow)
    try:
        for index, (bpmn_id, actor, data) in enumerate(STEPS):
            session.expire_all()
            task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
            before = session.execute(count_rows).scalar_one()
            statements.clear()
            complete_task(session, runtime, task_id=task["id"], username=actor, data=data,
                          now=T0 + timedelta(minutes=5 * (index + 1)))
            session.commit()
            per_step.append(len(statements))
            inserts[bpmn_id] = sum(s.startswith("INSERT INTO work_info") for s in statements)
            selects = [s for s in statements if s.startswith("SELECT") and "FROM contact_attempt" in s]
            assert len(selects) <= 1, (bpmn_id, selects)   # read once, whoever asks within the step
            written[bpmn_id] = session.execute(count_rows).scalar_one() - before
    finally:
        event.remove(db_engine, "before_cursor_execute", listener)
    ordered = sorted(per_step)
    assert (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2 <= 8, per_step
    # starting work writes the task's entry and its service tasks' entries in one flush: one statement
    assert written["work_on_case"] >= 3 and inserts["work_on_case"] == 1, (written, inserts)


def test_contact_attempts_read_in_a_transaction_see_an_attempt_added_in_it_and_forget_at_commit(session, runtime):
    from store.contacts import add_attempt, attempts_of
    from store.models import ContactAttemptRow

    number = _open(session, runtime)
    case_id = session.execute(select(CaseRow.id).where(CaseRow.number == number)).scalar_one()
    assert attempts_of(session, case_id) == []
    first = add_attempt(session, case_id=case_id, channel="phone", direction="outbound", at=T0, outcome="reached",
                        counts=True, confirmed=False, note="", actor="sd.tekniker", source_key="call:a")
    assert [a.source_key for a in attempts_of(session, case_id)] == ["call:a"]
    again = add_attempt(session, case_id=case_id, channel="phone", direction="outbound", at=T0, outcome="reached",
                        counts=True, confirmed=False, note="", actor="sd.tekniker", source_key="call:a")
    assert again is first   # a retried step adds no second row
    # a row added some other way is seen too (the case's memory is dropped at the flush)
    session.add(ContactAttemptRow(case_id=case_id, channel="mail", direction="inbound", at=T0 + timedelta(hours=1),
                                  outcome="reply", counts=True, confirmed=False, note="", actor="kunde",
                                  source_key="mail-in:x"))
    session.flush()
    assert [a.source_key for a in attempts_of(session, case_id)] == ["call:a", "mail-in:x"]
    session.commit()
    # another transaction's row is seen after a commit
    with session.bind.connect() as other:
        other.execute(ContactAttemptRow.__table__.insert().values(
            case_id=case_id, channel="phone", direction="outbound", at=T0 + timedelta(hours=2), outcome="no_answer",
            counts=True, confirmed=False, note="", actor="sd.tekniker", source_key="call:b"))
        other.commit()
    assert [a.source_key for a in attempts_of(session, case_id)] == ["call:a", "mail-in:x", "call:b"]
