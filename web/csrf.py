"""CSRF protection for every state-changing request made with the session cookie (issue 5):
a random token per session (synchronizer token), sent back as the form field `csrf_token` or the
header `X-CSRF-Token`; anything else is refused with 403. Bearer-token API calls carry no cookie
and need no token. The cookie itself is SameSite=Lax and HttpOnly."""
from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from domain.errors import Forbidden

SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(Forbidden):
    code = "csrf_rejected"


def csrf_token(request: Request) -> str:
    """The session's token, created on first use."""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


async def verify_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise CsrfRejected("Formularen er udløbet eller mangler sikkerhedsnøglen (CSRF). Genindlæs siden og prøv igen.")
