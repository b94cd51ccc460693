"""`sagsflow demo`: walks one critical incident through the whole handbook process and prints its
timeline (a scripted walk-through)."""
from __future__ import annotations

from datetime import timedelta

from cli.common import parse_now, session_scope
from cli.case import cmd_show

STEPS = [
    ("classify_case", "sd.tekniker", {"classification": "incident"}),
    ("first_triage", "sd.tekniker", {
        "what_not_working": "Kan ikke logge på journalsystemet", "what_works": "Mail og internet virker",
        "customer_tried": "Genstartet pc'en", "affected_count": 5, "consequence": "Afdelingen kan ikke se journaler",
        "technician_tried": "Nulstillet adgangskode", "how_arose": "suddenly", "equipment": "desktop",
        "system_name": "Journalsystemet", "affected_users": "Bruger A\nBruger B\nBruger C",
        "end_user_location": "Afsnit 3, opgang 2", "end_user_phone": "24681357", "reporting_sites": "RH",
        "occurred_at": "i morges kl. 8"}),
    ("choose_team", "sd.tekniker", {"team": "application_operations"}),
    ("questionnaire_application_operations", "sd.tekniker", {
        "service_desk_tried": "Genstart og ny profil", "symptom_reproduction": "Log på -> fejl 500"}),
    ("confirm_personal_handover", "app.koordinator", {"received_by": "app.koordinator", "received_channel": "phone",
                                                      "receipt_confirmed": True}),
    ("distribute_case", "app.koordinator", {"assignee": "app.tekniker"}),
    ("work_on_case", "app.tekniker", {"outcome": "resolved", "solution": "Genstartet applikationsserveren"}),
    ("test_solution", "app.tekniker", {"test_persons": "Bruger A", "test_outcome": "passed", "tested_with_customer": True}),
    ("call_customer", "app.tekniker", {"call_outcome": "reached", "customer_confirmed": True,
                                       "customer_reports_unsolved": False, "call_note": "Kunden bekræfter"}),
    ("closure_checklist", "app.tekniker", {"work_is_clear": True, "test_handled": True, "customer_accepted_solution": True,
                                           "customer_knows_case_closed": True, "contact_attempts_made": True,
                                           "documentation_changed": True, "cmdb_changes": "Ny serverversion"}),
]


def register(subparsers) -> None:
    demo = subparsers.add_parser("demo", help="walk one demo case through the whole process")
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args) -> int:
    from config.settings import get_settings
    from services.cases import NewCase, open_case
    from services.runtime import Runtime
    from services.tasks import complete_task, list_tasks

    # the walk-through happens in the recent past, so its mails are due at once for the dispatcher
    now = parse_now(args.now) - timedelta(minutes=5 * (len(STEPS) + 1))
    runtime = Runtime(get_settings())
    with session_scope() as session:
        case = open_case(session, runtime, new=NewCase(
            case_type="incident", summary="Journalsystemet kan ikke åbnes", impact=2, urgency=1, sla_level="gold",
            customer_name="Demo Kunde", customer_email="demo.kunde@example.org", customer_phone="12345678"),
            actor="sd.tekniker", now=now)
        number = case.number
    for minutes, (bpmn_id, actor, data) in enumerate(STEPS, start=1):
        with session_scope() as session:
            task = next(t for t in list_tasks(session, case_number=number) if t["bpmn_id"] == bpmn_id)
            complete_task(session, runtime, task_id=task["id"], username=actor, data=data,
                          now=now + timedelta(minutes=5 * minutes))
    args.number, args.json = number, False
    return cmd_show(args)
