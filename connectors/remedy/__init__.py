"""BMC Remedy ITSM connector: REST client, safe qualifications, mapping, simulator (H-R1.1).

The names below are imported on first use (PEP 562), so that importing one submodule, such as
the settings, does not import the whole connector (issue 15: the CLI starts fast)."""
from __future__ import annotations

from connectors.lazy_exports import lazy_exports

_EXPORTS = {
    "ArMessage": "connectors.remedy.errors",
    "CaseForRemedy": "connectors.remedy.mapping",
    "ImportedIncident": "connectors.remedy.incoming",
    "QualificationError": "connectors.remedy.errors",
    "RemedyApiError": "connectors.remedy.errors",
    "RemedyAuthError": "connectors.remedy.errors",
    "RemedyClient": "connectors.remedy.client",
    "RemedyDataError": "connectors.remedy.errors",
    "RemedyEntry": "connectors.remedy.client",
    "RemedyError": "connectors.remedy.errors",
    "RemedyPermanentError": "connectors.remedy.errors",
    "RemedySettings": "connectors.remedy.client",
    "RemedyTransientError": "connectors.remedy.errors",
    "RemedyUsageError": "connectors.remedy.errors",
    "WorkInfoForRemedy": "connectors.remedy.mapping",
    "incident_create_values": "connectors.remedy.mapping",
    "incident_from_remedy": "connectors.remedy.incoming",
    "incident_update_values": "connectors.remedy.mapping",
    "work_info_values": "connectors.remedy.mapping",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
