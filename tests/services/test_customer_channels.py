"""Contacts and channels (issue 13 items 1 and 3; H-R1.3, H-R1.4, H-V1.1): a phone-only customer's case
says plainly that no mail went out; the end user's e-mail from first triage is used; a reopened case
starts a new contact round (a resolution notice, not "Kontaktforsøg 2 af 3")."""
from __future__ import annotations

from casewalk import TRIAGE, CaseWalk
from store.models import CaseRow, OutboxRow

NO_ANSWER = {"call_outcome": "no_answer", "customer_confirmed": False, "customer_reports_unsolved": False}


def mails(session):
    session.expire_all()
    return [r.payload for r in session.query(OutboxRow).order_by(OutboxRow.id) if r.kind == "mail"]


def test_issue_13_a_phone_only_customer_gets_no_pretended_mail_for_an_information_request(session, runtime):
    walk = CaseWalk(session, runtime, email=None)
    walk.to_work()
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    assert [m["purpose"] for m in mails(session)] == []                     # nothing to send it to
    info = next(w for w in walk.doc()["work_info"] if w["event"] == "information_request")
    assert "ingen e-mailadresse" in info["summary"] and info["view_access"] == "internal"
    assert "record_customer_answer" in walk.open_ids()                     # the answer is taken by phone


def test_issue_13_the_end_users_e_mail_from_first_triage_is_a_channel_of_the_case(session, runtime):
    walk = CaseWalk(session, runtime, email=None)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    walk.do("first_triage", "sd.tekniker", {**TRIAGE, "end_user_name": "Ella Slutbruger",
                                            "end_user_phone": "87654321", "end_user_email": "ella@example.org"})
    case = session.query(CaseRow).one()
    assert (case.end_user_name, case.end_user_email) == ("Ella Slutbruger", "ella@example.org")
    walk.do("choose_team", "sd.tekniker", {"team": "network"})
    walk.do("questionnaire_network", "sd.tekniker", {"equipment_faulty": "no", "network_symptom": "slow",
                                                     "location_hospital": "RH", "location_section": "Afsnit 3",
                                                     "network_how_arose": "Efter flytning", "socket_number": "60-143B"})
    walk.do("distribute_case", "net.koordinator", {"assignee": "net.tekniker"})
    walk.do("work_on_case", "net.tekniker", {"outcome": "request_information", "information_needed": "Stiknummer"})
    [request] = mails(session)
    assert request["template"] == "information_request" and request["to"] == "ella@example.org"


def test_issue_13_a_reopened_case_starts_a_new_contact_round(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    walk.do("call_customer", "net.tekniker", {"call_outcome": "reached", "customer_confirmed": False,
                                              "customer_reports_unsolved": True})
    assert walk.open_ids() == ["work_on_case"]
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    contact = [m for m in mails(session) if m["purpose"].startswith(("resolution_notice", "contact_attempt"))]
    assert [m["template"] for m in contact] == ["resolution_notice", "resolution_notice"]   # not "attempt 2 of 3"


def test_issue_13_a_phone_only_case_can_close_when_the_phone_attempts_meet_the_guard(session, runtime):
    from datetime import timedelta

    from services.watchdog import sweep
    from store.db import session_factory
    from casewalk import T0
    walk = CaseWalk(session, runtime, email=None)
    walk.to_work()
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    factory = session_factory(session.get_bind())
    for day in (3, 10):   # two more call attempts on later working days, in another ISO week
        walk.do("call_customer", "net.tekniker", NO_ANSWER)
        walk.minute = day * 24 * 60
        sweep(factory, runtime, now=T0 + timedelta(days=day))
        assert walk.open_ids() == ["call_customer"], day
    walk.do("call_customer", "net.tekniker", NO_ANSWER)
    assert walk.open_ids() == ["closure_checklist"]                # three calls in two weeks: the guard holds
    assert not [m for m in mails(session) if m["purpose"].startswith("contact_attempt")]
