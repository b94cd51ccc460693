"""Issue 15 / issue 9: on PostgreSQL a pooled connection is pinged before use only when it has been idle
(SAGSFLOW_DB_PING_AFTER_IDLE_MS, store.db._ping_when_idle) — a dead idle connection is replaced unseen; one
used moments ago is not pinged (a round trip saved on every request), and if it died in that moment its first
statement fails and the pool connects anew for the next. The server really ends the connection
(pg_terminate_backend); the pool's clock is passed in."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from config.environment import DatabaseTuning
from store.db import make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")
pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set: PostgreSQL runs skipped")]


@pytest.fixture
def clock():
    return {"now": 1000.0}


@pytest.fixture
def pooled(clock):
    engine = make_engine(PG_URL, tuning=DatabaseTuning(pool_size=1, max_overflow=0, ping_after_idle_ms=500),
                         clock=lambda: clock["now"])
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(pid: int) -> None:
    admin = make_engine(PG_URL)
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        for _ in range(200):   # the server ends it asynchronously: wait until it is gone from pg_stat_activity
            if not connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                      {"pid": pid}).scalar_one():
                break
            connection.rollback()
    admin.dispose()


def test_a_dead_connection_idle_past_the_window_is_replaced_before_anyone_sees_it(pooled, clock):
    first = _backend(pooled)
    _terminate(first)
    clock["now"] += 0.5   # idle for the whole window
    assert _backend(pooled) != first   # pinged, found dead, connected again: the statement never failed


def test_a_connection_used_moments_ago_is_not_pinged_and_a_failure_there_is_one_request_only(pooled, clock):
    first = _backend(pooled)
    _terminate(first)
    clock["now"] += 0.1   # within the window: no ping, so the dead connection is handed out
    with pytest.raises(OperationalError) as failed:
        _backend(pooled)
    assert failed.value.connection_invalidated
    assert _backend(pooled) != first   # the next request connects anew


def test_with_the_window_at_zero_every_reused_connection_is_pinged(clock):
    engine = make_engine(PG_URL, tuning=DatabaseTuning(pool_size=1, max_overflow=0, ping_after_idle_ms=0),
                         clock=lambda: clock["now"])
    try:
        first = _backend(engine)
        _terminate(first)
        assert _backend(engine) != first   # no time passed, and still replaced unseen
    finally:
        engine.dispose()
