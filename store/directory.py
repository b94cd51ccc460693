"""Users, teams and memberships (H-V2 teams, H-R1.5 coordinators): seeding from config and lookups."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, event, select
from sqlalchemy.orm import Session

from store.models import AbsenceRow, MembershipRow, TeamRow, UserRow

_LOCAL = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Person:
    """A user as authorization sees them: roles from the user row, teams from the memberships."""
    username: str
    display_name: str
    active: bool
    roles: tuple[str, ...]
    teams: dict[str, str] = field(default_factory=dict)   # team -> "member" | "coordinator"


_PEOPLE = "sagsflow.people"


def person(session: Session, username: str) -> Person | None:
    """The user and their memberships in one query. Remembered for the session until its next
    flush, commit, rollback or data-changing statement, so the several checks of one page (sign-in,
    read scope, the panels) ask once; any write forgets it, so a changed role or membership counts
    at once."""
    return _person_and_row(session, username)[0]


def _person_and_row(session: Session, username: str) -> tuple[Person | None, UserRow | None]:
    """person() with the user's row, which the memory holds so the identity map answers session.get."""
    people = session.info.setdefault(_PEOPLE, {})
    if username not in people:
        rows = session.execute(_person_query(), {"username": username}).all()
        user = rows[0][0] if rows else None
        people[username] = (None, None) if user is None else (Person(
            username=user.username, display_name=user.display_name, active=bool(user.active),
            roles=tuple(user.roles or ()), teams={r.team: r.role for r in rows if r.team is not None}), user)
    return people[username]


@functools.cache
def _person_query():
    """Built once: building a statement and its cache key costs more CPU than running it (issue 15)."""
    return (select(UserRow, MembershipRow.team, MembershipRow.role)
            .outerjoin(MembershipRow, MembershipRow.username == UserRow.username)
            .where(UserRow.username == bindparam("username")))


def _forget_people(session: Session, *_args) -> None:
    session.info.pop(_PEOPLE, None)


def _forget_people_on_write(state) -> None:
    if not state.is_select:     # session.execute(update/delete/insert) changes rows without a flush
        _forget_people(state.session)


for _moment in ("after_flush", "after_commit", "after_rollback"):
    event.listen(Session, _moment, _forget_people)
event.listen(Session, "do_orm_execute", _forget_people_on_write)


def seed_organisation(session: Session, organisation) -> None:
    """Upsert teams, users and memberships from config/organisation.yaml (passwords are kept)."""
    for code, team in organisation.teams.items():
        row = session.get(TeamRow, code) or TeamRow(code=code)
        row.name = team.name
        session.add(row)
    session.flush()
    for username, user in organisation.users.items():
        row = session.get(UserRow, username) or UserRow(username=username)
        row.display_name, row.email, row.roles = user.name, user.email, list(user.roles)
        session.add(row)
    session.flush()
    session.execute(delete(MembershipRow))
    for username, user in organisation.users.items():
        for team, role in user.teams.items():
            session.add(MembershipRow(username=username, team=team, role=role))
    session.flush()


class DbDirectory:
    """Who is in which team, as seen by forms and authorization."""

    def __init__(self, session: Session):
        self._session = session
        self._cache: dict[str, dict[str, str]] = {}
        self._users: dict[str, UserRow | None] = {}   # held here, so the session's identity map keeps them
        self._people: dict[str, Person | None] = {}

    def person(self, username: str) -> Person | None:
        """The user as authorization sees them (active, name, teams), with their row: one query, shared
        with the request's sign-in check (see person()); then memberships() and user() ask nothing more."""
        if username not in self._people:
            found, row = _person_and_row(self._session, username)
            self._people[username] = found
            self._cache[username] = dict(found.teams) if found else {}
            self._users[username] = row
        return self._people[username]

    def memberships(self, username: str) -> dict[str, str]:
        if username not in self._cache:
            self.person(username)
        return self._cache[username]

    def is_member(self, username: str, team: str) -> bool:
        return team in self.memberships(username)

    def is_coordinator(self, username: str, team: str) -> bool:
        return self.memberships(username).get(team) == "coordinator"

    def user(self, username: str) -> UserRow | None:
        if username in self._users:
            return self._users[username]
        return self._session.get(UserRow, username)

    def absence_reason(self, username: str) -> str | None:
        """Why this person cannot get new work now (issue 13), in Danish; None when present."""
        user = self.user(username)
        if user is None or not user.absent:
            return None
        until = self._session.execute(select(AbsenceRow.ends_at).where(AbsenceRow.username == username)
                                      .order_by(AbsenceRow.ends_at.desc()).limit(1)).scalar_one_or_none()
        when = f" til {until.astimezone(_LOCAL):%d-%m-%Y kl. %H:%M}" if until else ""
        return f"{user.display_name} er fraværende{when} og kan ikke få nye sager. Vælg en anden."

    def team_name(self, code: str | None) -> str:
        row = self._session.get(TeamRow, code) if code else None
        return row.name if row else (code or "")
