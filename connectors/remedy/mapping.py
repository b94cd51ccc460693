"""Pure mapping between Sagsflow cases / Work Info and BMC Remedy ITSM field values.

Serves H-R1.1 (every aspect of a case recorded as Work Info, mirrored to
``HPD:WorkLog``), H-T1/H-T2 (incident vs. service request -> ``Service_Type``)
and the "Work Info types" section (Remedy Work Log types). No I/O, no database.

Outgoing models validate strictly (a clear pydantic ``ValidationError``);
incoming Remedy data is validated by :func:`incident_from_remedy`, which raises
:class:`RemedyDataError` naming what is missing or unknown. Text from Remedy is
kept as plain text: control and bidi-override characters are removed and lengths
are capped; HTML or script is never interpreted (escaping is the renderer's job).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.remedy.errors import RemedyDataError
from domain.text import clean_text as boundary_text

CaseStatus = Literal["new", "assigned", "in_progress", "pending", "resolved", "closed", "cancelled"]
CasePriority = Literal["critical", "high", "medium", "low"]
CaseType = Literal["incident", "service_request"]

STATUS_TO_REMEDY: dict[str, str] = {
    "new": "New",
    "assigned": "Assigned",
    "in_progress": "In Progress",
    "pending": "Pending",
    "resolved": "Resolved",
    "closed": "Closed",
    "cancelled": "Cancelled",
}
STATUS_FROM_REMEDY: dict[str, str] = {v: k for k, v in STATUS_TO_REMEDY.items()}
PRIORITY_TO_REMEDY: dict[str, str] = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}
PRIORITY_FROM_REMEDY: dict[str, str] = {v: k for k, v in PRIORITY_TO_REMEDY.items()}
IMPACT_TO_REMEDY: dict[int, str] = {
    1: "1-Extensive/Widespread",
    2: "2-Significant/Large",
    3: "3-Moderate/Limited",
    4: "4-Minor/Localized",
}
IMPACT_FROM_REMEDY: dict[str, int] = {v: k for k, v in IMPACT_TO_REMEDY.items()}
URGENCY_TO_REMEDY: dict[int, str] = {1: "1-Critical", 2: "2-High", 3: "3-Medium", 4: "4-Low"}
URGENCY_FROM_REMEDY: dict[str, int] = {v: k for k, v in URGENCY_TO_REMEDY.items()}
SERVICE_TYPE_BY_CASE_TYPE: dict[str, str] = {
    "incident": "User Service Restoration",
    "service_request": "User Service Request",
}
REPORTED_SOURCES: tuple[str, ...] = (
    "Direct Input", "Email", "External Escalation", "Fax", "Self Service",
    "Systems Management", "Phone", "Voice Mail", "Walk In", "Web", "Other",
)
WORK_LOG_TYPES: tuple[str, ...] = (
    "Customer Communication", "Customer Follow-up", "Customer Status Update",
    "Closure Follow Up", "Detail Clarification", "General Information",
    "Resolution Communications", "Satisfaction Survey", "Status Update",
    "Incident Task / Action", "Problem Script", "Working Log", "Email System",
    "Paging System", "BMC Impact Manager Update", "Chat", "Vendor Communication",
)
VIEW_ACCESS_TO_REMEDY: dict[str, str] = {"internal": "Internal", "public": "Public"}

SUMMARY_MAX_LENGTH = 100  # HPD Description / Work Log Description (Summary)
NOTES_MAX_LENGTH = 32_000  # Detailed Decription / Detailed Description (Notes)
SHORT_TEXT_MAX_LENGTH = 254  # names, logins, groups, status reasons
REQUIRED_INCIDENT_FIELDS: tuple[str, ...] = (
    "Incident Number", "Description", "Status", "Priority", "Impact", "Urgency",
    "Last Modified Date",
)

_INCIDENT_NUMBER = re.compile(r"^[A-Z]{2,5}[0-9]{6,15}$")
_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def clean_text(value: str, *, max_length: int) -> str:
    """Plain text safe to store — the project's one text boundary (domain/text.py: CRLF -> LF,
    control and bidi characters removed) — with the length capped."""
    return boundary_text(value)[:max_length]


class CaseForRemedy(BaseModel):
    """What Sagsflow sends to Remedy about a case (incident or service request).

    ``priority`` is informational: Remedy computes Priority from Impact x
    Urgency itself, so it is not sent; compare it with the imported value.
    ``team`` is the Remedy ``Assigned Group`` name. ``number`` (the Sagsflow case
    number) is written as the first line of the notes for cross-reference.
    """

    model_config = _STRICT

    number: str = Field(min_length=1, max_length=64)
    type: CaseType
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX_LENGTH)
    notes: str = Field(default="", max_length=NOTES_MAX_LENGTH)
    impact: int = Field(ge=1, le=4)
    urgency: int = Field(ge=1, le=4)
    priority: CasePriority
    status: CaseStatus
    status_reason: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    resolution: str | None = Field(default=None, max_length=NOTES_MAX_LENGTH)
    team: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    support_company: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    support_organization: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    assignee_login: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    customer_first_name: str = Field(min_length=1, max_length=SHORT_TEXT_MAX_LENGTH)
    customer_last_name: str = Field(min_length=1, max_length=SHORT_TEXT_MAX_LENGTH)
    customer_login: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    reported_source: str = "Phone"

    @field_validator("reported_source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in REPORTED_SOURCES:
            raise ValueError(f"unknown Remedy Reported Source {value!r}")
        return value

    @field_validator("summary", "notes", "status_reason", "resolution", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return clean_text(value, max_length=NOTES_MAX_LENGTH + 1) if isinstance(value, str) else value


class WorkInfoForRemedy(BaseModel):
    """One Work Info entry (H-R1.1) as it goes to ``HPD:WorkLog``."""

    model_config = _STRICT

    incident_number: str = Field(pattern=_INCIDENT_NUMBER.pattern)
    work_log_type: str
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX_LENGTH)
    notes: str = Field(default="", max_length=NOTES_MAX_LENGTH)
    view_access: Literal["internal", "public"] = "internal"
    submitter: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)

    @field_validator("work_log_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in WORK_LOG_TYPES:
            raise ValueError(f"unknown Remedy Work Log Type {value!r}")
        return value

    @field_validator("summary", "notes", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return clean_text(value, max_length=NOTES_MAX_LENGTH + 1) if isinstance(value, str) else value


class RemedyState(BaseModel):
    """What Sagsflow wants an incident to show (pushed through ``HPD:IncidentInterface``)."""

    model_config = _STRICT

    status: CaseStatus
    status_reason: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    resolution: str | None = Field(default=None, max_length=NOTES_MAX_LENGTH)
    assigned_group: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    support_company: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    support_organization: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)
    assignee_login: str | None = Field(default=None, max_length=SHORT_TEXT_MAX_LENGTH)


# Remedy statuses in the order an incident moves; a push never goes to a lower rank, except the
# reopen BMC allows (Resolved -> In Progress/Pending). Pending and In Progress share a rank.
STATUS_RANK: dict[str, int] = {"new": 0, "assigned": 1, "in_progress": 2, "pending": 2, "resolved": 3,
                               "closed": 4, "cancelled": 4}


def is_backwards(current: str | None, target: str) -> bool:
    """True when moving an incident from ``current`` to ``target`` would go backwards."""
    if current is None or current == target:
        return False
    if current in ("closed", "cancelled"):
        return True
    if current == "resolved" and target in ("in_progress", "pending"):
        return False
    return STATUS_RANK[target] < STATUS_RANK[current]


def interface_update_values(state: RemedyState) -> dict[str, str]:
    """Values for ``PUT /entry/HPD:IncidentInterface/{id}``: status with what ITSM needs for it."""
    values = {"z1D Action": "MODIFY", "Status": STATUS_TO_REMEDY[state.status]}
    if state.assigned_group:
        values["Assigned Group"] = state.assigned_group
        _optional(values, "Assigned Support Company", state.support_company)
        _optional(values, "Assigned Support Organization", state.support_organization)
    _optional(values, "Assignee Login ID", state.assignee_login)
    _optional(values, "Status_Reason", state.status_reason)
    _optional(values, "Resolution", state.resolution)
    return values


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


def _notes_with_reference(case: CaseForRemedy) -> str:
    reference = f"Sagsflow-sag {case.number}"
    return f"{reference}\n\n{case.notes}" if case.notes else reference


def _optional(values: dict[str, str], field: str, value: str | None) -> None:
    if value:
        values[field] = value


def incident_create_values(case: CaseForRemedy) -> dict[str, str]:
    """Values for ``POST /entry/HPD:IncidentInterface_Create`` (note BMC's typo field)."""
    values = {
        "z1D_Action": "CREATE",
        "First_Name": case.customer_first_name,
        "Last_Name": case.customer_last_name,
        "Description": case.summary,
        "Detailed_Decription": _notes_with_reference(case),
        "Impact": IMPACT_TO_REMEDY[case.impact],
        "Urgency": URGENCY_TO_REMEDY[case.urgency],
        "Status": STATUS_TO_REMEDY[case.status],
        "Reported Source": case.reported_source,
        "Service_Type": SERVICE_TYPE_BY_CASE_TYPE[case.type],
    }
    _optional(values, "Login_ID", case.customer_login)
    _optional(values, "Status_Reason", case.status_reason)
    _optional(values, "Resolution", case.resolution)
    _optional(values, "Assigned Group", case.team)
    if case.team:
        _optional(values, "Assigned Support Company", case.support_company)
        _optional(values, "Assigned Support Organization", case.support_organization)
    _optional(values, "Assignee Login ID", case.assignee_login)
    return values


def incident_update_values(case: CaseForRemedy) -> dict[str, str]:
    """Values for ``PUT /entry/HPD:Help Desk/{id}`` (read-side field names)."""
    values = {
        "Description": case.summary,
        "Detailed Decription": _notes_with_reference(case),
        "Impact": IMPACT_TO_REMEDY[case.impact],
        "Urgency": URGENCY_TO_REMEDY[case.urgency],
        "Status": STATUS_TO_REMEDY[case.status],
        "Service Type": SERVICE_TYPE_BY_CASE_TYPE[case.type],
    }
    _optional(values, "Status_Reason", case.status_reason)
    _optional(values, "Resolution", case.resolution)
    _optional(values, "Assigned Group", case.team)
    _optional(values, "Assignee Login ID", case.assignee_login)
    return values


def work_info_values(info: WorkInfoForRemedy) -> dict[str, str]:
    """Values for ``POST /entry/HPD:WorkLog``."""
    values = {
        "Incident Number": info.incident_number,
        "Work Log Type": info.work_log_type,
        "Description": info.summary,
        "Detailed Description": info.notes,
        "View Access": VIEW_ACCESS_TO_REMEDY[info.view_access],
        "Secure Work Log": "No",
    }
    _optional(values, "Work Log Submitter", info.submitter)
    return values


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
