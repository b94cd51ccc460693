"""BMC Remedy ITSM connector: REST client, safe qualifications, mapping, simulator (H-R1.1)."""

from connectors.remedy.client import RemedyClient, RemedyEntry, RemedySettings
from connectors.remedy.errors import (
    ArMessage,
    QualificationError,
    RemedyApiError,
    RemedyAuthError,
    RemedyDataError,
    RemedyError,
    RemedyPermanentError,
    RemedyTransientError,
    RemedyUsageError,
)
from connectors.remedy.mapping import (
    CaseForRemedy,
    ImportedIncident,
    WorkInfoForRemedy,
    incident_create_values,
    incident_from_remedy,
    incident_update_values,
    work_info_values,
)

__all__ = [
    "ArMessage",
    "CaseForRemedy",
    "ImportedIncident",
    "QualificationError",
    "RemedyApiError",
    "RemedyAuthError",
    "RemedyClient",
    "RemedyDataError",
    "RemedyEntry",
    "RemedyError",
    "RemedyPermanentError",
    "RemedySettings",
    "RemedyTransientError",
    "RemedyUsageError",
    "WorkInfoForRemedy",
    "incident_create_values",
    "incident_from_remedy",
    "incident_update_values",
    "work_info_values",
]
