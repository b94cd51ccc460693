"""Prefect Automations on Sagsflow's events (issue 16; H-S, H-E): the documented example — "an SLA
breach in a team notifies someone" — as code, so `docs/flow-visibility.md` and the test use the same
trigger. Administrators can create the same Automation in the Prefect UI without code."""
from __future__ import annotations

from prefect.automations import Automation
from prefect.events.schemas.automations import EventTrigger, Posture

BREACH = "sagsflow.sla.breach"
WARNING = "sagsflow.sla.warning"
DEAD_LETTER = "sagsflow.outbox.dead-letter"


def event_trigger(event: str, *, team: str | None = None) -> EventTrigger:
    """Fires once per matching event; `team` narrows it to one team's cases (resource label)."""
    match = {"prefect.resource.id": "sagsflow.case.*"}
    if team:
        match["sagsflow.team"] = team
    return EventTrigger(expect={event}, match=match, posture=Posture.Reactive, threshold=1)


def breach_automation(*, name: str, actions: list, team: str | None = None) -> Automation:
    """E.g. actions=[SendNotification(block_document_id=…, subject=…, body=…)] (see the docs)."""
    return Automation(name=name, description="SLA-brud i Sagsflow", trigger=event_trigger(BREACH, team=team),
                      actions=actions)
