"""Incoming BMC Remedy data validated and mapped to our vocabulary (H-T1/H-T2 import; issue 14).

:func:`incident_from_remedy` validates an incident's values from ``HPD:Help Desk`` and raises
:class:`RemedyDataError` naming what is missing or unknown; text is kept as plain text
(``clean_text``), dates are read in Remedy's forms (documented string form or epoch seconds).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from connectors.remedy.errors import RemedyDataError
from connectors.remedy.mapping import (IMPACT_FROM_REMEDY, NOTES_MAX_LENGTH, PRIORITY_FROM_REMEDY, SHORT_TEXT_MAX_LENGTH,
                                       STATUS_FROM_REMEDY, SUMMARY_MAX_LENGTH, URGENCY_FROM_REMEDY, CasePriority,
                                       CaseStatus, _INCIDENT_NUMBER, clean_text)

REQUIRED_INCIDENT_FIELDS: tuple[str, ...] = (
    "Incident Number", "Description", "Status", "Priority", "Impact", "Urgency",
    "Last Modified Date",
)


class ImportedIncident(BaseModel):
    """An incident read from ``HPD:Help Desk`` / ``HPD:IncidentInterface``, validated."""

    model_config = ConfigDict(frozen=True)

    incident_number: str
    summary: str
    notes: str | None
    status: CaseStatus
    remedy_status: str
    status_reason: str | None
    priority: CasePriority
    impact: int
    urgency: int
    last_modified: datetime
    assigned_group: str | None
    assignee_login: str | None
    reported_at: datetime | None = None
    customer_first_name: str | None = None
    customer_last_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    site: str | None = None
    company: str | None = None
    service_type: str | None = None
    last_modified_by: str | None = None

    @property
    def customer_name(self) -> str | None:
        name = " ".join(p for p in (self.customer_first_name, self.customer_last_name) if p)
        return name or None


def parse_ar_datetime(value: Any, *, field: str) -> datetime:
    """``"2019-10-15T23:36:18.000+0000"`` (or epoch seconds) -> aware UTC datetime."""
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    raise RemedyDataError(f"{field} is not an AR date-time: {str(value)[:40]!r}")


def _lookup(table: Mapping[str, Any], values: Mapping[str, Any], field: str, number: str) -> Any:
    raw = values[field]
    if not isinstance(raw, str) or raw not in table:
        known = ", ".join(table)
        raise RemedyDataError(
            f"Remedy incident {number} has unknown {field} {str(raw)[:40]!r}; expected one of: {known}"
        )
    return table[raw]


def _optional_text(values: Mapping[str, Any], field: str, max_length: int) -> str | None:
    raw = values.get(field)
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise RemedyDataError(f"{field} must be text, got {type(raw).__name__}")
    return clean_text(raw, max_length=max_length) or None


def incident_from_remedy(values: Mapping[str, Any]) -> ImportedIncident:
    """Validate an incident's ``values`` from Remedy and map them to our vocabulary."""
    if not isinstance(values, Mapping):
        raise RemedyDataError(f"incident values must be an object, got {type(values).__name__}")
    missing = [f for f in REQUIRED_INCIDENT_FIELDS if values.get(f) in (None, "")]
    if missing:
        raise RemedyDataError(f"Remedy incident is missing required field(s): {', '.join(missing)}")
    raw_number = values["Incident Number"]
    if not isinstance(raw_number, str) or not _INCIDENT_NUMBER.match(raw_number):
        raise RemedyDataError(f"Incident Number {str(raw_number)[:40]!r} is not like INC000000000123")
    summary = _optional_text(values, "Description", SUMMARY_MAX_LENGTH)
    if summary is None:
        raise RemedyDataError(f"Remedy incident {raw_number} has an empty Description")
    detailed = "Detailed Decription" if "Detailed Decription" in values else "Detailed Description"
    return ImportedIncident(
        incident_number=raw_number,
        summary=summary,
        notes=_optional_text(values, detailed, NOTES_MAX_LENGTH),
        status=_lookup(STATUS_FROM_REMEDY, values, "Status", raw_number),
        remedy_status=values["Status"],
        status_reason=_optional_text(values, "Status_Reason", SHORT_TEXT_MAX_LENGTH),
        priority=_lookup(PRIORITY_FROM_REMEDY, values, "Priority", raw_number),
        impact=_lookup(IMPACT_FROM_REMEDY, values, "Impact", raw_number),
        urgency=_lookup(URGENCY_FROM_REMEDY, values, "Urgency", raw_number),
        last_modified=parse_ar_datetime(values["Last Modified Date"], field="Last Modified Date"),
        assigned_group=_optional_text(values, "Assigned Group", SHORT_TEXT_MAX_LENGTH),
        assignee_login=_optional_text(values, "Assignee Login ID", SHORT_TEXT_MAX_LENGTH),
        reported_at=_optional_date(values, "Reported Date") or _optional_date(values, "Submit Date"),
        customer_first_name=_optional_text(values, "First Name", SHORT_TEXT_MAX_LENGTH),
        customer_last_name=_optional_text(values, "Last Name", SHORT_TEXT_MAX_LENGTH),
        customer_email=_optional_text(values, "Internet E-mail", 320),
        customer_phone=_optional_text(values, "Phone Number", 40),
        site=_optional_text(values, "Site", SHORT_TEXT_MAX_LENGTH),
        company=_optional_text(values, "Company", SHORT_TEXT_MAX_LENGTH),
        service_type=_optional_text(values, "Service Type", SHORT_TEXT_MAX_LENGTH),
        last_modified_by=_optional_text(values, "Last Modified By", SHORT_TEXT_MAX_LENGTH),
    )


def _optional_date(values: Mapping[str, Any], field: str) -> datetime | None:
    raw = values.get(field)
    return None if raw in (None, "") else parse_ar_datetime(raw, field=field)


WORK_LOG_FIELDS: tuple[str, ...] = (
    "Work Log ID", "Incident Number", "Work Log Type", "Description", "Detailed Description", "View Access",
    "Secure Work Log", "Submitter", "Work Log Submitter", "Work Log Date", "Submit Date",
)


class ImportedWorkLog(BaseModel):
    """One Work Info entry read from ``HPD:WorkLog`` (written in Remedy), validated; text is plain."""

    model_config = ConfigDict(frozen=True)

    work_log_id: str
    incident_number: str
    work_log_type: str | None
    summary: str | None
    notes: str | None
    author: str | None           # Work Log Submitter, else Submitter
    submitter: str | None        # who created the entry (the integration user for Sagsflow's own)
    logged_at: datetime | None   # Work Log Date, else Submit Date
    public: bool                 # View Access Public and not a Secure Work Log

    def written_by(self, username: str) -> bool:
        """Written by this AR user (case-insensitive), as submitter or as named Work Log Submitter."""
        user = username.strip().lower()
        return bool(user) and user in {(self.submitter or "").lower(), (self.author or "").lower()}


def work_log_from_remedy(values: Mapping[str, Any]) -> ImportedWorkLog:
    """Validate a Work Log entry's ``values`` from Remedy; raises :class:`RemedyDataError`."""
    if not isinstance(values, Mapping):
        raise RemedyDataError(f"work log values must be an object, got {type(values).__name__}")
    work_log_id = _optional_text(values, "Work Log ID", 40)
    number = values.get("Incident Number")
    if not work_log_id:
        raise RemedyDataError("Remedy work log entry has no Work Log ID")
    if not isinstance(number, str) or not _INCIDENT_NUMBER.match(number):
        raise RemedyDataError(f"work log {work_log_id} has no valid Incident Number")
    submitter = _optional_text(values, "Submitter", SHORT_TEXT_MAX_LENGTH)
    return ImportedWorkLog(
        work_log_id=work_log_id, incident_number=number,
        work_log_type=_optional_text(values, "Work Log Type", SHORT_TEXT_MAX_LENGTH),
        summary=_optional_text(values, "Description", SUMMARY_MAX_LENGTH),
        notes=_optional_text(values, "Detailed Description", NOTES_MAX_LENGTH),
        author=_optional_text(values, "Work Log Submitter", SHORT_TEXT_MAX_LENGTH) or submitter,
        submitter=submitter,
        logged_at=_optional_date(values, "Work Log Date") or _optional_date(values, "Submit Date"),
        public=values.get("View Access") == "Public" and values.get("Secure Work Log") != "Yes",
    )
