"""Loads the handbook data in config/*.yaml into validated models (H-V2 teams, H-R1.1 Work Log
types, H-T4 units, lane rules). A broken file gives a clear error naming the file and field."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ValidationError, model_validator

from config import yaml_text
from config.settings import get_settings

Role = Literal["technician", "coordinator", "process_owner", "admin"]


class ConfigError(Exception):
    """A configuration file is missing or invalid."""


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


def _load(path: Path, model):
    try:
        raw = yaml_text.safe_load(path.read_text(encoding="utf-8"))
        return model.model_validate(raw)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


@lru_cache
def organisation() -> Organisation:
    return _load(get_settings().config_dir / "organisation.yaml", Organisation)


@lru_cache
def lane_rules() -> dict[str, LaneRule]:
    path = get_settings().config_dir / "lanes.yaml"
    try:
        raw = yaml_text.safe_load(path.read_text(encoding="utf-8"))
        return {lane: LaneRule.model_validate(rule) for lane, rule in raw.items()}
    except (yaml.YAMLError, ValidationError, AttributeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


@lru_cache
def handbook() -> Handbook:
    return _load(get_settings().config_dir / "handbook.yaml", Handbook)
