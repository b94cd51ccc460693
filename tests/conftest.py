"""Test set-up: a real database per test — SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.

SQLite: one migrated template file per session, copied per test. PostgreSQL: migrated once per
session, all tables truncated per test. Teams and users are seeded from config for every test.
"""
from __future__ import annotations

import os

# every workflow dump is checked against the library's own serialization (engine/finished_tasks.py)
os.environ.setdefault("SAGSFLOW_ENGINE_VERIFY_DUMPS", "1")

import shutil  # noqa: E402 - the self-check must be set before the engine is imported
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, make_url, text

from config.handbook import organisation
from config.settings import Settings, get_settings
from services.deployments import deploy_release
from services.runtime import Runtime
from store.db import make_engine, session_factory
from store.directory import seed_organisation
from store.migrate import upgrade
from store.models import Base
from engine.adapter import Engine

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.skipif(
    not PG_URL, reason="TEST_DATABASE_URL not set: PostgreSQL runs skipped")])]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)   # a Monday, 10:00 in Copenhagen


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated():
    """A private database per test session on the given server, so parallel runs don't collide."""
    if not PG_URL:
        return None
    name = f"sagsflow_test_{os.getpid()}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        path = tmp_path / "sagsflow.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_migrated")
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def db_engine(db_url, shared_engine):
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        seed_organisation(session, organisation())
        # the shipped diagrams deployed by the release, as `sagsflow db upgrade` does (issue 10)
        assert not deploy_release(session, Runtime(Settings(database_url=db_url), engine=shared_engine), now=T0).problems
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def sql_log(db_engine):
    """`with sql_log() as statements:` — the SQL text of every statement sent to the test database inside
    the block, in order (SQLAlchemy's before_cursor_execute)."""
    @contextmanager
    def log():
        statements: list[str] = []
        listener = lambda _connection, _cursor, statement, *_args: statements.append(statement)
        event.listen(db_engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(db_engine, "before_cursor_execute", listener)
    return log


@pytest.fixture
def session(db_engine):
    with session_factory(db_engine)() as session:
        yield session


@pytest.fixture(scope="session")
def shared_engine():
    return Engine()


@pytest.fixture
def runtime(shared_engine, db_url):
    return Runtime(Settings(database_url=db_url), engine=shared_engine)


@pytest.fixture
def cli_env(db_url, monkeypatch):
    """Point the `sagsflow` command (run in-process) at the test database."""
    monkeypatch.setenv("SAGSFLOW_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
