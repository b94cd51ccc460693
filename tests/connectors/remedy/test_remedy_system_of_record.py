"""Remedy as the system of record (issue 14; H-R1.1, H-S1) against the simulator, which follows BMC's
documentation: a long closed history is paged through with `_links.next` and the watermark always
advances (ties by Entry ID), dates only in the documented form, the first sync is bounded, Reported
Date starts the SLA, Remedy-side changes reach the case, pushes go through HPD:IncidentInterface
with what ITSM needs and never backwards, a validation error answered with 500 is permanent and
not recorded as pushed, and a case registered in Sagsflow is created in Remedy."""
from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.settings import Settings
from connectors.remedy.settings import RemedyMapping, RemedySyncSettings
from connectors.remedy.simulator import format_ar_timestamp
from services.cases import NewCase, open_case
from services.remedy_sync import sync
from services.transports import dispatch
from store.models import CasePauseRow, CaseRow, OutboxRow, WorkInfoRow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services"))
from casewalk import T0  # noqa: E402

MODIFIED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DOCUMENTED = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000"')
MAPPING = RemedyMapping(support_company="Region Hovedstaden", support_organization="Koncern IT",
                        team_groups={"service_desk": "Servicedesk"}, user_logins={"sd.tekniker": "sdtek"})


def incident(number: str, **overrides) -> dict:
    values = {"Incident Number": number, "Description": "VPN virker ikke hjemmefra", "Status": "Assigned",
              "Priority": "Medium", "Impact": "3-Moderate/Limited", "Urgency": "3-Medium",
              "Last Modified Date": format_ar_timestamp(MODIFIED), "Reported Date": format_ar_timestamp(MODIFIED),
              "First Name": "Anne", "Last Name": "Hansen", "Service Type": "User Service Restoration",
              "Assigned Group": "Servicedesk", "Assigned Support Company": "Region Hovedstaden",
              "Assigned Support Organization": "Koncern IT", "Last Modified By": "remedy.user"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def factory(db_engine):
    from store.db import session_factory
    return session_factory(db_engine)


def make_settings(db_url, sim_target, **sync_overrides) -> Settings:
    sync_settings = RemedySyncSettings(**{"page_size": 50, "start": MODIFIED - timedelta(days=1), **sync_overrides})
    return Settings(database_url=db_url, remedy=sim_target.settings(sync=sync_settings, mapping=MAPPING))


def run(factory, runtime, settings, sim_target, now=T0):
    with sim_target.client() as client:
        return sync(factory, runtime, client, settings=settings, now=now)


def test_h_r1_1_a_history_of_hundreds_of_closed_incidents_is_paged_and_the_watermark_moves_on(
        session, runtime, factory, db_url, simulator, sim_target):
    for index in range(250):       # every one modified in the same second: ties broken by Entry ID
        simulator.seed_incident(incident(f"INC{index + 1:012d}", Status="Closed"))
    for index in range(3):
        simulator.seed_incident(incident(f"INC{900 + index:012d}"))
    settings = make_settings(db_url, sim_target)
    first = run(factory, runtime, settings, sim_target)
    assert (first.imported, first.skipped, first.more) == ([], 200, True)   # the import limit (200) is reached
    second = run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=5))
    assert second.imported == [f"INC{900 + i:012d}" for i in range(3)] and second.more is False
    third = run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=10))
    assert (third.imported, third.updated, third.errors) == ([], [], [])
    searches = [q for (method, path), q in zip(simulator.requests_seen, simulator.queries_seen, strict=True)
                if method == "GET" and path.endswith("HPD:Help%20Desk") or path.endswith("HPD:Help Desk")]
    assert {"50", "100", "150", "200"} <= {q.get("offset", ["0"])[0] for q in searches}   # _links.next followed
    assert all(DOCUMENTED.search(q["q"][0]) for q in searches if "q" in q)              # the documented date form
    session.expire_all()
    assert session.query(CaseRow).count() == 3


def test_h_r1_1_the_first_sync_is_bounded_by_start_date_and_support_group(session, runtime, factory, db_url,
                                                                           simulator, sim_target):
    simulator.seed_incident(incident("INC000000000011", **{"Last Modified Date": "2026-01-05T10:00:00.000+0000"}))
    simulator.seed_incident(incident("INC000000000012", **{"Assigned Group": "Netværk"}))
    simulator.seed_incident(incident("INC000000000013"))
    report = run(factory, runtime, make_settings(db_url, sim_target, support_groups=("Servicedesk", "Drift")),
                 sim_target)
    assert report.imported == ["INC000000000013"]
    [query] = [q["q"][0] for q in simulator.queries_seen if "q" in q][:1]
    assert "'Assigned Group'=\"Servicedesk\"" in query and " OR " in query


def test_h_s1_reported_date_starts_the_sla_and_the_customer_is_imported(session, runtime, factory, db_url,
                                                                        simulator, sim_target):
    reported = MODIFIED - timedelta(hours=5)
    simulator.seed_incident(incident("INC000000000021", Priority="High", Impact="2-Significant/Large",
                                     Urgency="2-High", **{"Reported Date": format_ar_timestamp(reported),
                                                          "Internet E-mail": "anne.hansen@regionh.example.dk",
                                                          "Phone Number": "+45 38 64 00 00", "Site": "Rigshospitalet"}))
    run(factory, runtime, make_settings(db_url, sim_target), sim_target)
    case = session.query(CaseRow).one()
    assert case.received_at == reported
    assert (case.customer_name, case.customer_email, case.customer_phone, case.customer_site) == (
        "Anne Hansen", "anne.hansen@regionh.example.dk", "+45 38 64 00 00", "Rigshospitalet")
    assert case.number.startswith("SF-INC-") and case.remedy_incident_number == "INC000000000021"
    assert (case.remedy_status, case.remedy_view["group"]) == ("assigned", "Servicedesk")


def test_h_r1_1_changes_made_in_remedy_reach_the_case_and_pending_pauses_the_clock(
        session, runtime, factory, db_url, simulator, sim_target, sim_clock):
    simulator.seed_incident(incident("INC000000000031"))
    settings = make_settings(db_url, sim_target)
    run(factory, runtime, settings, sim_target)
    sim_clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    simulator.change_incident("INC000000000031", {"Description": "VPN virker ikke for hele afsnittet",
                                                  "Impact": "1-Extensive/Widespread", "Status": "Pending",
                                                  "Status_Reason": "Client Hold", "Assignee Login ID": "x"})
    report = run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=30))
    assert report.updated == ["INC000000000031"]
    session.expire_all()
    case = session.query(CaseRow).one()
    assert (case.summary, case.impact, case.remedy_status) == ("VPN virker ikke for hele afsnittet", 1, "pending")
    assert case.priority == "high"      # 1 × 3 through the diagram's DMN table (BMC matrix), deadlines follow
    pause = session.query(CasePauseRow).filter_by(case_id=case.id).one()
    assert pause.ended_at is None
    texts = [w.summary for w in session.query(WorkInfoRow).filter_by(case_id=case.id, author="remedy")]
    assert any(t.startswith("Ændret i Remedy") for t in texts) and "Afventer i Remedy (Client Hold)" in texts
    [change] = session.query(WorkInfoRow).filter_by(case_id=case.id, event="remedy_update").filter(
        WorkInfoRow.summary.like("Ændret i Remedy%")).all()
    assert "Påvirkning/hastende: 3/3 → 1/3" in change.notes
    [decided] = session.query(WorkInfoRow).filter_by(case_id=case.id, event="reprioritised").all()
    assert decided.summary == "Prioritet ændret fra Medium til Høj" and "Ændret i Remedy" in decided.notes
    sim_clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    simulator.change_incident("INC000000000031", {"Status": "In Progress"})
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(hours=1))
    session.expire_all()
    assert session.query(CasePauseRow).filter_by(case_id=case.id).one().ended_at == T0 + timedelta(hours=1)
    assert run(factory, runtime, settings, sim_target, now=T0 + timedelta(hours=2)).updated == []   # once


def test_h_r1_1_an_in_progress_incident_is_never_pushed_back_and_assignment_goes_through_the_interface(
        session, runtime, factory, db_url, simulator, sim_target):
    simulator.seed_incident(incident("INC000000000041", Status="In Progress", **{"Assignee Login ID": "remedy.tek"}))
    settings = make_settings(db_url, sim_target)
    run(factory, runtime, settings, sim_target)
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=1))
    dispatch(factory, settings, now=T0 + timedelta(minutes=2))
    assert simulator.incident("INC000000000041")["Status"] == "In Progress"   # the case is in triage: "new"
    assert not any(m == "PUT" and "Help" in p for m, p in simulator.requests_seen)   # never HPD:Help Desk


@pytest.mark.parametrize("error_status", [500, 400])   # classified by the AR message, not the status
def test_h_r1_1_a_validation_error_answered_with_500_is_permanent_and_not_recorded_as_pushed(
        session, runtime, factory, db_url, simulator, sim_target, error_status):
    simulator.error_status = error_status
    simulator.seed_incident(incident("INC000000000051", Status="New", **{"Assigned Group": None}))
    settings = make_settings(db_url, sim_target)
    run(factory, runtime, settings, sim_target)
    case = session.query(CaseRow).one()
    case.status = "awaiting_distribution"      # the process moved on; no team mapped to a support group yet
    session.commit()
    assert run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=1)).queued >= 1
    report = dispatch(factory, settings, now=T0 + timedelta(minutes=2))
    assert report.dead and not report.retried
    session.expire_all()
    [dead] = session.query(OutboxRow).filter(OutboxRow.status == "dead").all()
    assert "Remedy afviste" in dead.last_error and "Assigned Group field is required" in dead.last_error
    assert f"HTTP {error_status}" in dead.last_error
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=3))
    session.expire_all()
    assert session.query(CaseRow).one().remedy_status == "new"          # not recorded as pushed
    [refusal] = session.query(WorkInfoRow).filter_by(event="remedy_refused").all()   # the desk sees it, once
    assert "Assigned Group field is required" in refusal.notes and refusal.remedy_queued_at is not None
    assert session.query(OutboxRow).filter(OutboxRow.idempotency_key.like("remedy:update:%")).count() == 1
    assert simulator.incident("INC000000000051")["Status"] == "New"


def test_h_r1_1_an_accepted_push_carries_group_assignee_and_is_recorded_after_delivery(
        session, runtime, factory, db_url, simulator, sim_target):
    simulator.seed_incident(incident("INC000000000061", Status="New"))
    settings = make_settings(db_url, sim_target)
    run(factory, runtime, settings, sim_target)
    case = session.query(CaseRow).one()
    case.status, case.team, case.assignee = "in_progress", "service_desk", "sd.tekniker"
    session.commit()
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=1))
    session.expire_all()
    assert session.query(CaseRow).one().remedy_status == "new"          # queued, not yet accepted
    assert dispatch(factory, settings, now=T0 + timedelta(minutes=2)).sent
    shown = simulator.incident("INC000000000061")
    assert (shown["Status"], shown["Assigned Group"], shown["Assignee Login ID"]) == ("In Progress", "Servicedesk", "sdtek")
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=3))
    session.expire_all()
    assert session.query(CaseRow).one().remedy_status == "in_progress"


def test_h_t1_a_case_registered_in_sagsflow_is_created_in_remedy_and_carries_its_number(
        session, runtime, factory, db_url, simulator, sim_target):
    settings = make_settings(db_url, sim_target)
    case = open_case(session, runtime, new=NewCase(case_type="incident", summary="Printer på afsnit 3 virker ikke",
                                                   impact=3, urgency=2, sla_level="gold", customer_name="Hanne Hansen"),
                     actor="sd.tekniker", now=T0)
    session.commit()
    assert run(factory, runtime, settings, sim_target).queued == 1
    assert dispatch(factory, settings, now=T0 + timedelta(minutes=1)).sent
    [created] = simulator.entries("HPD:Help Desk")
    assert created["Detailed Decription"].startswith(f"Sagsflow-sag {case.number}")
    assert (created["First Name"], created["Last Name"]) == ("Hanne", "Hansen")
    report = run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=2))
    assert report.imported == []                                       # not imported back as a new case
    session.expire_all()
    [linked] = session.query(CaseRow).all()
    assert linked.remedy_incident_number == created["Incident Number"]
    assert any(m == "POST" and p.endswith("HPD:IncidentInterface_Create") for m, p in simulator.requests_seen)
    dispatch(factory, settings, now=T0 + timedelta(minutes=3))         # its Work Info follows to HPD:WorkLog
    assert simulator.entries("HPD:WorkLog")


@pytest.mark.parametrize(("remedy_status", "reason", "status", "label"), [
    ("Resolved", "No Further Action Required", "resolved", "Løst i Remedy (No Further Action Required)"),
    ("Closed", None, "closed", "Lukket i Remedy"),
    ("Cancelled", None, "cancelled", "Annulleret i Remedy"),
])
def test_h_r1_1_resolved_closed_or_cancelled_in_remedy_ends_the_case_through_the_process(
        session, runtime, factory, db_url, simulator, sim_target, sim_clock, remedy_status, reason, status, label):
    from services.tasks import list_tasks
    from store.process import instance_for_case
    simulator.seed_incident(incident("INC000000000071"))
    settings = make_settings(db_url, sim_target)
    run(factory, runtime, settings, sim_target)
    case = session.query(CaseRow).one()
    assert list_tasks(session, case_number=case.number)                  # classification is open
    sim_clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    simulator.change_incident("INC000000000071", {"Status": remedy_status, "Status_Reason": reason})
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=30))
    session.expire_all()
    case = session.query(CaseRow).one()
    assert case.status == status and case.resolved_at == T0 + timedelta(minutes=30)
    assert (case.closed_at is not None) is (status == "closed")
    assert list_tasks(session, case_number=case.number) == []             # open work was cancelled by the event
    assert instance_for_case(session, case.id).status == "completed"
    outcome = session.query(WorkInfoRow).filter_by(case_id=case.id, event="remedy_outcome").one()
    assert outcome.summary == label
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=31))
    dispatch(factory, settings, now=T0 + timedelta(minutes=32))
    assert simulator.incident("INC000000000071")["Status"] == remedy_status   # nothing pushed backwards


def test_h_r1_3_a_customer_without_e_mail_on_the_incident_is_looked_up_in_ctm_people(
        session, runtime, factory, db_url, simulator, sim_target):
    simulator.seed_person({"First Name": "Anne", "Last Name": "Hansen", "Remedy Login ID": "ahan0001",
                           "Internet E-mail": "anne.hansen@regionh.example.dk", "Phone Number Business": "+45 38 64 00 00",
                           "Site": "Herlev Hospital"})
    simulator.seed_person({"First Name": "Per", "Last Name": "Hansen", "Remedy Login ID": "phan0001",
                           "Internet E-mail": "per@regionh.example.dk"})
    simulator.seed_incident(incident("INC000000000081", **{"Customer Login ID": "ahan0001"}))
    simulator.seed_incident(incident("INC000000000082", **{"First Name": "Ole", "Last Name": "Olsen"}))  # no one
    run(factory, runtime, make_settings(db_url, sim_target), sim_target)
    by_number = {c.remedy_incident_number: c for c in session.query(CaseRow)}
    anne = by_number["INC000000000081"]
    assert (anne.customer_email, anne.customer_phone, anne.customer_site) == (
        "anne.hansen@regionh.example.dk", "+45 38 64 00 00", "Herlev Hospital")
    assert by_number["INC000000000082"].customer_email is None


def test_h_r1_1_a_busy_server_answer_on_a_push_is_retried_not_dead(session, runtime, factory, db_url, simulator,
                                                                  sim_target):
    simulator.seed_incident(incident("INC000000000091", Status="New"))
    settings = make_settings(db_url, sim_target)
    run(factory, runtime, settings, sim_target)
    case = session.query(CaseRow).one()
    case.status, case.team = "awaiting_distribution", "service_desk"
    session.commit()
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=1))
    simulator.fail_next(1, status=500, number=9093)        # the next request meets a busy session (ARERR 9093)
    first = dispatch(factory, settings, now=T0 + timedelta(minutes=2))
    assert first.retried and not first.dead
    assert dispatch(factory, settings, now=T0 + timedelta(hours=1)).sent
    assert simulator.incident("INC000000000091")["Status"] == "Assigned"


def test_h_r1_1_an_assignee_set_in_remedy_takes_over_when_mapped_to_a_team_member(session, runtime, factory, db_url,
                                                                                   simulator, sim_target, sim_clock):
    simulator.seed_incident(incident("INC000000000095"))
    settings = make_settings(db_url, sim_target)
    run(factory, runtime, settings, sim_target)
    case = session.query(CaseRow).one()
    case.team = "service_desk"
    session.commit()
    sim_clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    simulator.change_incident("INC000000000095", {"Assignee Login ID": "sdtek"})        # sd.tekniker in the mapping
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=30))
    session.expire_all()
    case = session.query(CaseRow).one()
    assert case.assignee == "sd.tekniker"
    [change] = session.query(WorkInfoRow).filter(WorkInfoRow.case_id == case.id,
                                                 WorkInfoRow.summary.like("Ændret i Remedy%")).all()
    assert "Tildelt i Remedy: Servicedesk / sdtek" in change.notes and "overtages af sd.tekniker" in change.notes
    sim_clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    simulator.change_incident("INC000000000095", {"Assignee Login ID": "ukendt.person"})  # not mapped: recorded only
    run(factory, runtime, settings, sim_target, now=T0 + timedelta(hours=1))
    session.expire_all()
    assert session.query(CaseRow).one().assignee == "sd.tekniker"
