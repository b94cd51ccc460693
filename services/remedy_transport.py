"""Remedy writes of the outbox (H-R1.1; issue 14): Work Info → ``HPD:WorkLog``, state →
``HPD:IncidentInterface``, new cases → ``HPD:IncidentInterface_Create`` (form names configurable).

A Work Log entry carries the outbox key as a marker line in its Detailed Description, and a created
incident starts its notes with ``Sagsflow-sag <number>``; before writing, the writer looks for that
marker, so a retry after a timeout (the entry may exist) never duplicates. A state update is a PUT of
the wanted state to the interface entry found by Incident Number, idempotent by itself. One client
(one login) serves a dispatcher run. Faults are classified by the connector (AR ``messageNumber``):
transient → retried; anything else → a dead letter whose text is Remedy's own message, for the
administrator (the outbox page).
"""
from __future__ import annotations

from pydantic import ValidationError

from connectors.remedy import (CaseForRemedy, RemedyClient, RemedyError, RemedySettings, RemedyTransientError,
                               WorkInfoForRemedy, incident_create_values, work_info_values)
from connectors.remedy.mapping import NOTES_MAX_LENGTH, SUMMARY_MAX_LENGTH, RemedyState, interface_update_values
from connectors.remedy.qualification import and_, field_equals
from services.dispatcher import PermanentDeliveryError, TransientDeliveryError
from store.models import OutboxRow


def marker(key: str) -> str:
    return f"[sagsflow:{key}]"


class RemedyWriter:
    """Delivers outbox items of kind 'remedy' ({"action": "worklog" | "update" | "create", ...})."""

    def __init__(self, settings: RemedySettings):
        self.settings = settings
        self.forms = settings.forms
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
        handler = {"worklog": self._worklog, "update": self._update, "status": self._legacy_status,
                   "create": self._create}.get(action)
        if handler is None:
            raise PermanentDeliveryError(f"unknown Remedy action {action!r}")
        try:
            return handler(item)
        except RemedyTransientError as exc:
            raise TransientDeliveryError(str(exc)) from None
        except RemedyError as exc:
            raise PermanentDeliveryError(f"Remedy afviste: {exc}") from None
        except ValidationError as exc:
            raise PermanentDeliveryError(f"invalid Remedy data: {exc.errors()[0]['msg']}") from None

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
        existing = client.get_entries(self.forms.work_log, and_(
            field_equals("Incident Number", info.incident_number), field_equals("Description", values["Description"])),
            fields=["Work Log ID", "Detailed Description"])
        for entry in existing:
            if tag in (entry.values.get("Detailed Description") or ""):
                return {"work_log_id": entry.values.get("Work Log ID"), "existing": True}
        entry_id, returned = client.create_entry(self.forms.work_log, values, return_fields=["Work Log ID"])
        return {"work_log_id": returned.get("Work Log ID"), "entry_id": entry_id}

    def _interface_entry(self, incident_number: str) -> str:
        found = self._client_once().get_entries(self.forms.interface, field_equals("Incident Number", incident_number),
                                                fields=["Incident Number"], limit=1)
        if not found or not found[0].entry_id:
            raise PermanentDeliveryError(f"Remedy har ingen hændelse {incident_number}")
        return found[0].entry_id

    def _update(self, item: OutboxRow) -> dict:
        p = item.payload
        state = RemedyState(**p["state"])
        entry_id = self._interface_entry(p["incident_number"])
        self._client_once().update_entry(self.forms.interface, entry_id, interface_update_values(state))
        return {"entry_id": entry_id, "status": state.status}

    def _legacy_status(self, item: OutboxRow) -> dict:
        """Items queued before issue 14 carried only a status."""
        return self._update(OutboxRow(idempotency_key=item.idempotency_key, payload={
            **item.payload, "state": {"status": item.payload.get("status")}}))

    def _create(self, item: OutboxRow) -> dict:
        case = CaseForRemedy(**item.payload["case"])
        values = incident_create_values(case)
        client = self._client_once()
        reference = values["Detailed_Decription"].split("\n", 1)[0]
        for entry in client.get_entries(self.forms.help_desk, field_equals("Description", values["Description"]),
                                        fields=["Incident Number", "Detailed Decription"]):
            if (entry.values.get("Detailed Decription") or "").split("\n", 1)[0] == reference:
                return {"incident_number": entry.values.get("Incident Number"), "entry_id": entry.entry_id,
                        "existing": True}
        entry_id, returned = client.create_entry(self.forms.create, values,
                                                 return_fields=["Incident Number", "Incident_Entry_ID"])
        number = returned.get("Incident Number")
        if not number:
            raise PermanentDeliveryError("Remedy oprettede hændelsen uden at returnere Incident Number")
        return {"incident_number": number, "entry_id": returned.get("Incident_Entry_ID") or entry_id}
