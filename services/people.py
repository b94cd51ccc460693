"""People pickers (H-R1.5, H-R4.1, H-D4): a form field that names a person (constraint
`team_member <data key with a team>`) is offered as a choice of that team's active members by display
name. When the team is chosen in the same form (a handover), every team's members are offered,
grouped by team, and the browser narrows the list to the chosen team."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import organisation
from domain.forms import FormSpec
from services.absence import absence_note
from store.models import MembershipRow, UserRow


@dataclass(frozen=True)
class PeopleGroup:
    team: str
    team_name: str
    people: list[tuple[str, str]]      # (username, display name)


@dataclass(frozen=True)
class Picker:
    team_from: str | None              # the form field that chooses the team, if any
    groups: list[PeopleGroup]


def people_choices(session: Session, form: FormSpec, data: dict) -> dict[str, Picker]:
    pickers: dict[str, Picker] = {}
    fields = {f.id: f for f in form.fields}
    teams_config = organisation().teams
    for f in form.fields:
        key = next((c.config for c in f.constraints if c.name == "team_member"), None)
        if not key or f.type != "string":
            continue
        if key in fields:
            teams = [o.id for o in fields[key].options] or list(teams_config)
            team_from = key
        else:
            teams = [data[key]] if data.get(key) else []
            team_from = None
        if not teams:
            continue
        rows = session.execute(select(MembershipRow.team, UserRow.username, UserRow.display_name, UserRow.absent)
                               .join(UserRow, UserRow.username == MembershipRow.username)
                               .where(MembershipRow.team.in_(teams), UserRow.active.is_(True))
                               .order_by(UserRow.display_name)).all()
        groups = [PeopleGroup(team, teams_config[team].name if team in teams_config else team,
                              [(u, d + absence_note(session, u) if absent else d) for t, u, d, absent in rows
                               if t == team]) for team in teams]   # issue 13: the picker says who is away
        pickers[f.id] = Picker(team_from, [g for g in groups if g.people])
    return pickers
