"""Migration 0019 (issue 15): on SQLite the times stored as text become integers (microseconds since 1970 UTC)
— every DATETIME column of every table, to the microsecond, whether SQLAlchemy wrote the text or someone
wrote it by hand with a 'T' or an offset; the application reads the same moments afterwards, and a downgrade
gives SQLAlchemy's text back. PostgreSQL's timestamptz is left alone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import select, text

from store.db import make_engine, session_factory
from store.migrate import alembic_config, upgrade
from store.models import EPOCH, CaseRow, UtcDateTime, as_utc

T0 = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=timezone.utc)
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=timezone.utc)


def _seed_at_0018(engine) -> None:
    with engine.begin() as conn:
        run = lambda sql, **values: conn.execute(text(sql), values)
        for id_, number, received, due in (
                (1, "SF-INC-000001", "2026-11-23 09:00:00.123456", "9999-12-31 00:00:00.000000"),   # as SQLAlchemy wrote
                (2, "SF-INC-000002", "2026-11-23T10:00:00.123456+01:00", "2026-11-23 09:30:00")):   # by hand
            run("INSERT INTO case_record (id, number, case_type, summary, status, impact, urgency, sla_level, "
                "customer_name, customer_email, received_at, resolution_due, sla_paused) VALUES (:id, :number, "
                "'incident', 'Printer', 'in_progress', 3, 3, 'gold', 'Kunde', 'k@example.org', :received, :due, false)",
                id=id_, number=number, received=received, due=due)
        run("INSERT INTO work_info (case_id, event, work_log_type, summary, notes, author, view_access, created_at) "
            "VALUES (1, 'note', 'Working Log', 'Notat', '', 'sd.tekniker', 'internal', '2026-11-23 09:05:00.000001')")


def test_migration_0019_turns_sqlite_text_times_into_microseconds_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0018")
    engine = make_engine(url)
    _seed_at_0018(engine)
    upgrade(url, "head")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id, received_at, resolution_due FROM case_record ORDER BY id")).all()
        typed = conn.execute(text("SELECT typeof(received_at), typeof(resolution_due) FROM case_record")).all()
        note = conn.execute(text("SELECT created_at FROM work_info")).scalar_one()
    assert set(typed) == {("integer", "integer")}
    assert stored == [(1, (T0 - EPOCH) // timedelta(microseconds=1), (NO_DEADLINE - EPOCH) // timedelta(microseconds=1)),
                      (2, (T0 - EPOCH) // timedelta(microseconds=1),
                       (datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc) - EPOCH) // timedelta(microseconds=1))]
    assert as_utc(note) == datetime(2026, 11, 23, 9, 5, 0, 1, tzinfo=timezone.utc)
    with session_factory(engine)() as session:   # what the application reads: the same moments
        cases = session.execute(select(CaseRow).order_by(CaseRow.id)).scalars().all()
        assert [c.received_at for c in cases] == [T0, T0]
        assert cases[0].resolution_due == NO_DEADLINE
        assert session.execute(select(CaseRow.number).where(CaseRow.received_at <= T0)).scalars().all() == [
            "SF-INC-000001", "SF-INC-000002"]
    command.downgrade(alembic_config(url), "0018")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT received_at, resolution_due FROM case_record ORDER BY id")).all() == [
            ("2026-11-23 09:00:00.123456", "9999-12-31 00:00:00.000000"),
            ("2026-11-23 09:00:00.123456", "2026-11-23 09:30:00.000000")]
    engine.dispose()


def test_text_from_before_the_migration_still_reads_as_the_same_moment():
    assert as_utc("2026-11-23 09:00:00.123456") == T0
    assert as_utc("2026-11-23T10:00:00.123456+01:00") == T0
    assert as_utc((T0 - EPOCH) // timedelta(microseconds=1)) == T0
    assert UtcDateTime().process_bind_param(T0, make_engine("sqlite://").dialect) == 1795424400123456
