"""The hot path's Core writes (store/core_writes.py, issue 15): queued Work Info is seen by the same
transaction's queries, written once per table, kept by a savepoint that began after it, forgotten by a
rollback; a version-guarded save of a changed instance raises StaleDataError as the ORM would; an
object written by `write_changes` is left clean (nothing for the next flush)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from services.cases import NewCase, open_case
from store.cases import add_work_info
from store.core_writes import pending_rows, write_changes
from domain.errors import InvalidState
from store.models import CaseRow, HumanTaskRow, ProcessInstanceRow, WorkInfoRow
from store.process import complete_task_row, save_instance

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
NEW = NewCase(case_type="incident", summary="Printeren på afsnit 3 virker ikke", customer_name="Kunde", impact=3,
              urgency=3, sla_level="silver", customer_email="kunde@example.org")


@pytest.fixture
def case(session, runtime):
    case = open_case(session, runtime, new=NEW, actor="sd.tekniker", now=T0)
    session.commit()
    return case


def _entry(session, case, summary: str) -> None:
    add_work_info(session, case_id=case.id, event="note", work_log_type="General Information", summary=summary,
                  notes="", author="sd.tekniker", view_access="internal", now=T0)


def _summaries(session, case) -> list[str]:
    return list(session.execute(select(WorkInfoRow.summary).where(WorkInfoRow.case_id == case.id,
                                                                  WorkInfoRow.event == "note")
                                .order_by(WorkInfoRow.id)).scalars())


def test_queued_rows_are_seen_by_a_query_and_go_in_one_statement(session, case, sql_log):
    def inserts():
        return [statement for statement in statements if "INSERT INTO work_info" in statement]

    with sql_log() as statements:
        _entry(session, case, "første")
        _entry(session, case, "anden")
        assert inserts() == [] and len(pending_rows(session, WorkInfoRow.__table__)) == 2
        assert _summaries(session, case) == ["første", "anden"]   # the query wrote them first
        assert len(inserts()) == 1
    session.commit()
    assert _summaries(session, case) == ["første", "anden"]


def test_a_rollback_forgets_queued_rows_and_a_savepoint_keeps_the_earlier_ones(session, case):
    _entry(session, case, "glemt")
    session.rollback()
    assert pending_rows(session, WorkInfoRow.__table__) == []
    _entry(session, case, "før savepoint")
    savepoint = session.begin_nested()
    _entry(session, case, "i savepoint")
    savepoint.rollback()
    session.commit()
    assert _summaries(session, case) == ["før savepoint"]


def test_a_commit_writes_queued_rows_of_a_new_case_after_the_case(session, runtime):
    case = CaseRow(case_type="incident", summary="Ny", status="new", impact=3, urgency=3, sla_level="silver",
                   customer_name="Kunde", received_at=T0)
    session.add(case)
    session.flush()
    _entry(session, case, "på ny sag")
    session.commit()
    assert _summaries(session, case) == ["på ny sag"]


def test_saving_an_instance_someone_else_changed_is_refused(session, case, db_engine):
    instance = session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case.id)).scalar_one()
    version = instance.version
    with db_engine.begin() as other:   # another process's step in between
        other.execute(ProcessInstanceRow.__table__.update().where(ProcessInstanceRow.__table__.c.id == instance.id)
                      .values(version=version + 1))
    with pytest.raises(StaleDataError):
        save_instance(session, instance, state=instance.state, status="running", now=T0)
    session.rollback()
    stored = session.get(ProcessInstanceRow, instance.id)
    session.refresh(stored)
    assert stored.version == version + 1


def test_a_saved_instance_and_a_written_case_leave_nothing_to_flush(session, case):
    instance = session.execute(select(ProcessInstanceRow).where(ProcessInstanceRow.case_id == case.id)).scalar_one()
    version = instance.version
    save_instance(session, instance, state=instance.state, status="running", now=T0)
    case.summary = "Printeren virker stadig ikke"
    write_changes(session, case)
    assert instance.version == version + 1 and not session.dirty
    session.commit()
    assert session.execute(select(func.count()).select_from(CaseRow)
                           .where(CaseRow.summary == "Printeren virker stadig ikke")).scalar_one() == 1
    assert session.execute(select(ProcessInstanceRow.version).where(ProcessInstanceRow.id == instance.id)
                           ).scalar_one() == version + 1


def test_completing_a_task_someone_else_just_completed_is_refused(session, case, db_engine):
    task = session.execute(select(HumanTaskRow).where(HumanTaskRow.case_id == case.id,
                                                      HumanTaskRow.status == "open")).scalars().first()
    with db_engine.begin() as other:   # the colleague's completion, committed in between
        other.execute(HumanTaskRow.__table__.update().where(HumanTaskRow.__table__.c.id == task.id)
                      .values(status="completed", completed_by="sd.tekniker2"))
    with pytest.raises(InvalidState, match="just completed or cancelled"):
        complete_task_row(session, task, by="sd.tekniker", at=T0, answers={"a": 1}, sequence=1)
    session.rollback()
    stored = session.execute(select(HumanTaskRow.completed_by, HumanTaskRow.answers)
                             .where(HumanTaskRow.id == task.id)).one()
    assert tuple(stored) == ("sd.tekniker2", None)
