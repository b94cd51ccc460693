"""The forms, menus and ITSM rules of the Remedy simulator (H-R1.1, H-T1, H-T2; issue 14).

Follows BMC's documentation, not our client: ``HPD:Help Desk`` holds the incidents,
``HPD:IncidentInterface`` is the documented way to read and modify them (its entry ids are
composite, ``<id>|<id>``), ``HPD:IncidentInterface_Create`` creates them (``z1D_Action=CREATE``),
``HPD:WorkLog`` holds Work Info. ITSM workflow on the interface forms refuses a status without
what it needs: an Assigned Group (with support company and organisation) from *Assigned* on, an
Assignee past *Assigned*, a Status Reason for *Pending* and *Resolved*, a Resolution for
*Resolved*; *Closed* only from *Resolved*; nothing changes after *Closed* or *Cancelled*.
Workflow messages use AR's user-defined range (10000); which numbers a real server sends is on
the list a live server must confirm (docs/remedy.md). Dates are answered as
``yyyy-MM-ddTHH:mm:ss.SSSZ`` and accepted in qualifications only in that form or as epoch seconds.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from connectors.remedy.errors import ArMessage

CREATE_FORM, HELP_DESK, WORK_LOG = "HPD:IncidentInterface_Create", "HPD:Help Desk", "HPD:WorkLog"
INTERFACE, PEOPLE = "HPD:IncidentInterface", "CTM:People"
STATUS = ("New", "Assigned", "In Progress", "Pending", "Resolved", "Closed", "Cancelled")
IMPACT = {"1-Extensive/Widespread": 9, "2-Significant/Large": 5, "3-Moderate/Limited": 3, "4-Minor/Localized": 0}
URGENCY = {"1-Critical": 20, "2-High": 15, "3-Medium": 10, "4-Low": 0}
PRIORITY = {  # (impact, urgency) -> Priority, BMC default matrix (weights are not monotonic)
    (1, 1): "Critical", (1, 2): "Critical", (1, 3): "High", (1, 4): "Low",
    (2, 1): "Critical", (2, 2): "High", (2, 3): "Medium", (2, 4): "Low",
    (3, 1): "High", (3, 2): "High", (3, 3): "Medium", (3, 4): "Low",
    (4, 1): "High", (4, 2): "Medium", (4, 3): "Medium", (4, 4): "Low",
}
STATUS_REASONS = {
    "Pending": ("Automated Resolution Reported", "Client Action Required", "Client Hold", "Future Enhancement",
                "Infrastructure Change", "Local Site Action Required", "Monitoring Incident",
                "Purchase Order Approval", "Registration Approval", "Request", "Supplier Delivery",
                "Support Contact Hold", "Third Party Vendor Action Reqd"),
    "Resolved": ("Automated Resolution Reported", "Customer Follow-Up Required", "Future Enhancement",
                 "Monitoring Incident", "No Further Action Required", "Temporary Corrective Action"),
    "Closed": ("Automated Resolution Reported", "Infrastructure Change Created"),
    "Cancelled": ("No longer a Causal CI",),
}
SERVICE_TYPES = ("User Service Restoration", "User Service Request", "Infrastructure Restoration",
                 "Infrastructure Event")
SOURCES = ("Direct Input", "Email", "External Escalation", "Fax", "Self Service", "Systems Management",
           "Phone", "Voice Mail", "Walk In", "Web", "Other", "BMC Impact Manager Event")
WORK_LOG_TYPES = ("Customer Communication", "Customer Follow-up", "Customer Status Update", "Closure Follow Up",
                  "Detail Clarification", "General Information", "Resolution Communications", "Satisfaction Survey",
                  "Status Update", "Incident Task / Action", "Problem Script", "Working Log", "Email System",
                  "Paging System", "BMC Impact Manager Update", "Chat", "Vendor Communication")
_COMMON = ("Request ID", "Submitter", "Submit Date", "Last Modified By", "Last Modified Date", "Status")
_INCIDENT = ("Incident Number", "Description", "Detailed Decription", "Impact", "Urgency", "Priority",
             "Priority Weight", "Status_Reason", "Service Type", "Reported Source", "Reported Date", "First Name",
             "Last Name", "Customer Login ID", "Internet E-mail", "Phone Number", "Site", "Company",
             "Assigned Group", "Assigned Support Company", "Assigned Support Organization", "Assignee",
             "Assignee Login ID", "Resolution", "Last Resolved Date", "Closed Date")
_ASSIGNMENT = ("Assigned Group", "Assigned Support Company", "Assigned Support Organization", "Assignee",
               "Assignee Login ID")
FIELDS: dict[str, tuple[str, ...]] = {
    CREATE_FORM: _COMMON + (
        "z1D_Action", "First_Name", "Last_Name", "Login_ID", "Description", "Detailed_Decription", "Impact",
        "Urgency", "Status_Reason", "Reported Source", "Service_Type", "Resolution", "Incident Number",
        "Incident_Entry_ID", "Create Date") + _ASSIGNMENT,
    HELP_DESK: _COMMON + ("Entry ID",) + _INCIDENT,
    INTERFACE: _COMMON + ("z1D Action",) + _INCIDENT,
    WORK_LOG: _COMMON + (
        "Work Log ID", "Incident Number", "Work Log Type", "Description", "Detailed Description", "View Access",
        "Secure Work Log", "Work Log Submitter", "Work Log Date", "Communication Type", "Communication Source"),
    PEOPLE: _COMMON + ("Person ID", "First Name", "Last Name", "Remedy Login ID", "Internet E-mail",
                       "Phone Number Business", "Site", "Company"),
}
MENUS: dict[str, tuple[str, ...]] = {
    "Status": STATUS, "Impact": tuple(IMPACT), "Urgency": tuple(URGENCY), "Service_Type": SERVICE_TYPES,
    "Service Type": SERVICE_TYPES, "Reported Source": SOURCES, "Work Log Type": WORK_LOG_TYPES,
    "View Access": ("Internal", "Public"), "Secure Work Log": ("Yes", "No"),
}
REQUIRED = {
    CREATE_FORM: ("z1D_Action", "First_Name", "Last_Name", "Description", "Impact", "Urgency", "Status",
                  "Reported Source", "Service_Type"),
    WORK_LOG: ("Incident Number", "Work Log Type", "Description"),
}
_SYSTEM = frozenset({"Request ID", "Submitter", "Submit Date", "Last Modified By", "Last Modified Date"})
READ_ONLY = {
    CREATE_FORM: _SYSTEM | {"Incident Number", "Incident_Entry_ID", "Create Date"},
    HELP_DESK: _SYSTEM | {"Entry ID", "Incident Number", "Priority", "Priority Weight", "Reported Date"},
    INTERFACE: _SYSTEM | {"Incident Number", "Priority", "Priority Weight", "Reported Date"},
    WORK_LOG: _SYSTEM | {"Work Log ID", "Work Log Date"},
    PEOPLE: _SYSTEM | {"Person ID"},
}
WORKFLOW_ERROR = 10000
_DOCUMENTED_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")


class ArFault(Exception):
    """An AR error answer: HTTP status (None: the server's default error status) + one AR message."""

    def __init__(self, status: int | None, number: int, text: str, appended: str | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.message = ArMessage("ERROR", text, appended, number)


def format_ar_timestamp(moment: datetime) -> str:
    """Remedy's documented date form ``yyyy-MM-ddTHH:mm:ss.SSSZ``: ``2019-10-15T23:36:18.000+0000``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def qualification_date(value: str) -> str:
    """A date in a qualification: the documented form or epoch seconds, else ARERR 1587."""
    if value.isdigit():
        return format_ar_timestamp(datetime.fromtimestamp(int(value), tz=UTC))
    if _DOCUMENTED_DATE.match(value):
        return value
    raise ArFault(None, 1587, "Invalid date/time format in qualification; use yyyy-MM-ddTHH:mm:ss.SSSZ",
                  value[:40])


def priority_of(row: dict[str, Any]) -> None:
    impact, urgency = row.get("Impact"), row.get("Urgency")
    if impact in IMPACT and urgency in URGENCY:
        row["Priority"] = PRIORITY[(int(impact[0]), int(urgency[0]))]
        row["Priority Weight"] = IMPACT[impact] + URGENCY[urgency]


def validate(form: str, values: dict[str, Any], *, creating: bool) -> None:
    for field, value in values.items():
        known(form, field)
        if field in READ_ONLY[form]:
            raise ArFault(None, 9084, "Field is read-only for API writes", field)
        menu = ("Enabled", "Disabled") if (form, field) == (WORK_LOG, "Status") else MENUS.get(field)
        if menu is not None and value is not None and value not in menu:
            raise ArFault(None, 306, "Value does not fall within the limits specified for the field", field)
        if value is not None and not isinstance(value, (str, int, float)):
            raise ArFault(None, 9372, "Unsupported value type", field)
    for field in REQUIRED.get(form, ()) if creating else ():
        if values.get(field) in (None, ""):
            raise ArFault(None, 326, "Required field cannot be blank.", field)


def known(form: str, field: str) -> None:
    if field not in FIELDS[form]:
        raise ArFault(None, 314, "Field does not exist on current form", field[:80])


def itsm_rules(row: dict[str, Any], *, previous: str | None) -> None:
    """ITSM workflow on the interface forms, checked on the incident as it would be after the change."""
    status = row.get("Status")
    if previous in ("Closed", "Cancelled"):
        raise ArFault(None, WORKFLOW_ERROR, f"The incident is {previous} and cannot be modified")
    if status == "Closed" and previous not in ("Resolved", "Closed"):
        raise ArFault(None, WORKFLOW_ERROR, "An incident can only be closed after it has been resolved")
    if status not in ("New", "Cancelled"):
        for field in ("Assigned Group", "Assigned Support Company", "Assigned Support Organization"):
            if not row.get(field):
                raise ArFault(None, WORKFLOW_ERROR, f"The {field} field is required for this status", field)
    if status in ("In Progress", "Pending", "Resolved", "Closed") and not (
            row.get("Assignee") or row.get("Assignee Login ID")):
        raise ArFault(None, WORKFLOW_ERROR, "The Assignee field is required for this status", "Assignee")
    if status in ("Pending", "Resolved"):
        reason = row.get("Status_Reason")
        if reason not in STATUS_REASONS[status]:
            raise ArFault(None, WORKFLOW_ERROR, f"The Status_Reason field is required for {status}",
                          str(reason)[:60] if reason else "Status_Reason")
    if status == "Resolved" and not row.get("Resolution"):
        raise ArFault(None, WORKFLOW_ERROR, "The Resolution field is required for this status", "Resolution")
