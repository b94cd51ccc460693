"""Issue 9: server-side sessions (ended by sign-out and by a password change, idle and absolute
timeouts, a new session on every sign-in, Secure cookies over HTTPS) and sign-in throttling per
account and per client address (growing delay, then a lock; 429 with Retry-After), recorded in an
audit log administrators read."""
from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.auth import set_password
from store.models import AuthEventRow, WebSessionRow
from webclient import WebUser, csrf_of


def _attempt(client, username, password):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"},
                       follow_redirects=False)


def test_a_cookie_replayed_after_sign_out_is_refused_with_its_csrf_token(web):
    user = web("app.tekniker")
    stolen_cookie = user.client.cookies.get("sagsflow_session")
    stolen_csrf = user.csrf
    assert user.get("/worklist").status_code == 200
    assert user.post("/logout").status_code == 303
    thief = TestClient(user.client.app)
    thief.cookies.set("sagsflow_session", stolen_cookie)
    assert thief.get("/worklist", follow_redirects=False).headers["location"].startswith("/login")
    api = thief.get("/api/me", headers={"Accept": "application/json"})
    assert api.status_code == 401
    note = thief.post("/api/cases/SF-INC-000001/work-info", json={"summary": "Skrevet af en tyv"},
                      headers={"X-CSRF-Token": stolen_csrf})
    assert note.status_code == 401


def test_a_password_change_ends_every_session_of_the_user(web, app, clock):
    user = web("app.tekniker")
    assert user.get("/worklist").status_code == 200
    with app.state.session_factory() as session:
        set_password(session, username="app.tekniker", password="ny-adgangskode", now=clock())
        session.commit()
    assert user.get("/worklist", follow_redirects=False).status_code == 303


def test_an_idle_session_ends_and_a_busy_one_ends_after_a_working_day(web, clock):
    idle = web("app.tekniker")
    clock.advance(hours=2, seconds=1)
    assert idle.get("/worklist", follow_redirects=False).status_code == 303
    busy = web("app.tekniker")
    for _ in range(19):   # a request every half hour for 9.5 hours: still signed in
        clock.advance(minutes=30)
        assert busy.get("/worklist").status_code == 200
    clock.advance(minutes=31)
    assert busy.get("/worklist", follow_redirects=False).status_code == 303


def test_every_sign_in_starts_a_new_server_side_session(web, app):
    user = web("app.tekniker")
    first = user.client.cookies.get("sagsflow_session")
    user.sign_in("app.tekniker")
    assert user.client.cookies.get("sagsflow_session") != first
    with app.state.session_factory() as session:
        rows = session.execute(select(WebSessionRow).where(WebSessionRow.username == "app.tekniker")).scalars().all()
    assert len(rows) == 2


def test_cookies_are_secure_over_https(app):
    with TestClient(app, base_url="https://sagsflow.example.dk") as client:
        response = client.get("/login")
    cookies = response.headers.get_list("set-cookie")
    assert cookies and all("secure" in c.lower() for c in cookies)


def test_cookies_are_not_marked_secure_over_plain_http_on_loopback(app):
    with TestClient(app) as client:
        response = client.get("/login")
    assert all("secure" not in c.lower() for c in response.headers.get_list("set-cookie"))


def test_guessing_a_password_is_slowed_then_locked_and_the_right_password_waits_too(app, clock):
    with TestClient(app) as client:
        for _ in range(3):
            assert _attempt(client, "app.tekniker", "forkert").status_code == 401
        refused = _attempt(client, "app.tekniker", "forkert")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "Vent" in refused.text
        for _ in range(7):   # a patient guesser waits out every growing delay
            clock.advance(seconds=61)
            assert _attempt(client, "app.tekniker", "forkert").status_code == 401
        clock.advance(seconds=61)
        locked = _attempt(client, "app.tekniker", "app.tekniker")   # the right password
        assert locked.status_code == 429 and "spærret" in locked.text
        clock.advance(minutes=15)
        assert _attempt(client, "app.tekniker", "app.tekniker").status_code == 303
    with app.state.session_factory() as session:
        kinds = [e.kind for e in session.execute(select(AuthEventRow).where(AuthEventRow.username == "app.tekniker")
                                                  .order_by(AuthEventRow.id)).scalars()]
    assert kinds.count("sign_in_failed") == 10 and kinds.count("locked") == 1 and kinds[-1] == "sign_in_ok"


def test_one_client_guessing_many_accounts_is_throttled(app, clock):
    with TestClient(app) as client:
        statuses = []
        for i in range(12):
            statuses.append(_attempt(client, f"ukendt{i}", "forkert").status_code)
    assert statuses[:10] == [401] * 10 and 429 in statuses[10:]


def test_administrators_read_the_audit_log(web, app):
    _attempt(web(None).client, "app.tekniker", "forkert")
    admin = web("admin")
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    assert "Forkert adgangskode" in page.text and "Logget ind" in page.text
    assert web("app.koordinator").get("/admin/audit").status_code == 403


def test_the_username_is_not_case_sensitive_at_sign_in(app):
    with TestClient(app) as client:
        assert _attempt(client, "App.Tekniker", "app.tekniker").status_code == 303
        assert client.get("/api/me").json()["username"] == "app.tekniker"
