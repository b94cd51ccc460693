"""What the process data holds without a person answering (issue 10, data-flow validation): the
case fields every case starts with (services/cases.py `open_case`) and the data keys each named
operation of tasks/operations.py sets. Pure data; the validator checks every name a diagram reads
against these, the forms upstream and the DMN outputs. A new operation declares its outputs here."""
from __future__ import annotations

CASE_FIELDS = frozenset({
    "case_number", "case_type", "classification", "summary", "impact", "urgency", "sla_level",
    "end_user_name", "end_user_email", "end_user_phone"})

# Proposals an integration may add to a case's start data (services/cases.py `open_case(proposals=…)`):
# absent on most cases, so only a form field's `prefill_from` may read them — it then proposes nothing.
PROPOSALS = frozenset({"remedy_team", "remedy_assignee"})   # Remedy's Assigned Group / Assignee (issue 14)

OUTPUTS: dict[str, frozenset[str]] = {
    "route_to_unit": frozenset(), "start_on_call_procedure": frozenset(),
    "start_work": frozenset({"work_result"}), "record_solution": frozenset({"work_result"}),
    "request_customer_information": frozenset(),
    "record_customer_reply": frozenset({"customer_answer", "answer_channel"}),
    "resume_after_customer": frozenset(),
    "record_handover": frozenset({"previous_team", "team", "assignee", "work_result"}),
    "record_rejection": frozenset({"work_result"}), "record_test_waiver": frozenset({"test_outcome"}),
    "clear_variables": frozenset(),          # sets the names of its `names` input parameter (to nothing)
    "request_cmdb_update": frozenset(), "close_case": frozenset(), "send_contact_mail": frozenset(),
    "record_call_attempt": frozenset({"contact_result", "next_contact_due"}),
    "record_mail_reply": frozenset(),
    "evaluate_contact": frozenset({"contact_result", "next_contact_due"}),
    "record_remedy_outcome": frozenset({"remedy_outcome"}),
}
