"""The configured transports (H-R1.1, H-R1.3, H-C2, H-T4, H-E): real SMTP (aiosmtpd), the Remedy
simulator and the ARI simulator. Outages: SMTP down → retried later, nothing lost, not sent twice
(same Message-ID); Remedy 5xx / timeout / expired token → retried without duplicates."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from pydantic import SecretStr

from config.settings import Settings
from connectors.mail.devserver import start_sink
from connectors.mail.settings import SmtpSettings
from connectors.phone.ari_simulator import AriSimulator
from connectors.phone.settings import AriSettings
from connectors.remedy.client import RemedyClient, RemedySettings
from connectors.remedy.simulator import RemedySimulator
from services.dispatcher import dispatch_due
from services.transports import Transports, dispatch, message_id_for
from store.db import session_factory
from store.models import CaseRow, OutboxRow
from store.outbox import enqueue

from casewalk import T0, CaseWalk

SENDER = "servicedesk@sagsflow.example.dk"


def closed_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sink(tmp_path):
    controller = start_sink(tmp_path / "mail")
    yield controller
    controller.stop()


@pytest.fixture
def factory(db_engine):
    return session_factory(db_engine)


def smtp(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", from_address=SENDER, timeout=3)


def mails(sink):
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sink.handler.stored()]


def rows(session):
    session.expire_all()
    return session.query(OutboxRow).order_by(OutboxRow.id).all()


def test_h_r1_3_receipt_goes_out_with_a_message_id_stored_before_sending(session, runtime, factory, db_url, sink):
    walk = CaseWalk(session, runtime)
    report = dispatch(factory, Settings(database_url=db_url, smtp=smtp(sink.port), mail_domain="sd.example.dk"),
                      now=T0)
    [row] = rows(session)
    [mail] = mails(sink)
    assert report.sent == [row.id] and row.status == "sent"
    assert mail["Message-ID"].strip() == row.message_id == message_id_for(row.idempotency_key,
                                                                          case_number=walk.number, domain="sd.example.dk")
    token = session.query(CaseRow).one().reply_token   # the per-case reply token joins the tag (issue 9)
    assert mail["Subject"].startswith(f"[{walk.number}-{token}] Kvittering") and mail["Auto-Submitted"] == "auto-generated"
    assert "Kære Test Kunde" in mail.get_body(preferencelist=("plain",)).get_content()


def test_h_r1_3_smtp_down_is_retried_later_nothing_lost_and_sent_once_with_the_same_id(
        session, runtime, factory, db_url, tmp_path):
    CaseWalk(session, runtime)
    port = closed_port()
    settings = Settings(database_url=db_url, smtp=smtp(port))
    assert dispatch(factory, settings, now=T0).retried
    [row] = rows(session)
    first_id = row.message_id
    assert row.status == "pending" and first_id and "unreachable" in row.last_error
    controller = start_sink(tmp_path / "later", port=port)
    try:
        assert dispatch(factory, settings, now=T0 + timedelta(seconds=10)).sent == []   # not due yet
        assert len(dispatch(factory, settings, now=T0 + timedelta(minutes=1)).sent) == 1
        assert dispatch(factory, settings, now=T0 + timedelta(hours=1)).sent == []
        [mail] = mails(controller)
    finally:
        controller.stop()
    assert mail["Message-ID"].strip() == first_id and rows(session)[0].status == "sent"


def test_h_t4_forward_to_unit_and_h_e_notifications_reach_the_addressed_units(session, runtime, factory, db_url,
                                                                               sink):
    walk = CaseWalk(session, runtime)
    case = session.query(CaseRow).one()
    enqueue(session, key="fwd", kind="mail", case_id=case.id, now=T0, payload={
        "purpose": "route_service_design", "case_number": walk.number, "template": "forward_to_unit",
        "to": "servicedesign@example.org", "context": {"unit": "Service Design", "summary": case.summary}})
    enqueue(session, key="warn", kind="notification", case_id=case.id, now=T0, payload={
        "purpose": "sla_warning", "case_number": walk.number, "priority": "high",
        "summary": "SLA-advarsel: reaktionstiden (Høj) udløber 23-11-2026 kl. 10:30",
        "contacts": [{"role": "irt_representative", "label": "IRT-repræsentant", "email": "irt@example.org",
                      "phone": "+45 00 00 00 01"}, {"role": "duty_phone", "label": "Vagttelefon", "phone": "+45 2"}]})
    enqueue(session, key="phone-only", kind="notification", case_id=case.id, now=T0, payload={
        "purpose": "sla_breach", "case_number": walk.number, "summary": "SLA overskredet",
        "contacts": [{"role": "duty_phone", "label": "Vagttelefon", "phone": "+45 2"}]})
    session.commit()
    dispatch(factory, Settings(database_url=db_url, smtp=smtp(sink.port)), now=T0)
    by_to = {m["To"]: m for m in mails(sink)}
    forward = by_to["servicedesign@example.org"].get_body(preferencelist=("plain",)).get_content()
    assert "Til Service Design" in forward and "Navn: Test Kunde" in forward
    warning = by_to["irt@example.org"]
    assert warning["Subject"] == f"[{walk.number}] SLA-advarsel: reaktionstiden (Høj) udløber 23-11-2026 kl. 10:30"
    assert "Vagttelefon, telefon +45 2" in warning.get_body(preferencelist=("plain",)).get_content()
    dead = {r.idempotency_key: r for r in rows(session)}["phone-only"]
    assert dead.status == "dead" and "must be phoned" in dead.last_error


def test_h_r1_3_a_call_is_a_person_s_task_unless_click_to_call_is_on(session, runtime, factory, db_url):
    walk = CaseWalk(session, runtime, email=None)
    case = session.query(CaseRow).one()
    for key in ("call-1", "call-2"):
        enqueue(session, key=key, kind="call", case_id=case.id, now=T0,
                payload={"purpose": "call", "case_number": walk.number, "extension": "4711", "number": "70112233"})
    session.commit()
    off = Settings(database_url=db_url, smtp=smtp(closed_port()))
    with Transports(factory, off, now=T0) as transports:
        dispatch_due(factory, {"call": transports.call}, now=T0, batch=1)
    assert rows(session)[0].payload["delivery"]["call"] == "person"
    with AriSimulator(username="sagsflow", password="s3cret", clock=lambda: T0) as ari:
        on = off.model_copy(update={"ari": AriSettings(enabled=True, base_url=ari.base_url, username="sagsflow",
                                                       password=SecretStr("s3cret"), timeout_s=2)})
        with Transports(factory, on, now=T0) as transports:
            dispatch_due(factory, {"call": transports.call}, now=T0)
    [_, second] = [r for r in rows(session) if r.kind == "call"]
    assert second.status == "sent", second.last_error
    assert second.payload["delivery"]["call"] == "originated"


# ---------------------------------------------------------------- Remedy
SIM_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def remedy():
    sim = RemedySimulator(username="demo", password="demo", clock=lambda: SIM_NOW).start("127.0.0.1", 0)
    sim.seed_incident({"Incident Number": "INC000000000777", "Status": "Assigned", "Description": "Printer"})
    yield sim
    sim.stop()


def remedy_settings(db_url, sim, **overrides) -> Settings:
    return Settings(database_url=db_url, smtp=smtp(closed_port()), remedy=RemedySettings(
        enabled=True, base_url=sim.base_url, username="demo", password=SecretStr("demo"),
        **{"timeout_s": 3.0, **overrides}))


def queue_worklog(session, key="remedy:worklog:1"):
    enqueue(session, key=key, kind="remedy", case_id=None, now=T0, payload={
        "purpose": "remedy_worklog", "action": "worklog", "incident_number": "INC000000000777",
        "work_log_type": "Working Log", "summary": 'Løsning "beskrevet"', "notes": "Skiftet kabel"})
    session.commit()


def test_h_r1_1_work_info_reaches_remedy_once_after_a_5xx(session, factory, db_url, remedy):
    queue_worklog(session)
    remedy.fail_next(1, status=500)
    settings = remedy_settings(db_url, remedy)
    assert dispatch(factory, settings, now=T0).retried
    assert len(dispatch(factory, settings, now=T0 + timedelta(minutes=1)).sent) == 1
    [entry] = remedy.entries("HPD:WorkLog")
    assert entry["Description"] == 'Løsning "beskrevet"' and "[sagsflow:remedy:worklog:1]" in entry["Detailed Description"]


def test_h_r1_1_a_retry_after_a_timeout_finds_the_entry_instead_of_duplicating_it(session, factory, db_url, remedy):
    queue_worklog(session)
    remedy.delay_next(0, count=2)          # login and search answer at once …
    remedy.delay_next(1.5)                 # … the create is slower than the client's timeout
    assert dispatch(factory, remedy_settings(db_url, remedy, timeout_s=0.5), now=T0).retried
    # the lost answer's case: Remedy did create the entry (as a create whose response never arrived)
    item = rows(session)[0]
    with RemedyClient(remedy_settings(db_url, remedy).remedy) as client:
        client.create_entry("HPD:WorkLog", {
            "Incident Number": "INC000000000777", "Work Log Type": "Working Log", "Description": 'Løsning "beskrevet"',
            "Detailed Description": f"Skiftet kabel\n\n[sagsflow:{item.idempotency_key}]", "View Access": "Internal"})
    report = dispatch(factory, remedy_settings(db_url, remedy), now=T0 + timedelta(minutes=1))
    assert len(report.sent) == 1 and rows(session)[0].payload["delivery"]["existing"] is True
    assert len(remedy.entries("HPD:WorkLog")) == 1


def test_h_r1_1_an_expired_token_is_renewed_within_a_run(session, factory, db_url, remedy):
    queue_worklog(session, key="remedy:worklog:1")
    queue_worklog(session, key="remedy:worklog:2")
    settings = remedy_settings(db_url, remedy)
    with Transports(factory, settings, now=T0) as transports:
        deliver = transports.remedy.deliver

        def expiring(item):
            facts = deliver(item)
            remedy.expire_all_tokens()       # the next request meets a 401 and logs in again
            return facts

        report = dispatch_due(factory, {"remedy": expiring}, now=T0)
    assert len(report.sent) == 2 and len(remedy.entries("HPD:WorkLog")) == 2 and remedy.login_count == 2


def test_h_r1_1_status_change_is_written_to_the_incident(session, factory, db_url, remedy):
    enqueue(session, key="st", kind="remedy", case_id=None, now=T0, payload={
        "purpose": "remedy_update", "action": "update", "incident_number": "INC000000000777", "state": {
            "status": "resolved", "status_reason": "No Further Action Required", "resolution": "Nyt kabel",
            "assigned_group": "Servicedesk", "support_company": "Region H", "support_organization": "Koncern IT",
            "assignee_login": "sd.tekniker"}})
    session.commit()
    assert len(dispatch(factory, remedy_settings(db_url, remedy), now=T0).sent) == 1
    [incident] = remedy.entries("HPD:Help Desk")
    assert incident["Status"] == "Resolved" and incident["Status_Reason"] == "No Further Action Required"
    assert (incident["Assigned Group"], incident["Assignee Login ID"], incident["Resolution"]) == (
        "Servicedesk", "sd.tekniker", "Nyt kabel")


def test_h_r1_1_an_itsm_validation_error_answered_with_500_is_a_dead_letter_at_once(session, factory, db_url, remedy):
    enqueue(session, key="st", kind="remedy", case_id=None, now=T0, payload={
        "purpose": "remedy_update", "action": "update", "incident_number": "INC000000000777",
        "state": {"status": "resolved"}})
    session.commit()
    report = dispatch(factory, remedy_settings(db_url, remedy), now=T0)
    assert report.dead and not report.retried
    item = rows(session)[0]
    assert "500" in item.last_error and "Assigned Group field is required" in item.last_error
    assert remedy.entries("HPD:Help Desk")[0]["Status"] == "Assigned"
