"""Web test set-up (issue 5): the real app on the per-test database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), a fixed clock, demo passwords (= username) with cheap argon2 parameters."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.auth import ensure_demo_passwords
from store.db import session_factory
from web.app import create_app
from web.settings import WebSettings
from webclient import API_TOKEN, Clock, WebUser

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def web_settings(tmp_path):
    return WebSettings(session_secret=SecretStr("test-session-secret-" + "x" * 32), secret_file=tmp_path / "secret",
                       api_tokens={"app.tekniker": SecretStr(API_TOKEN)}, _env_file=None)


@pytest.fixture
def app(db_engine, runtime, clock, web_settings):
    factory = session_factory(db_engine)
    with factory() as session:
        ensure_demo_passwords(session, hasher=FAST_HASHER)
        session.commit()
    return create_app(runtime.settings, session_factory=factory, web=web_settings, clock=clock, runtime=runtime)


@pytest.fixture
def web(app):
    """`web("sd.tekniker")` → a signed-in browser-like client (cookies + CSRF token)."""
    clients = []

    def sign_in(username: str | None = None) -> WebUser:
        client = TestClient(app, base_url="http://testserver")
        clients.append(client)
        user = WebUser(client)
        if username:
            user.sign_in(username)
        return user

    yield sign_in
    for client in clients:
        client.close()


def pytest_configure(config):
    # the lead registers this in pyproject; registering here too keeps --strict-markers happy meanwhile
    config.addinivalue_line("markers", "browser: drives /usr/bin/chromium with Playwright (tests/web/test_browser_e2e.py)")
