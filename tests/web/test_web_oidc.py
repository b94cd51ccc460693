"""Issue 5: sign-in through the identity provider with OpenID Connect (Authlib) as an option."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from oidc_provider import OidcProvider
from store.db import session_factory
from web.app import create_app
from web.settings import WebSettings


@pytest.fixture
def provider():
    with OidcProvider("sagsflow") as idp:
        yield idp


@pytest.fixture
def oidc_app(db_engine, runtime, provider, tmp_path, clock):
    web = WebSettings(session_secret=SecretStr("s" * 40), secret_file=tmp_path / "secret", oidc_issuer=provider.issuer,
                      oidc_client_id="sagsflow", oidc_client_secret=SecretStr("client-secret"), _env_file=None)
    return create_app(runtime.settings, session_factory=session_factory(db_engine), web=web, clock=clock,
                      runtime=runtime)


def sign_in_via_idp(client, provider, username):
    start = client.get("/login/oidc", follow_redirects=False)
    assert start.status_code == 302
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["client_id"] == ["sagsflow"] and "openid" in query["scope"][0]
    provider.grant("code-1", username=username, nonce=query["nonce"][0])
    return client.get(f"/auth/callback?code=code-1&state={query['state'][0]}", follow_redirects=False)


def test_sign_in_with_the_identity_provider_uses_sagsflow_roles(oidc_app, provider):
    client = TestClient(oidc_app)
    assert "Log ind med regionens login" in client.get("/login").text
    response = sign_in_via_idp(client, provider, "net.koordinator")
    assert response.status_code in (302, 303)
    worklist = client.get("/worklist")
    assert worklist.status_code == 200 and "net.koordinator" in worklist.text


def test_an_unknown_user_from_the_identity_provider_is_refused(oidc_app, provider):
    client = TestClient(oidc_app)
    response = sign_in_via_idp(client, provider, "stranger")
    assert response.status_code == 403 and "findes ikke i Sagsflow" in response.text
    assert client.get("/worklist", follow_redirects=False).status_code in (302, 303, 401)


def test_a_forged_callback_without_state_is_refused(oidc_app, provider):
    client = TestClient(oidc_app)
    response = client.get("/auth/callback?code=nothing&state=forged", follow_redirects=False)
    assert response.status_code == 401
    assert client.get("/worklist", follow_redirects=False).status_code in (302, 303, 401)
