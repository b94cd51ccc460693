"""Migration 0018 (issue 15): ix_human_task_worklist holds open tasks only, and the statements that need it
still use it — they name the state as a literal (store.models.OPEN_TASK): a PostgreSQL generic plan (what a
prepared statement runs after a few executions) passes a partial index by when the state is a parameter."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from services import worklist
from store.models import OPEN_TASK, HumanTaskRow


def _index_definition(session) -> str:
    if session.get_bind().dialect.name == "sqlite":
        return session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_human_task_worklist'")).scalar_one()
    return session.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_human_task_worklist'")
                           ).scalar_one()


def _plan(session, statement) -> str:
    compiled = statement.compile(dialect=session.get_bind().dialect)
    params = compiled.construct_params()
    connection = session.connection()
    if session.get_bind().dialect.name == "sqlite":
        args = tuple(params[name] for name in compiled.positiontup)
        return " / ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args))
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")   # a tiny table: which index can serve at all
    return " / ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", params))


def test_the_worklist_index_is_partial_over_open_tasks(session):
    assert "status" in _index_definition(session) and "'open'" in _index_definition(session)


@pytest.mark.parametrize("view", ["team", "unassigned"])
def test_the_worklist_statements_use_the_partial_index(session, view):
    shape = worklist._view_shape(session, username="app.tekniker", view=view, priority=None, status=None, team=None,
                                 search=None)
    for statement in worklist._row_statements(shape, 200) + worklist._count_statements(shape):
        assert "ix_human_task_worklist" in _plan(session, statement)


def test_a_team_s_open_tasks_use_it(session):
    assert "ix_human_task_worklist" in _plan(session, select(HumanTaskRow.id).where(OPEN_TASK,
                                                                                  HumanTaskRow.team == "service_desk"))


def test_on_postgresql_a_generic_plan_needs_the_literal(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite plans with the bound value")
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    connection.exec_driver_sql("PREPARE by_literal(text) AS SELECT id FROM human_task WHERE status = 'open' AND team = $1")
    connection.exec_driver_sql("PREPARE by_parameter(text) AS SELECT id FROM human_task WHERE status = $1 AND team = 'service_desk'")
    literal = " / ".join(r[0] for r in connection.exec_driver_sql("EXPLAIN EXECUTE by_literal('service_desk')"))
    parameter = " / ".join(r[0] for r in connection.exec_driver_sql("EXPLAIN EXECUTE by_parameter('open')"))
    connection.exec_driver_sql("DEALLOCATE ALL")
    assert "ix_human_task_worklist" in literal and "ix_human_task_worklist" not in parameter
