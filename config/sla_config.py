"""Load the handbook's SLA data and escalation contacts from YAML (H-S3, H-S, H-E).

``load_sla_config()`` reads ``config/sla.yaml`` (or a given path), validates it with
pydantic and builds the pure domain objects once: ``SlaConfig.sla_policy`` for
``domain.sla.compute_deadlines`` and ``SlaConfig.escalation_policy`` for
``domain.escalation.escalation_contacts``. Every problem is raised as
``SlaConfigError`` naming the file and the place in it (e.g. ``levels.silver.coverage``).
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from config import yaml_text
from domain.calendar import BusinessCalendar, CalendarError, Closure
from domain.escalation import EscalationError, EscalationPolicy
from domain.sla import PriorityTargets, Priority, SlaError, SlaLevel, SlaPolicy, TargetTime

DEFAULT_PATH = Path(__file__).with_name("sla.yaml")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DATE = re.compile(r"^(?:(?P<year>\d{4})-)?(?P<month>\d{2})-(?P<day>\d{2})$")


class SlaConfigError(ValueError):
    """The SLA configuration file is missing, unreadable or invalid."""


def _time_text(value: object) -> object:
    if isinstance(value, str | time):
        return value
    raise ValueError(f'write times as quoted text, e.g. "15:00" (got {value!r})')


LocalTime = Annotated[time, BeforeValidator(_time_text)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ClosureConfig(_Model):
    date: str
    closed_from: LocalTime | None = Field(default=None, alias="from")
    closed_until: LocalTime | None = Field(default=None, alias="until")
    label: str | None = None

    def to_domain(self) -> Closure:
        match = _DATE.match(self.date)
        if not match:
            raise ValueError(f'closure date must be "MM-DD" or "YYYY-MM-DD", got {self.date!r}')
        year = match["year"]
        return Closure(
            month=int(match["month"]),
            day=int(match["day"]),
            year=int(year) if year else None,
            closed_from=self.closed_from,
            closed_until=self.closed_until,
        )

    @model_validator(mode="after")
    def _check(self) -> ClosureConfig:
        try:
            self.to_domain()
        except CalendarError as error:
            raise ValueError(str(error)) from error
        return self


class HolidaysConfig(_Model):
    country: str = "DK"
    categories: tuple[str, ...] = ("public",)


class CalendarConfig(_Model):
    always_open: bool = False
    label: str | None = None
    weekdays: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = _WEEKDAYS[:5]
    opens: LocalTime = time(8, 30)
    closes: LocalTime = time(15, 0)
    public_holidays: HolidaysConfig | None = HolidaysConfig()
    closures: tuple[ClosureConfig, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> CalendarConfig:
        hours_fields = self.model_fields_set - {"always_open", "label"}
        if self.always_open and hours_fields:
            raise ValueError(f"an always_open calendar takes no {', '.join(sorted(hours_fields))}")
        try:
            self.to_domain()
        except CalendarError as error:
            raise ValueError(str(error)) from error
        return self

    def to_domain(self) -> BusinessCalendar:
        if self.always_open:
            return BusinessCalendar.always_open()
        holidays = self.public_holidays
        return BusinessCalendar.weekday_hours(
            opens=self.opens,
            closes=self.closes,
            weekdays=frozenset(_WEEKDAYS.index(name) for name in self.weekdays),
            holiday_country=holidays.country if holidays else None,
            holiday_categories=holidays.categories if holidays else (),
            closures=tuple(closure.to_domain() for closure in self.closures),
        )


class TargetConfig(_Model):
    minutes: int | None = Field(default=None, gt=0)
    hours: int | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> TargetConfig:
        given = [name for name in ("minutes", "hours", "working_days") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of minutes, hours, working_days (got {given or 'none'})")
        return self

    def to_domain(self) -> TargetTime:
        if self.working_days is not None:
            return TargetTime(working_days=self.working_days)
        return TargetTime(duration=timedelta(minutes=self.minutes or 0, hours=self.hours or 0))


class PriorityConfig(_Model):
    label: str
    reaction: TargetConfig | None
    resolution: TargetConfig | None


class LevelConfig(_Model):
    label: str
    coverage: str


class EscalationConfig(_Model):
    contact_hours: str
    in_hours: tuple[str, ...] = Field(min_length=1)
    after_hours: tuple[str, ...] = Field(min_length=1)


class ContactConfig(_Model):
    label: str
    name: str | None = None
    phone: str | None = None
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")


class SlaConfig(_Model):
    """The validated contents of ``config/sla.yaml`` plus the domain objects built from it."""

    warning_share: float = Field(default=0.75, gt=0, le=1)
    pause_while_waiting_for_customer: bool = True
    desk_closures: tuple[ClosureConfig, ...] = ()  # shared list, referenced from calendars
    calendars: dict[str, CalendarConfig]
    levels: dict[SlaLevel, LevelConfig]
    priorities: dict[Priority, PriorityConfig]
    escalation: EscalationConfig
    contacts: dict[str, ContactConfig] = {}

    _sla_policy: SlaPolicy = PrivateAttr()
    _escalation_policy: EscalationPolicy = PrivateAttr()

    @model_validator(mode="after")
    def _cross_check(self) -> SlaConfig:
        missing = [p.value for p in Priority if p not in self.priorities]
        missing += [level.value for level in SlaLevel if level not in self.levels]
        if missing:
            raise ValueError(f"missing entries: {', '.join(missing)}")
        calendar_names = sorted(self.calendars)
        for name, level in self.levels.items():
            if level.coverage not in self.calendars:
                raise ValueError(f"levels.{name.value}.coverage: unknown calendar {level.coverage!r} (have {calendar_names})")
        if self.escalation.contact_hours not in self.calendars:
            raise ValueError(f"escalation.contact_hours: unknown calendar {self.escalation.contact_hours!r} (have {calendar_names})")
        roles = sorted(set(self.escalation.in_hours + self.escalation.after_hours) - set(self.contacts))
        if roles:
            raise ValueError(f"escalation roles without an entry in contacts: {', '.join(roles)}")
        try:
            calendars = {name: calendar.to_domain() for name, calendar in self.calendars.items()}
            self._sla_policy = SlaPolicy(
                targets={
                    priority: PriorityTargets(
                        reaction=entry.reaction.to_domain() if entry.reaction else None,
                        resolution=entry.resolution.to_domain() if entry.resolution else None,
                    )
                    for priority, entry in self.priorities.items()
                },
                coverage={level: calendars[entry.coverage] for level, entry in self.levels.items()},
                calendars=calendars,
                warning_share=self.warning_share,
                pause_while_waiting_for_customer=self.pause_while_waiting_for_customer,
            )
            self._escalation_policy = EscalationPolicy(
                contact_hours=calendars[self.escalation.contact_hours],
                in_hours=self.escalation.in_hours,
                after_hours=self.escalation.after_hours,
            )
        except (CalendarError, SlaError, EscalationError) as error:
            raise ValueError(str(error)) from error
        return self

    @property
    def sla_policy(self) -> SlaPolicy:
        """Targets and coverage for ``domain.sla.compute_deadlines(policy=...)``."""
        return self._sla_policy

    @property
    def escalation_policy(self) -> EscalationPolicy:
        """Contact hours and roles for ``domain.escalation.escalation_contacts(policy=...)``."""
        return self._escalation_policy


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  {where}: {message}" if where else f"  {message}")
    return "\n".join(lines)


def load_sla_config(path: Path | None = None) -> SlaConfig:
    """Read and validate the SLA configuration (default ``config/sla.yaml``)."""
    source = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise SlaConfigError(f"cannot read SLA configuration {source}: {error.strerror or error}") from error
    try:
        data = yaml_text.safe_load(text)
    except yaml.YAMLError as error:
        raise SlaConfigError(f"{source} is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise SlaConfigError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        return SlaConfig.model_validate(data)
    except ValidationError as error:
        raise SlaConfigError(f"{source} is invalid:\n{_describe(error)}") from error
