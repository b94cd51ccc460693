"""Hand-built case histories for the insight report (issue 16): rows written straight into the real
database — a case, its human tasks, Work Info, contact attempts, outbox items and SLA events — on a
deterministic timeline (hours after T0, a Monday 10:00 in Copenhagen)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

from store.models import (CaseRow, ContactAttemptRow, HumanTaskRow, OutboxRow, ProcessDefinitionRow,
                          ProcessInstanceRow, SlaEventRow, WorkInfoRow)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=10)
_ids = count(1)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


class Built:
    """One case under construction; every helper adds rows to the session (the test commits)."""

    def __init__(self, session, *, number: str, team: str | None, priority: str = "medium",
                 status: str = "closed", email: str = "kunde@example.org", name: str = "Test Kunde",
                 received: float = 0.0):
        self.session = session
        definition = session.query(ProcessDefinitionRow).first()
        if definition is None:
            definition = ProcessDefinitionRow(content_hash="insight-test", process_id="incident_handling", spec={},
                                              task_meta={}, sources={}, deployed_at=T0, deployed_by="test")
            session.add(definition)
            session.flush()
        self.case = CaseRow(number=number, case_type="incident", summary="Testsag", status=status, impact=3,
                            urgency=3, priority=priority, sla_level="gold", team=team, customer_name=name,
                            customer_email=email, received_at=h(received))
        session.add(self.case)
        session.flush()
        self.instance = ProcessInstanceRow(case_id=self.case.id, definition_id=definition.id, state=b"",
                                           status="running", updated_at=h(received))
        session.add(self.instance)
        session.flush()
        self.mail("receipt", received + 0.05)

    def task(self, bpmn_id: str, team: str, start: float, end: float | None, *, role: str = "member",
             documented: bool = True, status: str | None = None) -> Built:
        self.session.add(HumanTaskRow(id=f"t{next(_ids)}", instance_id=self.instance.id, case_id=self.case.id,
                                      bpmn_id=bpmn_id, name=bpmn_id, lane=None, team=team, role=role,
                                      status=status or ("open" if end is None else "completed"),
                                      created_at=h(start), completed_at=None if end is None else h(end),
                                      completed_by=None if end is None else "someone"))
        if end is not None and documented:
            self.info(f"task.{bpmn_id}", end)
        return self

    def triage(self, end: float = 0.3) -> Built:
        return (self.task("classify_case", "service_desk", 0.0, 0.1).task("first_triage", "service_desk", 0.1, 0.2)
                .task("choose_team", "service_desk", 0.2, end))

    def info(self, event: str, at: float, notes: str = "", summary: str = "Work Info") -> Built:
        self.session.add(WorkInfoRow(case_id=self.case.id, event=event, work_log_type="Working Log", summary=summary,
                                     notes=notes, author="someone", view_access="internal", created_at=h(at)))
        return self

    def mail(self, purpose: str, at: float, *, status: str = "sent", to: str | None = None) -> Built:
        self.session.add(OutboxRow(idempotency_key=f"{self.case.number}:{purpose}:{next(_ids)}", kind="mail",
                                   case_id=self.case.id, payload={"purpose": purpose, "template": purpose,
                                                                  "to": to or self.case.customer_email},
                                   status=status, attempts=1, next_attempt_at=h(at), created_at=h(at),
                                   sent_at=h(at) if status == "sent" else None))
        return self

    def contact(self, at: float, outcome: str = "reached") -> Built:
        self.session.add(ContactAttemptRow(case_id=self.case.id, channel="phone", direction="outbound", at=h(at),
                                           outcome=outcome, counts=True, confirmed=outcome == "reached", note="",
                                           actor="someone", source_key=f"call:{next(_ids)}"))
        return self

    def breach(self, due: float, target: str = "reaction") -> Built:
        self.session.add(SlaEventRow(case_id=self.case.id, target=target, kind="breach", due_at=h(due),
                                     recorded_at=h(due + 0.01)))
        return self

    def resolve(self, at: float, notes: str = "Genstartet servicen") -> Built:
        self.case.resolved_at = h(at)
        return self.info("solution", at, notes=notes)

    def close(self, at: float) -> Built:
        self.case.status, self.case.closed_at = "closed", h(at)
        return self


def good_case(session, number: str = "INC000000000001") -> Built:
    """Distributed within 0.7 h, documented, the customer told at resolution and closure."""
    b = Built(session, number=number, team="application_operations", status="in_progress").triage()
    b.task("distribute_case", "application_operations", 0.3, 1.0, role="coordinator")
    b.task("work_on_case", "application_operations", 1.0, 3.0).resolve(3.0).mail("resolution_notice_1", 3.1)
    b.contact(4.0).task("closure_checklist", "service_desk", 4.0, 5.0).close(5.0)
    return b


def build_all(session) -> dict[str, Built]:
    cases = {"good": good_case(session)}
    b = Built(session, number="INC000000000002", team="application_operations", status="in_progress").triage()
    b.task("distribute_case", "application_operations", 0.3, 0.5, role="coordinator")
    b.task("work_on_case", "application_operations", 0.5, 1.0).resolve(1.0).mail("resolution_notice_1", 1.1)
    b.task("work_on_case", "application_operations", 2.0, 3.0).resolve(3.0)          # the customer said: not solved
    b.contact(4.0).task("closure_checklist", "service_desk", 4.0, 5.0).close(5.0)
    cases["reopened"] = b

    b = Built(session, number="INC000000000003", team="unix", status="in_progress").triage()
    b.task("distribute_case", "application_operations", 0.3, 0.4, role="coordinator")
    for i, team in enumerate(("network", "databases", "unix")):                     # three named handovers
        b.info("handover", 1.0 + i).task("work_on_case", team, 1.0 + i, 1.5 + i)
    b.contact(235.0)
    cases["many_team_changes"] = b

    b = Built(session, number="INC000000000004", team="application_operations", priority="high",
              status="in_progress").triage()
    b.task("distribute_case", "application_operations", 0.3, 0.4, role="coordinator")
    b.task("work_on_case", "network", 1.0, 2.0).task("work_on_case", "application_operations", 3.0, None)
    b.contact(235.0)
    cases["ping_pong"] = b                                                           # no handover recorded at all

    b = Built(session, number="INC000000000005", team="network", status="in_progress").triage()
    b.task("distribute_case", "network", 0.3, 0.6, role="coordinator").task("work_on_case", "network", 0.6, None)
    cases["silent"] = b                                                              # only the receipt, 10 days ago

    b = Built(session, number="INC000000000006", team="application_operations", status="in_progress").triage()
    b.task("distribute_case", "application_operations", 0.3, 0.4, role="coordinator")
    b.info("rejection", 2.0).mail("rejection", 2.1)
    b.case.status, b.case.closed_at = "rejected", h(2.0)
    cases["rejected"] = b
    cases["reregistered"] = Built(session, number="INC000000000007", team=None, status="registered",
                                  received=24.0).contact(235.0)

    b = Built(session, number="INC000000000008", team="databases", priority="high", status="awaiting_distribution")
    b.triage().task("confirm_personal_handover", "databases", 0.3, 0.4)
    b.task("distribute_case", "databases", 0.4, None, role="coordinator").breach(2.0).contact(200.0)
    cases["breached_waiting"] = b

    b = Built(session, number="INC000000000009", team="storage", status="in_progress").triage()
    b.task("distribute_case", "storage", 0.3, 0.4, role="coordinator")
    b.task("work_on_case", "storage", 0.4, 1.0, documented=False).resolve(1.0, notes="")   # nothing written
    b.info("cmdb_update", 1.2).mail("cmdb_update", 1.2, status="dead", to="cmdb@example.org")
    b.contact(200.0)
    cases["undocumented"] = b
    session.flush()
    return cases
