"""Who is calling and what they may do (issue 5): the session cookie set at sign-in, or an API
bearer token from settings; a role guard on every route — deny by default (`create_app` refuses to
start when a route has no guard). Roles: technician, coordinator (from team memberships),
process_owner, admin (from the user's roles)."""
from __future__ import annotations

import functools
import hmac
import inspect
import typing
from datetime import timedelta

from fastapi import Depends, Request, params
from sqlalchemy.orm import Session

from domain.errors import Forbidden, SagsflowError
from services.auth import ROLES, Principal, principal_for
from services.web_sessions import SessionPolicy, end_session, session_user, start_session
from web.csrf import verify_csrf
from web.deps import db_session, now

SESSION_USER = "user"
SESSION_TOKEN = "sid"
WORK_ROLES = ("technician", "coordinator")
ALL_ROLES = ROLES
MIN_TOKEN_LENGTH = 24


class NotSignedIn(SagsflowError):
    code = "not_signed_in"


def _bearer_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    found = None
    for username, secret in request.app.state.web.api_tokens.items():
        value = secret.get_secret_value()
        if len(value) >= MIN_TOKEN_LENGTH and hmac.compare_digest(value.encode(), token.strip().encode()):
            found = username
    if found is None:
        raise NotSignedIn("unknown API token")
    return found


async def csrf_checked(request: Request) -> str | None:
    """The bearer user, or None after the CSRF check of a cookie request. Async because it may read
    the posted form; it touches no database (the bearer tokens are settings)."""
    username = _bearer_user(request)
    if username is None and request.session.get(SESSION_USER):
        await verify_csrf(request)
    return username


def requires(*roles: str):
    """A dependency that lets in only signed-in users with one of `roles` (and checks CSRF for
    cookie-authenticated state changes). Returns the Principal.

    A plain `def`: it queries the database, so FastAPI runs it in the threadpool — never on the
    event loop, where a wait for a pooled connection would freeze every request."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def guard(request: Request, bearer: str | None = Depends(csrf_checked),
              session: Session = Depends(db_session)) -> Principal:
        username = bearer
        if username is None:
            username = _session_user(request, session)
        try:
            principal = principal_for(session, username=username)
        except Forbidden:
            request.session.clear()
            raise NotSignedIn("the user is no longer active") from None
        request.state.principal = principal
        if not principal.has_any(roles):
            raise Forbidden(f"this page needs one of the roles: {', '.join(roles)}")
        return principal

    guard.sagsflow_guard = roles   # type: ignore[attr-defined]  # read by the deny-by-default check
    return guard


def in_one_hop(*roles: str):
    """A plain-def endpoint that takes `principal` runs its role guard itself, first, in the same trip
    through the threadpool (issue 15): FastAPI runs every plain-def dependency, the endpoint and the
    response model's validation each in a thread of their own, and on a busy machine every hop waits
    for a core. The guard is `requires(*roles)`, called exactly as its dependency would be; a `Depends(now)`
    parameter is read from the app's clock in the same thread; what the endpoint left uncommitted is rolled
    back there too, so the session closes without I/O; the answer is encoded without a response model
    (the endpoints return plain dictionaries or a finished response)."""
    guard = requires(*roles)

    def decorate(endpoint):
        hints = typing.get_type_hints(endpoint, include_extras=True)
        clocks, kept = [], []
        for parameter in inspect.signature(endpoint).parameters.values():
            if parameter.name == "principal":
                continue
            if isinstance(parameter.default, params.Depends) and parameter.default.dependency is now:
                clocks.append(parameter.name)
                continue
            kept.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                          annotation=hints.get(parameter.name, parameter.annotation)))
        names = {parameter.name for parameter in kept}
        extra = [inspect.Parameter("sagsflow_bearer", inspect.Parameter.KEYWORD_ONLY, default=Depends(csrf_checked),
                                   annotation=typing.Optional[str])]
        if "request" not in names:
            extra.append(inspect.Parameter("sagsflow_request", inspect.Parameter.KEYWORD_ONLY, annotation=Request))
        if "session" not in names:
            extra.append(inspect.Parameter("sagsflow_session", inspect.Parameter.KEYWORD_ONLY,
                                           default=Depends(db_session), annotation=Session))

        @functools.wraps(endpoint)
        def guarded_endpoint(**values):
            bearer = values.pop("sagsflow_bearer")
            request = values["request"] if "request" in values else values.pop("sagsflow_request")
            session = values["session"] if "session" in values else values.pop("sagsflow_session")
            principal = guard(request, bearer, session)
            for name in clocks:
                values[name] = request.app.state.clock()
            answer = endpoint(principal=principal, **values)
            if session.in_transaction():   # what it did not commit is discarded anyway (web.deps.db_session):
                session.rollback()         # here, in this thread, the connection goes back without a hop
            return answer

        guarded_endpoint.__signature__ = inspect.Signature([*kept, *extra])   # no return annotation: no model
        del guarded_endpoint.__wrapped__   # FastAPI reads the signature above, not the endpoint's
        guarded_endpoint.sagsflow_guard = roles   # type: ignore[attr-defined]  # the deny-by-default check
        return guarded_endpoint

    return decorate


def public(*, csrf: bool = False):
    """Explicitly public (sign-in page); `csrf` still demands the token on posts."""

    async def open_door(request: Request) -> None:
        if csrf:
            await verify_csrf(request)

    open_door.sagsflow_guard = ()   # type: ignore[attr-defined]
    return open_door


def _session_user(request: Request, session: Session) -> str:
    """The user of the cookie's server-side session; a revoked, idle or expired one is signed out."""
    if not request.session.get(SESSION_USER):
        raise NotSignedIn("sign in first")
    web = request.app.state.web
    policy = SessionPolicy(idle=timedelta(seconds=web.session_idle_s), absolute=timedelta(seconds=web.session_max_age_s))
    username = session_user(session, request.session.get(SESSION_TOKEN), now=request.app.state.clock(), policy=policy)
    session.commit()   # the touch (or the revocation of an expired session); nothing else is pending yet
    if username is None or username != request.session.get(SESSION_USER):
        request.session.clear()
        raise NotSignedIn("the session has ended; sign in again")
    return username


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "") or "-"


def sign_in(request: Request, session: Session, principal: Principal) -> None:
    """A fresh session on sign-in (no fixation): a new server-side session, new CSRF token. The
    caller commits."""
    token = start_session(session, username=principal.username, client=client_address(request),
                          now=request.app.state.clock())
    request.session.clear()
    request.session[SESSION_USER] = principal.username
    request.session[SESSION_TOKEN] = token


def sign_out(request: Request, session: Session, principal: Principal) -> None:
    end_session(session, request.session.get(SESSION_TOKEN), username=principal.username,
                client=client_address(request), now=request.app.state.clock())
    request.session.clear()


def guarded(route) -> bool:
    """True when the route has a guard among its dependencies (deny-by-default check)."""
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        if hasattr(dependant.call, "sagsflow_guard"):
            return True
        stack.extend(dependant.dependencies)
    return False
