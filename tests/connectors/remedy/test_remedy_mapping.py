"""Pure mapping between Sagsflow cases/Work Info and Remedy values (H-R1.1, H-T1, H-T2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from connectors.remedy.errors import RemedyDataError
from connectors.remedy.mapping import (
    NOTES_MAX_LENGTH,
    REQUIRED_INCIDENT_FIELDS,
    STATUS_FROM_REMEDY,
    STATUS_TO_REMEDY,
    SUMMARY_MAX_LENGTH,
    CaseForRemedy,
    WorkInfoForRemedy,
    incident_create_values,
    incident_from_remedy,
    incident_update_values,
    work_info_values,
)

CASE = {
    "number": "SAG-2024-0042", "type": "incident", "summary": "VPN afbryder hvert 10. minut",
    "notes": "Sker kun på RH.", "impact": 2, "urgency": 3, "priority": "medium", "status": "assigned",
    "team": "Netværk", "assignee_login": "tek01", "customer_first_name": "Anne",
    "customer_last_name": "Hansen", "customer_login": "ahan0001",
}
REMEDY_INCIDENT = {
    "Incident Number": "INC000000000123", "Description": "VPN afbryder", "Detailed Decription": "Noter",
    "Status": "Pending", "Status_Reason": "Client Action Required", "Priority": "Critical",
    "Impact": "1-Extensive/Widespread", "Urgency": "2-High", "Last Modified Date": "2019-10-15T23:36:18.000+0000",
    "Assigned Group": "Netværk", "Assignee Login ID": None,
}


def test_h_t1_incident_create_values_follow_interface_form():
    values = incident_create_values(CaseForRemedy(**CASE))
    assert values == {
        "z1D_Action": "CREATE", "First_Name": "Anne", "Last_Name": "Hansen", "Login_ID": "ahan0001",
        "Description": "VPN afbryder hvert 10. minut",
        "Detailed_Decription": "Sagsflow-sag SAG-2024-0042\n\nSker kun på RH.",
        "Impact": "2-Significant/Large", "Urgency": "3-Medium", "Status": "Assigned",
        "Reported Source": "Phone", "Service_Type": "User Service Restoration",
        "Assigned Group": "Netværk", "Assignee Login ID": "tek01",
    }
    assert "Priority" not in values  # Remedy computes it from Impact x Urgency


def test_h_t2_service_request_maps_to_user_service_request_and_omits_empty_optionals():
    case = CaseForRemedy(**{**CASE, "type": "service_request", "team": None, "assignee_login": None,
                            "customer_login": None, "notes": ""})
    values = incident_create_values(case)
    assert values["Service_Type"] == "User Service Request"
    assert values["Detailed_Decription"] == "Sagsflow-sag SAG-2024-0042"
    assert not {"Assigned Group", "Assignee Login ID", "Login_ID"} & set(values)


def test_h_t1_update_values_use_help_desk_field_names():
    case = CaseForRemedy(**{**CASE, "status": "resolved", "status_reason": "No Further Action Required",
                            "resolution": "Ny driver installeret"})
    values = incident_update_values(case)
    assert values["Detailed Decription"].endswith("Sker kun på RH.")
    assert (values["Service Type"], values["Status"]) == ("User Service Restoration", "Resolved")
    assert (values["Status_Reason"], values["Resolution"]) == ("No Further Action Required", "Ny driver installeret")
    assert "Detailed_Decription" not in values and "z1D_Action" not in values


@pytest.mark.parametrize("status", sorted(STATUS_TO_REMEDY))
def test_h_t1_status_mapping_round_trips(status):
    assert STATUS_FROM_REMEDY[STATUS_TO_REMEDY[status]] == status
    assert incident_create_values(CaseForRemedy(**{**CASE, "status": status}))["Status"] == STATUS_TO_REMEDY[status]


def test_h_r1_1_work_info_values_for_worklog():
    info = WorkInfoForRemedy(incident_number="INC000000000123", work_log_type="Closure Follow Up",
                             summary="Kontaktforsøg 2 (mail)", notes="Mail sendt", view_access="public",
                             submitter="tek01")
    assert work_info_values(info) == {
        "Incident Number": "INC000000000123", "Work Log Type": "Closure Follow Up",
        "Description": "Kontaktforsøg 2 (mail)", "Detailed Description": "Mail sendt",
        "View Access": "Public", "Secure Work Log": "No", "Work Log Submitter": "tek01",
    }
    assert work_info_values(info.model_copy(update={"view_access": "internal"}))["View Access"] == "Internal"


@pytest.mark.parametrize("changes", [
    {"work_log_type": "Gossip"},
    {"incident_number": "INC' OR 1=1"},
    {"summary": "x" * (SUMMARY_MAX_LENGTH + 1)},
    {"summary": "\x00\x01"},
    {"view_access": "everyone"},
])
def test_h_r1_1_invalid_work_info_is_rejected(changes):
    data = {"incident_number": "INC000000000123", "work_log_type": "Working Log", "summary": "ok", **changes}
    with pytest.raises(ValidationError):
        WorkInfoForRemedy(**data)


@pytest.mark.parametrize("changes", [
    {"impact": 5}, {"urgency": 0}, {"type": "change"}, {"status": "parked"}, {"priority": "urgent"},
    {"reported_source": "Pigeon"}, {"customer_last_name": ""}, {"notes": "n" * (NOTES_MAX_LENGTH + 1)},
    {"unexpected": "field"},
])
def test_h_t1_invalid_case_is_rejected(changes):
    with pytest.raises(ValidationError):
        CaseForRemedy(**{**CASE, **changes})


def test_h_r1_1_outgoing_text_drops_control_characters():
    case = CaseForRemedy(**{**CASE, "summary": "Skærm\x00 sort\x1b[0m", "notes": "a\r\nb\tc\u202e"})
    values = incident_create_values(case)
    assert values["Description"] == "Skærm sort[0m"
    assert values["Detailed_Decription"].endswith("a\nb\tc")


def test_h_t1_incident_from_remedy_maps_to_our_vocabulary():
    incident = incident_from_remedy(REMEDY_INCIDENT)
    assert (incident.incident_number, incident.status, incident.remedy_status) == (
        "INC000000000123", "pending", "Pending")
    assert (incident.priority, incident.impact, incident.urgency) == ("critical", 1, 2)
    assert incident.last_modified == datetime(2019, 10, 15, 23, 36, 18, tzinfo=UTC)
    assert (incident.notes, incident.status_reason, incident.assignee_login) == (
        "Noter", "Client Action Required", None)


@pytest.mark.parametrize("field", REQUIRED_INCIDENT_FIELDS)
def test_h_t1_missing_required_field_is_named(field):
    values = {k: v for k, v in REMEDY_INCIDENT.items() if k != field}
    with pytest.raises(RemedyDataError, match=f"missing required field\\(s\\): {field}$"):
        incident_from_remedy(values)


@pytest.mark.parametrize(("field", "value"), [
    ("Status", "Parked"), ("Priority", "Urgent"), ("Impact", "5-Cosmic"), ("Urgency", 2),
])
def test_h_t1_unknown_enumeration_value_is_data_error(field, value):
    with pytest.raises(RemedyDataError, match=f"unknown {field}"):
        incident_from_remedy({**REMEDY_INCIDENT, field: value})


@pytest.mark.parametrize(("field", "value", "message"), [
    ("Last Modified Date", "15/10/2019", "not an AR date-time"),
    ("Last Modified Date", "2019-10-15T23:36:18", "not an AR date-time"),
    ("Incident Number", "<script>", "is not like INC"),
    ("Description", "\x00\x07", "empty Description"),
    ("Assigned Group", ["list"], "must be text"),
])
def test_h_t1_malformed_remedy_values_are_data_errors(field, value, message):
    with pytest.raises(RemedyDataError, match=message):
        incident_from_remedy({**REMEDY_INCIDENT, field: value})


def test_h_t1_non_mapping_is_data_error():
    with pytest.raises(RemedyDataError, match="must be an object"):
        incident_from_remedy(["not", "a", "dict"])  # type: ignore[arg-type]


def test_h_r1_1_hostile_remedy_text_is_kept_as_plain_text():
    hostile = "<img src=x onerror=alert(1)>{{7*7}}\x00\x08\u2066evil\u2069\r\nnext\tline"
    incident = incident_from_remedy({**REMEDY_INCIDENT, "Description": hostile * 10,
                                     "Detailed Decription": hostile})
    assert incident.notes == "<img src=x onerror=alert(1)>{{7*7}}evil\nnext\tline"
    assert len(incident.summary) == SUMMARY_MAX_LENGTH
    assert incident.summary.startswith("<img src=x onerror=alert(1)>")


def test_h_t1_epoch_seconds_date_is_accepted():
    incident = incident_from_remedy({**REMEDY_INCIDENT, "Last Modified Date": 1571182578})
    assert incident.last_modified == datetime(2019, 10, 15, 23, 36, 18, tzinfo=UTC)
