"""Issue 9: many people at once and a dead or silent database. Nothing blocks the event loop: the
role guard and every database route run in the threadpool; a small pool under many concurrent
requests never deadlocks; a silent or refused database gives a fast 503 (JSON under /api, a Danish
page elsewhere), /healthz stays alive and /readyz says "unavailable" within its timeout; the CLI
prints one line."""
from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from config.database import DatabaseSettings
from config.settings import Settings
from store.db import make_engine, session_factory
from web.app import create_app
from web.auth import ALL_ROLES, requires
from web.deps import db_session
from web.loop_guard import blocking_async_calls, refuse_blocking_async
from web.settings import WebSettings

from live import closed_port, served, silent_peer
from webclient import csrf_of


def test_an_async_route_that_reaches_the_database_is_refused_at_start(app):
    router = APIRouter()

    @router.get("/blocking", dependencies=[Depends(requires(*ALL_ROLES))])
    async def blocking(session: Session = Depends(db_session)) -> dict:
        return {"n": 1}

    app.include_router(router)
    with pytest.raises(RuntimeError, match="/blocking"):
        refuse_blocking_async(app)


def test_the_shipped_app_has_no_async_code_that_reaches_the_database(app):
    assert blocking_async_calls(app) == []


def _sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": username, "next": "/",
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text


def test_64_concurrent_requests_on_a_pool_of_two_connections_all_answer(db_url, db_engine, runtime, web_settings):
    """On the old async guard the 3rd concurrent request blocked the loop waiting for a connection
    and no connection was ever given back: every request hung. Bounded: 60 s for all of them."""
    from argon2 import PasswordHasher

    from services.auth import ensure_demo_passwords

    tuning = DatabaseSettings(pool_size=2, max_overflow=0, pool_timeout_s=30, _env_file=None)
    engine = make_engine(db_url, tuning=tuning)
    factory = session_factory(engine)
    with factory() as session:
        ensure_demo_passwords(session, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        session.commit()
    app = create_app(runtime.settings, session_factory=factory, web=web_settings, runtime=runtime)
    with served(app) as url:
        clients = []
        for _ in range(8):
            client = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
            _sign_in(client, "app.tekniker")
            clients.append(client)
        started = time.monotonic()
        with ThreadPoolExecutor(64) as pool:
            statuses = list(pool.map(lambda i: clients[i % 8].get("/worklist?view=team").status_code, range(64)))
        elapsed = time.monotonic() - started
        for client in clients:
            client.close()
    engine.dispose()
    assert statuses == [200] * 64
    assert elapsed < 60


@pytest.fixture
def silent_app(tmp_path):
    with silent_peer() as port:
        url = f"postgresql://postgres@127.0.0.1:{port}/test"
        tuning = DatabaseSettings(pool_size=2, max_overflow=2, connect_timeout_s=1, pool_timeout_s=2,
                                  readiness_timeout_s=1, _env_file=None)
        engine = make_engine(url, tuning=tuning)
        app = create_app(Settings(database_url=url), session_factory=session_factory(engine),
                         web=WebSettings(secret_file=tmp_path / "secret", _env_file=None))
        app.state.db_tuning = tuning
        yield app, url
        engine.dispose()


def test_a_silent_database_gives_fast_clear_answers(silent_app):
    app, _ = silent_app
    with served(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        started = time.monotonic()
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/static/app.css").status_code in (200, 404)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        api = client.get("/api/me", headers={"Authorization": "Bearer x" * 30})
        # an unknown token is refused before any database work; a cookie request needs the database
        client.cookies.set("sagsflow_session", "garbage")
        page = client.post("/login", data={"username": "sd.tekniker", "password": "x"})
        assert time.monotonic() - started < 15
    assert api.status_code == 401
    assert page.status_code in (403, 503)
    assert "Internal Server Error" not in page.text


def test_a_refused_database_is_503_json_under_api_and_a_danish_page_elsewhere(tmp_path, web_settings):
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    engine = make_engine(url, tuning=DatabaseSettings(connect_timeout_s=1, _env_file=None))
    app = create_app(Settings(database_url=url), session_factory=session_factory(engine), web=web_settings)
    from fastapi.testclient import TestClient
    from webclient import API_TOKEN

    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.get("/api/cases/INC1", headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert api.status_code == 503
        assert api.headers["content-type"].startswith("application/json")
        assert api.json()["error"] == "database_unavailable"
        page = client.get("/login")
        token = csrf_of(page.text)
        signed = client.post("/login", data={"username": "sd.tekniker", "password": "sd.tekniker",
                                             "csrf_token": token})
        assert signed.status_code == 503
        assert "Databasen svarer ikke" in signed.text and "text/html" in signed.headers["content-type"]
    engine.dispose()


def test_the_cli_prints_one_line_when_the_database_is_silent(silent_app, tmp_path):
    _, url = silent_app
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "cli.main", "case", "show", "INC000000000001"],
                            capture_output=True, text=True, timeout=60,
                            env={"SAGSFLOW_DATABASE_URL": url, "SAGSFLOW_DB_CONNECT_TIMEOUT_S": "1",
                                 "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, cwd=str(_root()))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and "database cannot be reached" in result.stderr
    assert time.monotonic() - started < 30


def _root():
    from config.settings import ROOT
    return ROOT


def _holding_app(db_url, db_engine, runtime, web_settings, tuning):
    """The app with two test routes that keep their database session until `release` is set."""
    import threading

    release = threading.Event()
    router = APIRouter()

    @router.get("/_hold")
    def hold_read(session: Session = Depends(db_session)) -> dict:
        release.wait(30)
        return {"held": "read"}

    @router.post("/_hold")
    def hold_write(session: Session = Depends(db_session)) -> dict:
        release.wait(30)
        return {"held": "write"}

    app = create_app(runtime.settings, session_factory=session_factory(db_engine), web=web_settings, runtime=runtime)
    app.router.routes[:0] = router.routes    # ahead of the app's catch-all pages
    app.state.db_tuning = tuning
    return app, release


def test_sqlite_writers_queue_for_their_turn_and_a_timed_out_writer_gives_it_back(db_url, db_engine, runtime,
                                                                                   web_settings):
    """SQLite: one writer at a time (`sqlite_writers`), readers beside it. A writer that got its
    turn but no slot within the queue timeout answers 503 and hands its turn on — otherwise every
    later write would wait for good."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the writer turn is SQLite's (PostgreSQL has row locks)")
    tuning = DatabaseSettings(sqlite_slots=1, sqlite_writers=1, queue_timeout_s=0.5, _env_file=None)
    app, release = _holding_app(db_url, db_engine, runtime, web_settings, tuning)
    with served(app) as url, ThreadPoolExecutor(2) as pool:
        reader = pool.submit(httpx.get, f"{url}/_hold", timeout=30)
        deadline = time.monotonic() + 10
        while getattr(app.state, "db_slots", None) is None or app.state.db_slots.borrowed_tokens < 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        waiting = httpx.post(f"{url}/_hold", timeout=30)       # gets the writer turn, never the slot
        assert waiting.status_code == 503
        assert app.state.db_writers.borrowed_tokens == 0        # the turn was handed back
        release.set()
        assert reader.result().json() == {"held": "read"}
        assert httpx.post(f"{url}/_hold", timeout=30).json() == {"held": "write"}
    assert app.state.db_slots.borrowed_tokens == 0 and app.state.db_writers.borrowed_tokens == 0


def test_many_concurrent_writers_and_readers_on_sqlite_all_answer(db_url, db_engine, runtime, web_settings):
    tuning = DatabaseSettings(sqlite_slots=4, sqlite_writers=1, queue_timeout_s=30, _env_file=None)
    app, release = _holding_app(db_url, db_engine, runtime, web_settings, tuning)
    release.set()
    with served(app) as url, ThreadPoolExecutor(32) as pool:
        calls = [pool.submit(httpx.post if i % 2 else httpx.get, f"{url}/_hold", timeout=60) for i in range(64)]
        bodies = [call.result().json()["held"] for call in calls]
    assert bodies.count("write") == 32 and bodies.count("read") == 32
    assert app.state.db_slots.borrowed_tokens == 0
    if app.state.db_writers is not None:
        assert app.state.db_writers.borrowed_tokens == 0
