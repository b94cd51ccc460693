"""Jinja2 filters for the pages (issue 5): local times (Europe/Copenhagen, the handbook's clock)
and SLA countdowns (H-S)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from config.handbook import organisation
from config.settings import get_settings
from services.sla_clock import sla_clock
from services.dispatcher import purpose_label
from web.i18n_workspace import DELIVERY_KINDS_DA, DELIVERY_STATUS_DA, WORK_LOG_TYPES_DA


def local_time(value: datetime | str | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(get_settings().timezone)).strftime(fmt)


def countdown(seconds: int | None) -> str:
    """`2 t 05 m`, `3 d 4 t`; negative values get a minus sign."""
    if seconds is None:
        return "–"
    sign, seconds = ("-" if seconds < 0 else ""), abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} t"
    return f"{sign}{hours} t {minutes:02d} m"


def team_name(code: str | None) -> str:
    """The team's Danish name from config/organisation.yaml (the code when unknown)."""
    if not code:
        return "–"
    team = organisation().teams.get(code)
    return team.name if team else code


def person(username: str | None) -> str:
    """A person by display name (the username when not in config/organisation.yaml; issue 12)."""
    if not username:
        return "–"
    user = organisation().users.get(username) or organisation().users.get(username.lower())
    return user.name if user else username


def modeler_choices() -> dict:
    from services.case_status import modeler_choices as choices   # lazily: only the edit page needs it
    return choices()


def add_filters(env) -> None:
    env.filters["local"] = local_time
    env.filters["countdown"] = countdown
    env.filters["team"] = team_name
    env.filters["person"] = person
    env.globals["sla_clock"] = sla_clock
    from web.sla_badge import sla_badge   # here, not at the top: web.sla_badge uses this module's filters
    env.globals["sla_badge_html"] = sla_badge   # issue 15: the badge without a macro's cost
    env.globals["modeler_choices"] = modeler_choices   # issue 11: topics and statuses for the modeler
    env.filters["wi_type"] = work_log_type
    env.filters["delivery_kind"] = lambda v, lang="da": v if lang == "en" else DELIVERY_KINDS_DA.get(v, v)
    env.filters["delivery_status"] = lambda v, lang="da": v if lang == "en" else DELIVERY_STATUS_DA.get(v, v)
    env.filters["delivery_purpose"] = lambda v, lang="da": v if lang == "en" else purpose_label(v)


def work_log_type(value: str | None, lang: str = "da") -> str:
    """A Work Info type (Remedy's Work Log Type) by its Danish label; English behind the switch."""
    if not value:
        return "–"
    return value if lang == "en" else WORK_LOG_TYPES_DA.get(value, value)
