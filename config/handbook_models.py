"""The handbook data's validated shapes (pydantic): config/organisation.yaml, lanes.yaml and handbook.yaml as
loaded by config.handbook (H-V2 teams, H-R1.1 Work Log types, H-T4 units, lane rules)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, model_validator

Role = Literal["technician", "coordinator", "process_owner", "admin"]


class Team(BaseModel):
    name: str


class User(BaseModel):
    name: str
    email: str | None = None
    teams: dict[str, Literal["technician", "coordinator"]] = {}
    roles: list[Role] = []


class Organisation(BaseModel):
    teams: dict[str, Team]
    users: dict[str, User]

    @model_validator(mode="after")
    def _teams_exist(self) -> "Organisation":
        for username, user in self.users.items():
            for team in user.teams:
                if team not in self.teams:
                    raise ValueError(f"user {username}: unknown team {team!r}")
        for code in self.teams:
            if not any(u.teams.get(code) == "coordinator" for u in self.users.values()):
                raise ValueError(f"team {code!r} has no coordinator (H-R1.5)")
        return self


class LaneRule(BaseModel):
    team: str | None = None
    team_from: str | None = None
    role: Literal["member", "coordinator"] = "member"

    @model_validator(mode="after")
    def _one_team_source(self) -> "LaneRule":
        if (self.team is None) == (self.team_from is None):
            raise ValueError("give exactly one of team / team_from")
        return self


class Unit(BaseModel):
    name: str
    email: str


class ContactPolicyConfig(BaseModel):
    """H-R1.3 as configuration (see domain.contact_guard)."""

    min_attempts: int = 3
    min_weeks: int = 2
    channels: list[Literal["mail", "phone"]] = ["mail", "phone"]
    min_gap_hours: float = 4
    first_retry_working_days: int = 2


class CustomerMailConfig(BaseModel):
    """Which of the process's own customer mails go out (issue 13, H-D3), and the desk's signature."""

    routed: bool = True         # a routed enquiry tells the customer which unit has it (H-T4)
    closure: bool = True        # a closed case sends a closing mail (H-C)
    signature: str = "IT Servicedesk"


class Handbook(BaseModel):
    contact_attempts: ContactPolicyConfig = ContactPolicyConfig()
    customer_mails: CustomerMailConfig = CustomerMailConfig()
    work_log_types: dict[str, str]
    units: dict[str, Unit]
    case_number_prefix: dict[Literal["incident", "service_request", "change"], str]
    labels: dict[str, dict[str, str]]

    def work_log_type(self, event: str) -> str:
        return self.work_log_types.get(event, self.work_log_types.get("default", "Working Log"))

    def note_types(self) -> list[str]:
        """The Work Log Types a person may choose for a note (issue 13): every type the desk uses."""
        return sorted(set(self.work_log_types.values()))
