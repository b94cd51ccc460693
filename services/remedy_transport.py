"""Remedy writes of the outbox (H-R1.1): Work Info → HPD:WorkLog, case status → HPD:Help Desk.

A Work Log entry carries the outbox key as a marker line in its Detailed Description; before
creating one, the writer searches the incident's entries with the same Description for that
marker, so a retry after a timeout (the entry may have been created) never duplicates it. A status
update is a PUT of the same values, which is idempotent by itself. One RemedyClient (one login)
serves a whole dispatcher run; Remedy faults map to the dispatcher's Transient/Permanent errors.
"""
from __future__ import annotations

from pydantic import ValidationError

from connectors.remedy import (RemedyClient, RemedyError, RemedySettings, RemedyTransientError,
                               WorkInfoForRemedy, work_info_values)
from connectors.remedy.mapping import NOTES_MAX_LENGTH, STATUS_TO_REMEDY, SUMMARY_MAX_LENGTH
from connectors.remedy.qualification import and_, field_equals
from services.dispatcher import PermanentDeliveryError, TransientDeliveryError
from store.models import OutboxRow

HELP_DESK, WORK_LOG = "HPD:Help Desk", "HPD:WorkLog"
STATUS_REASONS = {"pending": "Client Action Required", "resolved": "No Further Action Required"}


def marker(key: str) -> str:
    return f"[sagsflow:{key}]"


class RemedyWriter:
    """Delivers outbox items of kind 'remedy' ({"action": "worklog" | "status", ...})."""

    def __init__(self, settings: RemedySettings):
        self.settings = settings
        self._client: RemedyClient | None = None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except RemedyError:
                pass   # the token expires by itself; the deliveries are already recorded
            self._client = None

    def deliver(self, item: OutboxRow) -> dict:
        if not self.settings.enabled:
            raise TransientDeliveryError("the Remedy integration is off (SAGSFLOW_REMEDY__ENABLED)")
        action = item.payload.get("action")
        try:
            if action == "worklog":
                return self._worklog(item)
            if action == "status":
                return self._status(item)
        except RemedyTransientError as exc:
            raise TransientDeliveryError(str(exc)) from None
        except RemedyError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        except ValidationError as exc:
            raise PermanentDeliveryError(f"invalid Remedy data: {exc.errors()[0]['msg']}") from None
        raise PermanentDeliveryError(f"unknown Remedy action {action!r}")

    def _client_once(self) -> RemedyClient:
        if self._client is None:
            self._client = RemedyClient(self.settings)
        return self._client

    def _worklog(self, item: OutboxRow) -> dict:
        p, tag = item.payload, marker(item.idempotency_key)
        notes = (p.get("notes") or "")[: NOTES_MAX_LENGTH - len(tag) - 2]
        info = WorkInfoForRemedy(incident_number=p["incident_number"], work_log_type=p["work_log_type"],
                                 summary=(p.get("summary") or "-")[:SUMMARY_MAX_LENGTH],
                                 notes=f"{notes}\n\n{tag}" if notes else tag,
                                 view_access=p.get("view_access", "internal"))
        values = work_info_values(info)
        client = self._client_once()
        existing = client.get_entries(WORK_LOG, and_(field_equals("Incident Number", info.incident_number),
                                                     field_equals("Description", values["Description"])),
                                      fields=["Work Log ID", "Detailed Description"])
        for entry in existing:
            if tag in (entry.values.get("Detailed Description") or ""):
                return {"work_log_id": entry.values.get("Work Log ID"), "existing": True}
        entry_id, returned = client.create_entry(WORK_LOG, values, return_fields=["Work Log ID"])
        return {"work_log_id": returned.get("Work Log ID"), "entry_id": entry_id}

    def _status(self, item: OutboxRow) -> dict:
        p = item.payload
        status = p.get("status")
        if status not in STATUS_TO_REMEDY:
            raise PermanentDeliveryError(f"unknown Remedy status {status!r}")
        client = self._client_once()
        entry_id = p.get("entry_id")
        if not entry_id:
            found = client.get_entries(HELP_DESK, field_equals("Incident Number", p["incident_number"]),
                                       fields=["Entry ID"], limit=1)
            if not found or not found[0].entry_id:
                raise PermanentDeliveryError(f"Remedy has no incident {p['incident_number']}")
            entry_id = found[0].entry_id
        values = {"Status": STATUS_TO_REMEDY[status]}
        if status in STATUS_REASONS:
            values["Status_Reason"] = STATUS_REASONS[status]
        client.update_entry(HELP_DESK, entry_id, values)
        return {"entry_id": entry_id, "status": values["Status"]}
