"""Sign-in through the region's identity provider with OpenID Connect (Authlib), an option next to
local passwords (issue 5). Configure SAGSFLOW_WEB_OIDC_ISSUER, _OIDC_CLIENT_ID, _OIDC_CLIENT_SECRET;
the claim named by _OIDC_USERNAME_CLAIM (default preferred_username) must match a Sagsflow user,
whose roles come from Sagsflow's own teams and roles — the identity provider only proves who it is."""
from __future__ import annotations

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from domain.errors import Forbidden
from services.auth import principal_for
from web.auth import public, sign_in
from web.deps import redirect, render
from web.settings import WebSettings


def oidc_router(web: WebSettings) -> APIRouter | None:
    if not web.oidc_issuer:
        return None
    oauth = OAuth()
    oauth.register("idp", server_metadata_url=f"{web.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
                   client_id=web.oidc_client_id,
                   client_secret=web.oidc_client_secret.get_secret_value() if web.oidc_client_secret else None,
                   client_kwargs={"scope": "openid profile email"})
    router = APIRouter(include_in_schema=False)

    @router.get("/login/oidc", dependencies=[Depends(public())])
    async def oidc_start(request: Request):
        return await oauth.idp.authorize_redirect(request, str(request.url_for("oidc_callback")))

    @router.get("/auth/callback", name="oidc_callback", dependencies=[Depends(public())])
    async def oidc_callback(request: Request):
        try:
            token = await oauth.idp.authorize_access_token(request)
        except OAuthError as exc:
            return render(request, "login.html", {"next": "/", "error": f"Log ind via identitetsudbyderen mislykkedes "
                                                                      f"({exc.error})."}, status_code=401)
        username = str((token.get("userinfo") or {}).get(web.oidc_username_claim) or "")
        try:   # database work in the threadpool, never on the event loop
            await run_in_threadpool(_sign_in_user, request, username)
        except Forbidden:
            return render(request, "login.html", {"next": "/", "error": "Brugeren findes ikke i Sagsflow; "
                                                                      "kontakt en administrator."}, status_code=403)
        return redirect("/")

    return router


def _sign_in_user(request: Request, username: str) -> None:
    session: Session = request.app.state.session_factory()
    try:
        sign_in(request, session, principal_for(session, username=username))
        session.commit()
    finally:
        session.close()
