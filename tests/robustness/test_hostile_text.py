"""Issue 9: a NUL byte (and other controls, U+2028) through every entry point — web forms, the REST
API, the CLI, paths and query strings — is cleaned or refused with a clear message, the same on
SQLite and PostgreSQL (which cannot store NUL), and never a 500."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.main import main
from store.models import CaseRow, WorkInfoRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from webclient import API_TOKEN, NEW_CASE, csrf_of, open_tasks, register  # noqa: E402

HOSTILE = "Skærm\x00 sort\u2028igen\x85\x1b[31m"


@pytest.fixture
def app(db_engine, runtime, tmp_path):
    from argon2 import PasswordHasher
    from pydantic import SecretStr

    from services.auth import ensure_demo_passwords
    from store.db import session_factory
    from web.app import create_app
    from web.settings import WebSettings
    from webclient import Clock

    factory = session_factory(db_engine)
    with factory() as session:
        ensure_demo_passwords(session, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        session.commit()
    web = WebSettings(session_secret=SecretStr("s" * 48), secret_file=tmp_path / "secret",
                      api_tokens={"sd.tekniker": SecretStr(API_TOKEN)}, _env_file=None)
    return create_app(runtime.settings, session_factory=factory, web=web, clock=Clock(), runtime=runtime)


@pytest.fixture
def desk(app):
    from fastapi.testclient import TestClient
    from webclient import WebUser

    with TestClient(app, raise_server_exceptions=False) as client:
        user = WebUser(client)
        user.sign_in("sd.tekniker")
        yield user


def _stored_texts(session) -> list[str]:
    texts = [c.summary for c in session.execute(select(CaseRow)).scalars()]
    for w in session.execute(select(WorkInfoRow)).scalars():
        texts += [w.summary, w.notes]
    return texts


def _assert_clean(session):
    for text in _stored_texts(session):
        assert "\x00" not in text and "\u2028" not in text and "\x1b" not in text and "\x85" not in text


def test_a_nul_in_the_sign_in_form_is_a_clear_refusal_not_a_500(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"username": "sd.tek\x00niker", "password": "x\x00",
                                               "csrf_token": token})
    assert response.status_code == 401
    assert "Forkert brugernavn eller adgangskode" in response.text


def test_web_forms_store_clean_text(desk, session):
    register(desk, summary=HOSTILE, customer_name="Hanne\x00 Hansen")
    number = session.execute(select(CaseRow.number)).scalar_one()
    response = desk.post(f"/cases/{number}/notes", {"summary": "Ringede\x00 op", "notes": "linje 1\u2028linje 2\x00"})
    assert response.status_code == 303
    task = open_tasks(desk, number)[0]
    assert desk.post(f"/tasks/{task['id']}", {"classification": "incident\x00"}).status_code in (303, 422)
    session.expire_all()
    _assert_clean(session)
    case = session.execute(select(CaseRow)).scalar_one()
    assert case.summary == "Skærm sort igen [31m" and case.customer_name == "Hanne Hansen"
    note = session.execute(select(WorkInfoRow).where(WorkInfoRow.summary == "Ringede op")).scalar_one()
    assert note.notes == "linje 1\nlinje 2"


def test_the_api_stores_clean_text(app, session):
    from fastapi.testclient import TestClient

    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {**NEW_CASE, "impact": 2, "urgency": 2, "summary": HOSTILE}
        created = client.post("/api/cases", json=body, headers=headers)
        assert created.status_code == 201, created.text
        number = created.json()["number"]
        note = client.post(f"/api/cases/{number}/work-info", json={"summary": "API\x00 note", "notes": "a\x00b"},
                           headers=headers)
        assert note.status_code == 201, note.text
    session.expire_all()
    _assert_clean(session)


@pytest.mark.parametrize("path", ["/cases/SF%00", "/api/cases/SF-INC-1%00", "/worklist?q=%00x", "/login?next=%00"])
def test_control_characters_in_a_path_or_query_are_refused_with_400(app, path):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path, headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert response.status_code == 400
    assert "ugyldige tegn" in response.text


def test_an_oversized_form_body_is_refused_with_413(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/login", data={"username": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413


def test_the_cli_stores_clean_text(cli_env, db_engine, session, capsys):
    code = main(["case", "open", "--type", "incident", "--summary", HOSTILE, "--impact", "3", "--urgency", "3",
                 "--sla-level", "bronze", "--customer", "Kunde\x00 Navn", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    number = json.loads(out)["number"]
    assert main(["case", "show", number + "\x00"]) == 0   # the argument is cleaned like any other text
    assert "refused" not in capsys.readouterr().err
    session.expire_all()
    _assert_clean(session)
