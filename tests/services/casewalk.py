"""A deterministic helper that walks cases through the shipped diagrams via the service layer,
committing after every step and re-reading everything from the database (serialize/restore)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.cases import NewCase, case_document, open_case
from services.tasks import claim_task, complete_task, list_tasks

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)   # a Monday, 10:00 in Copenhagen

TRIAGE = {
    "what_not_working": "Kan ikke logge på journalsystemet", "what_works": "Mail virker",
    "customer_tried": "Genstart", "affected_count": 2, "consequence": "Kan ikke arbejde",
    "technician_tried": "Nulstillet adgangskode", "how_arose": "suddenly", "equipment": "desktop",
    "system_name": "Journal", "end_user_location": "Afsnit 3", "reporting_sites": "RH",
    "occurred_at": "i morges"}
NETWORK = {"equipment_faulty": "no", "network_symptom": "slow", "location_hospital": "RH",
           "location_section": "Afsnit 3", "network_how_arose": "Efter flytning", "socket_number": "60-143B"}
APPLICATION = {"service_desk_tried": "Genstart", "symptom_reproduction": "Log på -> fejl 500"}


class CaseWalk:
    def __init__(self, session, runtime, *, impact=3, urgency=3, case_type="incident", email="kunde@example.org"):
        self.session, self.runtime, self.minute = session, runtime, 0
        case = open_case(session, runtime, new=NewCase(
            case_type=case_type, summary="Journalsystemet svarer ikke", impact=impact, urgency=urgency,
            sla_level="gold", customer_name="Test Kunde", customer_email=email, customer_phone="12345678"),
            actor="sd.tekniker", now=T0)
        session.commit()
        self.number = case.number

    def now(self):
        self.minute += 5
        return T0 + timedelta(minutes=self.minute)

    def tasks(self):
        self.session.expire_all()
        return list_tasks(self.session, case_number=self.number)

    def task(self, bpmn_id):
        matches = [t for t in self.tasks() if t["bpmn_id"] == bpmn_id]
        assert matches, f"{bpmn_id} is not open; open: {[t['bpmn_id'] for t in self.tasks()]}"
        return matches[0]

    def do(self, bpmn_id, actor, data):
        task = self.task(bpmn_id)
        try:
            result = complete_task(self.session, self.runtime, task_id=task["id"], username=actor, data=data,
                                   now=self.now())
        except Exception:
            self.session.rollback()
            raise
        self.session.commit()
        return result

    def doc(self):
        self.session.expire_all()
        return case_document(self.session, self.number)

    def open_ids(self):
        return [t["bpmn_id"] for t in self.tasks()]

    def to_distribution(self, team="network", questionnaire=None):
        self.do("classify_case", "sd.tekniker", {"classification": "incident"})
        self.do("first_triage", "sd.tekniker", TRIAGE)
        self.do("choose_team", "sd.tekniker", {"team": team})
        answers = questionnaire or {"network": NETWORK, "application_operations": APPLICATION}[team]
        self.do(f"questionnaire_{team}", "sd.tekniker", answers)

    def to_work(self, team="network", assignee="net.tekniker", coordinator="net.koordinator"):
        self.to_distribution(team)
        self.do("distribute_case", coordinator, {"assignee": assignee})
        self.start_work(assignee)

    def start_work(self, technician="net.tekniker"):
        """The technician claims "Behandl sagen" (Påbegynd): the start of work (H-S1)."""
        claim_task(self.session, task_id=self.task("work_on_case")["id"], username=technician, now=self.now(),
                   config_dir=self.runtime.settings.config_dir)
        self.session.commit()

    def resolve(self, technician="net.tekniker", **extra):
        self.do("work_on_case", technician, {"outcome": "resolved", "solution": "Skiftet netkabel i stik 60-143B",
                                              **extra})

    def accept_and_close(self, technician="net.tekniker", documentation_changed=False):
        self.do("call_customer", technician, {"call_outcome": "reached", "customer_confirmed": True,
                                              "customer_reports_unsolved": False})
        self.do("closure_checklist", technician, {
            "work_is_clear": True, "test_handled": True, "customer_accepted_solution": True,
            "customer_knows_case_closed": True, "contact_attempts_made": True,
            "documentation_changed": documentation_changed,
            **({"cmdb_changes": "Stik 60-143B flyttet til switch 7"} if documentation_changed else {})})
