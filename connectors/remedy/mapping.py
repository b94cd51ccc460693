"""Pure mapping between Sagsflow cases / Work Info and BMC Remedy ITSM field values.

Serves H-R1.1 (every aspect of a case recorded as Work Info, mirrored to
``HPD:WorkLog``), H-T1/H-T2 (incident vs. service request -> ``Service_Type``)
and the "Work Info types" section (Remedy Work Log types). No I/O, no database.

Outgoing models validate strictly (a clear pydantic ``ValidationError``);
incoming Remedy data is validated in ``connectors.remedy.incoming`` (re-exported
here), which raises ``RemedyDataError`` naming what is missing or unknown. Text from Remedy is
kept as plain text: control and bidi-override characters are removed and lengths
are capped; HTML or script is never interpreted (escaping is the renderer's job).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


# the incoming side lives in connectors.remedy.incoming; these names stay importable from here, on first
# use (PEP 562) — incoming imports this module, so importing it here would fail when incoming comes first
_INCOMING = frozenset({"REQUIRED_INCIDENT_FIELDS", "ImportedIncident", "incident_from_remedy", "parse_ar_datetime"})


def __getattr__(name: str):
    if name not in _INCOMING:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from connectors.remedy import incoming
    return getattr(incoming, name)
