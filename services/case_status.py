"""The case status a human task sets (H-R1.1, the status values of the README): the diagram says it,
as the extension property ``case_status`` on the user task (camunda:properties), so a process owner
can add a task without a developer (issue 11). Validated on deploy (engine/property_checks.py)."""
from __future__ import annotations

from services.case_context import diagram_facts

PROPERTY = "case_status"

# Versions deployed before the property existed (stored in databases that ran them) keep the status
# they always set: the same values the shipped diagrams now carry as case_status.
LEGACY_STATUS_BY_TASK = {
    "classify_case": "in_triage", "first_triage": "in_triage", "choose_team": "in_triage",
    "confirm_personal_handover": "awaiting_distribution", "distribute_case": "awaiting_distribution",
    "work_on_case": "in_progress", "handle_escalation": "in_progress", "review_rejection": "in_progress",
    "record_customer_answer": "waiting_for_customer", "decide_test_waiver": "testing", "test_solution": "testing",
    "customer_acceptance": "testing", "closure_checklist": "resolved"}


def case_status_of(bundle, bpmn_id: str) -> str | None:
    """The status the task `bpmn_id` of this version sets when it opens; None: the status stays."""
    properties = diagram_facts(bundle.content_hash, bundle.sources).element_properties
    if not any(PROPERTY in own for own in properties.values()):   # a version from before the property
        return LEGACY_STATUS_BY_TASK.get("choose_team" if bpmn_id.startswith("questionnaire_") else bpmn_id)
    return properties.get(bpmn_id, {}).get(PROPERTY) or None


def modeler_choices() -> dict:
    """What the browser modeler offers (issue 11): the known operations of external service tasks
    and the case statuses a user task may set, with their Danish labels."""
    from config.handbook import handbook
    from tasks.operations import OPERATIONS
    labels = handbook().labels.get("status", {})
    return {"topics": sorted(OPERATIONS),
            "statuses": [{"id": key, "name": name} for key, name in labels.items() if key != "cancelled"]}
