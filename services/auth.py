"""Sign-in and roles for the worklist (issue 5; H-R1.5 coordinators, H-R2.2 colleagues' cases).

Local users with argon2id password hashes (argon2-cffi). Roles: technician and coordinator derive
from team memberships (a coordinator is also a member of the team); process_owner and admin come
from UserRow.roles. Demo installations get password = username for users that have none yet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.errors import Forbidden, SagsflowError
from domain.text import clean_line
from services.web_sessions import revoke_all
from store.directory import Person, person
from store.models import MembershipRow, UserRow

ROLES = ("technician", "coordinator", "process_owner", "admin")
DEFAULT_HASHER = PasswordHasher()   # argon2id, library defaults (RFC 9106 low-memory profile)
_DUMMY_HASH = DEFAULT_HASHER.hash("not a password")   # equalises timing for unknown users


class SignInFailed(SagsflowError):
    """Wrong username or password (deliberately not saying which)."""

    code = "sign_in_failed"


@dataclass(frozen=True)
class Principal:
    """Who is signed in: the username, what they may do, and their teams (team -> role)."""

    username: str
    display_name: str
    roles: frozenset[str]
    teams: dict[str, str] = field(default_factory=dict)

    def has_any(self, roles) -> bool:
        return bool(self.roles & set(roles))

    def coordinates(self, team: str | None) -> bool:
        return team is not None and self.teams.get(team) == "coordinator"


def roles_of(user: UserRow | Person, memberships: dict[str, str]) -> frozenset[str]:
    roles = {r for r in (user.roles or []) if r in ("process_owner", "admin")}
    if memberships:
        roles.add("technician")
    if "coordinator" in memberships.values():
        roles.add("coordinator")
    return frozenset(roles)


def _memberships(session: Session, username: str) -> dict[str, str]:
    rows = session.execute(select(MembershipRow.team, MembershipRow.role)
                           .where(MembershipRow.username == username)).all()
    return {team: role for team, role in rows}


def principal_for(session: Session, *, username: str) -> Principal:
    """The current roles of a user (re-read on every request, so a removed role takes effect at once)."""
    user = person(session, username)
    if user is None or not user.active:
        raise Forbidden(f"unknown or inactive user {username}")
    return Principal(username=user.username, display_name=user.display_name,
                     roles=roles_of(user, user.teams), teams=dict(user.teams))


def hash_password(password: str, *, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    if len(password) < 4 or len(password) > 1024:
        raise SagsflowError("a password must be 4-1024 characters")
    return hasher.hash(password)


def set_password(session: Session, *, username: str, password: str, now: datetime,
                 hasher: PasswordHasher = DEFAULT_HASHER) -> None:
    """A new password ends every session of the user (issue 9): a stolen cookie stops working."""
    user = session.get(UserRow, username)
    if user is None:
        raise Forbidden(f"unknown user {username}")
    user.password_hash = hash_password(password, hasher=hasher)
    revoke_all(session, username=username, now=now, reason="ny adgangskode")


def authenticate(session: Session, *, username: str, password: str,
                 hasher: PasswordHasher = DEFAULT_HASHER) -> Principal:
    """Check the password; refresh an outdated hash. Raises SignInFailed without saying why."""
    username = clean_line(username or "")[:64]   # NUL or controls never reach the database
    user = user_by_name(session, username) if username else None
    stored = user.password_hash if user is not None and user.active else None
    try:
        hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise SignInFailed("Forkert brugernavn eller adgangskode.") from None
    if stored is None:
        raise SignInFailed("Forkert brugernavn eller adgangskode.")
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return principal_for(session, username=user.username)


def user_by_name(session: Session, username: str) -> UserRow | None:
    """The user whatever the case of the typed name ("App.Koordinator" is app.koordinator)."""
    user = session.get(UserRow, username)
    if user is None:
        user = session.execute(select(UserRow).where(func.lower(UserRow.username) == username.lower())
                               .limit(1)).scalar_one_or_none()
    return user


def ensure_demo_passwords(session: Session, *, hasher: PasswordHasher = DEFAULT_HASHER) -> list[str]:
    """Give every active user without a password the password = username; returns those usernames."""
    users = session.execute(select(UserRow).where(UserRow.password_hash.is_(None), UserRow.active.is_(True))
                            .order_by(UserRow.username)).scalars().all()
    for user in users:
        user.password_hash = hasher.hash(user.username)
    return [u.username for u in users]


def demo_users(session: Session) -> list[tuple[str, str]]:
    """(username, roles) of every active user, for the start-up banner (no names or addresses)."""
    rows = session.execute(select(UserRow).where(UserRow.active.is_(True)).order_by(UserRow.username)).scalars()
    return [(u.username, ", ".join(sorted(roles_of(u, _memberships(session, u.username))))) for u in rows]
