"""Remedy connection and sync settings (H-R1.1; issue 14), documented for the region's Remedy
administrator in docs/remedy.md. Environment: ``SAGSFLOW_REMEDY__…`` (nested with ``__``, e.g.
``SAGSFLOW_REMEDY__SYNC__PAGE_SIZE=200``; mappings as JSON). The password is a SecretStr, never logged.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class RemedyForms(BaseModel):
    """Form names; BMC's defaults (an installation may have renamed or overlaid them)."""

    model_config = _FROZEN

    help_desk: str = "HPD:Help Desk"
    interface: str = "HPD:IncidentInterface"
    create: str = "HPD:IncidentInterface_Create"
    work_log: str = "HPD:WorkLog"
    people: str = "CTM:People"              # customers' e-mail, phone and site when the incident lacks them


class RemedySyncSettings(BaseModel):
    """What the import reads: pages of ``page_size`` entries, bounded on the first sync."""

    model_config = _FROZEN

    page_size: int = Field(default=100, ge=1, le=2000)
    start: datetime | None = None            # first sync: incidents modified since (default: first_sync_days)
    first_sync_days: int = Field(default=30, ge=1, le=3650)
    support_groups: tuple[str, ...] = ()     # only incidents assigned to one of these groups (empty: all)
    companies: tuple[str, ...] = ()          # only incidents of one of these companies (empty: all)
    people_lookup: bool = True               # read e-mail/phone/site from CTM:People when the incident lacks them
    # Work Info written in Remedy: HPD:WorkLog is searched for many incidents at once, ('Incident Number'="A")
    # OR ('Incident Number'="B") …, at most this many incidents per search …
    work_log_batch_size: int = Field(default=50, ge=1, le=500)
    # … and a qualification (q=, before URL encoding, which makes it about 1.5 times longer) of at most
    # this many characters; 100 always holds one incident number.
    work_log_qualification_max: int = Field(default=4000, ge=100, le=20000)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("start must carry a UTC offset, e.g. 2026-11-01T00:00:00+01:00")
        return value


class RemedyMapping(BaseModel):
    """Field and value mapping between Sagsflow and the region's Remedy (docs/remedy.md)."""

    model_config = _FROZEN

    support_company: str = ""                # Assigned Support Company of every pushed assignment
    support_organization: str = ""           # Assigned Support Organization of every pushed assignment
    team_groups: dict[str, str] = Field(default_factory=dict)   # Sagsflow team code -> Assigned Group
    user_logins: dict[str, str] = Field(default_factory=dict)   # Sagsflow username -> Assignee Login ID
    status_reasons: dict[str, str] = Field(default_factory=lambda: {
        "pending": "Client Action Required", "resolved": "No Further Action Required"})
    resolution_text: str = "Løst i Sagsflow; løsningen står i Work Info."
    reported_source: str = "Phone"
    create_cases: bool = True                # cases registered in Sagsflow are created in Remedy

    def team_for_group(self, group: str | None) -> str | None:
        """The Sagsflow team mapped to a Remedy Assigned Group (names compared without case)."""
        wanted = (group or "").strip().lower()
        return next((team for team, name in self.team_groups.items() if wanted and name.strip().lower() == wanted),
                    None)

    def user_for_login(self, login: str | None) -> str | None:
        """The Sagsflow username mapped to a Remedy Assignee Login ID (compared without case)."""
        wanted = (login or "").strip().lower()
        return next((user for user, name in self.user_logins.items() if wanted and name.strip().lower() == wanted),
                    None)


class RemedySettings(BaseModel):
    """Connection settings plus forms, import filters and mapping."""

    model_config = _FROZEN

    enabled: bool = False
    base_url: str = "http://127.0.0.1:8008"
    username: str = ""
    password: SecretStr = SecretStr("")
    auth_string: str = ""                    # sent as authString at login when set (AR authentication)
    timeout_s: float = Field(default=30.0, gt=0)
    verify_tls: bool = True
    token_lifetime_s: float = Field(default=3600.0, gt=0)
    token_refresh_margin_s: float = Field(default=300.0, ge=0)
    forms: RemedyForms = Field(default_factory=RemedyForms)
    sync: RemedySyncSettings = Field(default_factory=RemedySyncSettings)
    mapping: RemedyMapping = Field(default_factory=RemedyMapping)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("base_url must be http(s)://host[:port] of the AR REST server")
        if parsed.query or parsed.fragment:
            raise ValueError("base_url must not contain a query or fragment")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> RemedySettings:
        if self.enabled and (not self.username or not self.password.get_secret_value()):
            raise ValueError("username and password are required when Remedy is enabled")
        return self
