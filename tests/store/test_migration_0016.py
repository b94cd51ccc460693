"""Migration 0016 on existing data (issue 15; H-R2.2 find a case, issue 10 replay before deploy), SQLite and
PostgreSQL: a database at 0015 with cases, Work Info, completed tasks, recorded task answers and a customer's
mail reply is upgraded; the search finds what it found before (words from the case and from its Work Info,
together), new and changed rows are indexed, the task answers are on the task rows in their order with the
mail reply between them, nothing else of recorded_answer is lost; a downgrade and upgrade again keep it all."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, make_url, text

from services.case_search import CaseFilters, search_cases
from store.db import make_engine, session_factory
from store.deployments import answers_of
from store.migrate import upgrade
from store.models import CaseRow
from store.cases import add_work_info

PG_URL = os.environ.get("TEST_DATABASE_URL")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.skipif(
    not PG_URL, reason="TEST_DATABASE_URL not set: PostgreSQL runs skipped")])])
def fresh_url(request, tmp_path):
    """An empty database of its own (the shared test databases are already at head)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"sagsflow_migration_0016_{os.getpid()}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _t(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _seed_at_0015(engine) -> None:
    with engine.begin() as conn:
        run = lambda sql, **values: conn.execute(text(sql), values)
        for id_, number, summary, customer, mail in ((1, "SF-INC-000001", "Printeren på afsnit 3 virker ikke", "Hanne Hansen", "hanne@example.org"),
                                                     (2, "SF-INC-000002", "Outlook starter ikke", "Ole Olsen", "ole@example.org")):
            run("INSERT INTO case_record (id, number, case_type, summary, status, impact, urgency, sla_level, "
                "customer_name, customer_email, received_at, sla_paused) VALUES (:id, :number, 'incident', :summary, "
                "'in_progress', 3, 3, 'gold', :customer, :mail, :at, false)",
                id=id_, number=number, summary=summary, customer=customer, mail=mail, at=_t(id_))
        for id_, case_id, summary, notes in ((1, 1, "Første visitation – udført", "Hvad virker ikke: journalsystemet"),
                                             (2, 1, "Vælg team – udført", "Team: Applikationsdrift"),
                                             (3, 2, "Sag registreret", "")):
            run("INSERT INTO work_info (case_id, event, work_log_type, summary, notes, author, view_access, created_at) "
                "VALUES (:case_id, 'note', 'Working Log', :summary, :notes, 'sd.tekniker', 'internal', :at)",
                case_id=case_id, summary=summary, notes=notes, at=_t(10 + id_))
        run("INSERT INTO process_definition (id, content_hash, process_id, spec, task_meta, sources, deployed_at, deployed_by) "
            "VALUES (1, 'h', 'incident_handling', '{}', '{}', '{}', :at, 'system')", at=_t(0))
        run("INSERT INTO process_instance (id, case_id, definition_id, state, status, version, updated_at) "
            "VALUES (1, 1, 1, :state, 'running', 4, :at)", state=b"x", at=_t(20))
        for task_id, bpmn_id, minute in (("t-classify", "classify_case", 12), ("t-triage", "first_triage", 12)):
            run("INSERT INTO human_task (id, instance_id, case_id, bpmn_id, name, lane, team, role, form, status, "
                "created_at, completed_at, completed_by) VALUES (:id, 1, 1, :bpmn_id, :bpmn_id, 'service_desk', "
                "'service_desk', 'member', NULL, 'completed', :at, :at, 'sd.tekniker')",
                id=task_id, bpmn_id=bpmn_id, at=_t(minute))
        answers = [("t-classify", "classify_case", {"classification": "incident"}),
                   ("message", "message:customer_reply", {"text": "Det er 60-143B æøå"}),
                   ("t-triage", "first_triage", {"affected_count": 2, "what_not_working": "journalsystemet"}),
                   ("t-gone", "old_task", {"note": "a task row no longer there"})]
        for task_id, bpmn_id, values in answers:
            # the same instant for all: only their order (the row ids) says which came first
            run("INSERT INTO recorded_answer (case_id, task_id, bpmn_id, answers, answered_by, answered_at) "
                "VALUES (1, :task_id, :bpmn_id, :answers, 'sd.tekniker', :at)",
                task_id=task_id, bpmn_id=bpmn_id, answers=json.dumps(values), at=_t(12))


def _found(session, q: str) -> list[str]:
    return [hit.number for hit in search_cases(session, CaseFilters(q=q, sort="number"), now=T0).items]


def _check_search(session) -> None:
    assert _found(session, "printer") == ["SF-INC-000001"]             # the summary (a prefix)
    assert _found(session, "journalsystemet") == ["SF-INC-000001"]     # a Work Info entry
    assert _found(session, "hanne applikationsdrift") == ["SF-INC-000001"]   # the customer and another entry
    assert _found(session, "printer outlook") == []                   # every word, of the same case
    assert _found(session, "ole@example.org") == ["SF-INC-000002"]
    assert _found(session, "example") == ["SF-INC-000001", "SF-INC-000002"]


def _check_answers(session) -> None:
    replay = answers_of(session, [1, 2])
    assert [(a.bpmn_id, a.answers) for a in replay[1]] == [
        ("classify_case", {"classification": "incident"}), ("message:customer_reply", {"text": "Det er 60-143B æøå"}),
        ("first_triage", {"affected_count": 2, "what_not_working": "journalsystemet"}),
        ("old_task", {"note": "a task row no longer there"})]
    assert replay[2] == []
    assert {a.answered_by for a in replay[1]} == {"sd.tekniker"}


def test_migration_0016_keeps_search_and_answers_of_existing_cases(fresh_url):
    upgrade(fresh_url, "0015")
    engine = make_engine(fresh_url)
    _seed_at_0015(engine)
    upgrade(fresh_url, "head")
    schema = inspect(engine)
    assert "form" not in {c["name"] for c in schema.get_columns("human_task")}
    assert "ix_human_task_open" not in {i["name"] for i in schema.get_indexes("human_task")}
    with session_factory(engine)() as session:
        _check_search(session)
        _check_answers(session)
        remaining = session.execute(text("SELECT task_id FROM recorded_answer ORDER BY id")).scalars().all()
        assert remaining == ["message", "t-gone"]     # moved onto the task rows: the two task answers
        # written after the upgrade: indexed per row; a changed summary leaves the index with its old words
        add_work_info(session, case_id=2, event="note", work_log_type="Working Log", summary="Notat",
                      notes="Kunden bruger VPN hjemmefra", author="sd.tekniker", view_access="internal", now=T0)
        session.get(CaseRow, 2).summary = "Kalenderen synkroniserer ikke"
        session.commit()
        assert _found(session, "vpn") == ["SF-INC-000002"]
        assert _found(session, "outlook") == [] and _found(session, "kalender") == ["SF-INC-000002"]
        session.get(CaseRow, 2).summary = "Outlook starter ikke"
        session.commit()
    engine.dispose()

    from alembic import command
    from store.migrate import alembic_config
    command.downgrade(alembic_config(fresh_url), "0015")
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM recorded_answer")).scalar() == 4
    engine.dispose()
    upgrade(fresh_url, "head")
    engine = make_engine(fresh_url)
    with session_factory(engine)() as session:
        _check_search(session)
        _check_answers(session)
        assert _found(session, "vpn") == ["SF-INC-000002"]
        if engine.dialect.name == "postgresql":   # the search's expressions are the indexes' (GIN, not a scan)
            session.execute(text("SET enable_seqscan = off"))
            plan = " ".join(session.execute(text(
                "EXPLAIN SELECT case_id FROM work_info WHERE work_info_search(summary, notes) @@ to_tsquery('simple', 'vpn:*') "
                "UNION SELECT id FROM case_record WHERE case_search_head(number, remedy_incident_number, summary, "
                "customer_name, customer_email, customer_phone) @@ to_tsquery('simple', 'vpn:*')")).scalars())
            assert "ix_work_info_search" in plan and "ix_case_record_search" in plan, plan
    engine.dispose()
