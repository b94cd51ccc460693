"""Issue 16 (H-R1.1, H-R1.3, H-S, H-E): timed work visible in Prefect, against a real temporary Prefect
API server (session harness) and the real database (SQLite; PostgreSQL when TEST_DATABASE_URL is set):
one task run per delivery named with the case number and ending in the outcome's state, an artifact
only when a run did something, events for a breach and a dead letter, links from the case to the
task runs, and idle runs tagged and tidied away."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config.settings import Settings, get_settings
from connectors.mail.devserver import start_sink
from services.cases import NewCase, open_case
from services.runtime import Runtime
from services.sla import refresh_deadlines, sla_config
from store.db import session_factory
from store.flow_runs import FlowRunLinkRow, links_of_case
from store.models import CaseRow
from store.outbox import enqueue

RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)   # long past: everything is due at any real now


@pytest.fixture
def sink(tmp_path):
    controller = start_sink(tmp_path / "mail")
    yield controller
    controller.stop()


@pytest.fixture
def flow_env(db_engine, db_url, sink, monkeypatch):
    monkeypatch.setenv("SAGSFLOW_DATABASE_URL", db_url)
    monkeypatch.setenv("SAGSFLOW_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("SAGSFLOW_SMTP__PORT", str(sink.port))
    monkeypatch.setenv("SAGSFLOW_SMTP__SECURITY", "none")
    monkeypatch.setenv("SAGSFLOW_SMTP__FROM_ADDRESS", "servicedesk@sagsflow.local")
    monkeypatch.setenv("SAGSFLOW_WEB_URL", "http://sagsflow.test")
    get_settings.cache_clear()
    yield session_factory(db_engine)
    get_settings.cache_clear()


def open_critical_case(factory, db_url) -> tuple[int, str]:
    with factory() as session, session.begin():
        runtime = Runtime(Settings(database_url=db_url))
        runtime.deploy_current(session, actor="test", now=RECEIVED)
        case = open_case(session, runtime, actor="sd.tekniker", now=RECEIVED, new=NewCase(
            case_type="incident", summary="Journalsystemet er nede", impact=1, urgency=1, sla_level="gold",
            customer_name="Test Kunde", customer_email="kunde@example.org"))
        case.priority = "critical"
        refresh_deadlines(session, case=case, config=sla_config(Settings().config_dir))
        return case.id, case.number


def wait_for(read, *, seconds: float = 20.0):
    """Poll the Prefect API until `read()` is truthy (its task-run recorder and event persister are
    asynchronous); fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def task_runs_named(number: str, flow_run_id):
    """The task runs whose name carries the case number (as a search in the UI), of one flow run (case
    numbers repeat between tests: each test has a fresh database, the Prefect server is shared)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterName
    with get_client(sync_client=True) as client:
        return client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=number)),
                                     flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))


def events_named(name: str, number: str, since: datetime):
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventResourceFilter
    with get_client(sync_client=True) as client:
        page = client.read_events(filter=EventFilter(
            event=EventNameFilter(name=[name]), resource=EventResourceFilter(id=[f"sagsflow.case.{number}"]),
            occurred=EventOccurredFilter(since=since)), limit=50)
        return page.events


def artifacts(key: str, flow_run_id=None):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key]),
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]) if flow_run_id else None))


def flow_run_of(run_id):
    from prefect.client.orchestration import get_client
    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id)


def test_h_r1_1_each_delivery_is_a_task_run_named_with_the_case_and_its_outcome(prefect_harness, flow_env, db_url):
    from workflows.outbox_dispatcher import outbox_dispatcher

    started = datetime.now(UTC)
    case_id, number = open_critical_case(flow_env, db_url)   # queues the receipt mail
    with flow_env() as session, session.begin():               # a breach notice nobody can receive: a dead letter
        enqueue(session, key=f"{number}:sla_breach:reaction", kind="notification", case_id=case_id, now=RECEIVED,
                payload={"purpose": "sla_breach", "case_number": number, "target": "reaction",
                         "contacts": [{"role": "duty_phone", "label": "Vagttelefon", "phone": "+45 70 10 20 30"}]})
        abandoned = enqueue(session, key=f"{number}:information_request:x", kind="mail", case_id=case_id,
                            now=RECEIVED, payload={"purpose": "information_request", "case_number": number,
                                                   "template": "information_request", "to": "kunde@example.org"})
        abandoned.status, abandoned.attempts = "sending", 5   # a crashed worker's last attempt, lease run out
    before = len(artifacts("udbakke"))

    state = outbox_dispatcher(return_state=True)
    assert state.is_completed()
    report = state.result()
    assert (report["sent"], report["dead"]) == (1, 2)

    run_id = state.state_details.flow_run_id
    runs = wait_for(lambda: [r for r in task_runs_named(number, run_id) if r.state and r.state.is_final()]
                    if len(task_runs_named(number, run_id)) >= 2 else [])
    by_name = {r.name: r for r in runs}
    assert set(by_name) == {f"kvittering-mail {number}", f"sla-brud-besked reaktion {number}"}
    assert (by_name[f"kvittering-mail {number}"].state.name, by_name[f"kvittering-mail {number}"].state.type.value) \
        == ("Sendt", "COMPLETED")
    assert (by_name[f"sla-brud-besked reaktion {number}"].state.name,
            by_name[f"sla-brud-besked reaktion {number}"].state.type.value) == ("Dødt brev", "FAILED")
    assert all(r.tags == [] for r in runs)   # no per-case (or any) tag: each would cost a concurrency lookup

    dead = wait_for(lambda: events if len(events := events_named("sagsflow.outbox.dead-letter", number, started)) >= 2
                    else [])
    assert sorted(e.payload["kind"] for e in dead) == ["mail", "notification"]
    assert "70 10 20 30" not in str([e.payload for e in dead]) and "kunde@example.org" not in str(dead)

    [artifact] = artifacts("udbakke", run_id)
    assert f"[{number}](http://sagsflow.test/cases/{number})" in artifact.data
    assert "Dødt brev" in artifact.data and "kunde@example.org" not in artifact.data

    with flow_env() as session:
        links = links_of_case(session, case_id)
        assert sorted((l.task_name, l.state) for l in links) == sorted(
            [(f"kvittering-mail {number}", "Sendt"), (f"sla-brud-besked reaktion {number}", "Dødt brev"),
             (f"oplysninger-mail {number}", "Dødt brev")])        # the abandoned item: no delivery, no task run
        assert {l.task_run_id for l in links} == {str(r.id) for r in runs} | {None}
        assert {l.flow_run_id for l in links} == {str(state.state_details.flow_run_id)}

    idle = outbox_dispatcher(return_state=True)                # nothing due: no task run, no artifact, tagged idle
    assert idle.result()["deliveries"] == []
    assert artifacts("udbakke", idle.state_details.flow_run_id) == []
    assert len(artifacts("udbakke")) == before + 1
    assert "sagsflow-tom" in flow_run_of(idle.state_details.flow_run_id).tags
    assert "sagsflow-arbejde" in flow_run_of(state.state_details.flow_run_id).tags


def test_h_s_a_breach_is_a_named_task_run_an_event_and_an_artifact(prefect_harness, flow_env, db_url):
    from workflows.sla_watchdog import sla_watchdog

    started = datetime.now(UTC)
    case_id, number = open_critical_case(flow_env, db_url)
    state = sla_watchdog(return_state=True)
    assert state.is_completed() and state.result()["breaches"] == 1

    run_id = state.state_details.flow_run_id
    [run] = wait_for(lambda: [r for r in task_runs_named(number, run_id) if r.state and r.state.is_final()])
    assert (run.name, run.state.name) == (f"sla-brud reaktion {number}", "Brud registreret")
    [event] = wait_for(lambda: events_named("sagsflow.sla.breach", number, started))
    assert event.payload["target"] == "reaction" and event.resource["sagsflow.team"] == "none"
    [newest] = artifacts("sla-gennemloeb", run_id)
    assert f"/cases/{number})" in newest.data and "SLA-brud (reaktion)" in newest.data
    with flow_env() as session:
        assert [(l.task_name, l.flow_name) for l in session.scalars(select(FlowRunLinkRow)
                                                                    .where(FlowRunLinkRow.case_id == case_id))] \
            == [(f"sla-brud reaktion {number}", "sla-watchdog")]
        assert session.get(CaseRow, case_id).number == number


def test_idle_runs_are_deleted_by_a_later_run_working_runs_are_kept(prefect_harness, flow_env):
    from prefect import flow

    from workflows.flow_results import tidy_runs
    from workflows.outbox_dispatcher import outbox_dispatcher

    from prefect.client.orchestration import get_client
    from prefect.states import Cancelled, Scheduled

    idle = outbox_dispatcher(return_state=True)
    idle_id = idle.state_details.flow_run_id
    assert "sagsflow-tom" in flow_run_of(idle_id).tags
    with get_client(sync_client=True) as client:   # a scheduled run the CANCEL_NEW limit cancelled unstarted
        skipped = client.create_flow_run(outbox_dispatcher, state=Scheduled(scheduled_time=datetime.now(UTC)))
        client.set_flow_run_state(skipped.id, Cancelled(), force=True)

    @flow(name="outbox-dispatcher")
    def later_run() -> int:   # a run 10 minutes later, as the schedule would start it
        return tidy_runs(worked=False, flow_name="outbox-dispatcher", now=datetime.now(UTC) + timedelta(minutes=10))

    assert later_run() >= 2
    from prefect.exceptions import ObjectNotFound
    for deleted in (idle_id, skipped.id):
        with pytest.raises(ObjectNotFound):
            flow_run_of(deleted)


def test_a_mail_poll_that_handles_nothing_is_an_idle_run(prefect_harness, flow_env):
    from workflows.mail_reader import mail_reader

    state = mail_reader(return_state=True)                 # IMAP not configured: nothing to read
    assert state.result() == {"disabled": True}
    assert "sagsflow-tom" in flow_run_of(state.state_details.flow_run_id).tags


def test_h_e_an_automation_on_the_breach_event_fires_without_code_in_the_flow(prefect_harness, flow_env, db_url):
    from prefect.events.actions import DoNothing

    from workflows.automations import breach_automation
    from workflows.sla_watchdog import sla_watchdog

    automation = breach_automation(name="test-sla-brud", actions=[DoNothing()]).create()
    started = datetime.now(UTC)
    time.sleep(1.0)   # the trigger service picks up new automations asynchronously (not a business timer)
    _, number = open_critical_case(flow_env, db_url)
    assert sla_watchdog()["breaches"] == 1

    def triggered():
        from prefect.client.orchestration import get_client
        from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventResourceFilter
        with get_client(sync_client=True) as client:
            return client.read_events(filter=EventFilter(
                event=EventNameFilter(name=["prefect.automation.triggered"]),
                resource=EventResourceFilter(id=[f"prefect.automation.{automation.id}"]),
                occurred=EventOccurredFilter(since=started)), limit=50).events
    fired = wait_for(triggered, seconds=40)
    assert fired, "the automation did not fire on sagsflow.sla.breach"
    automation.delete()


def test_h_r1_3_a_due_contact_timer_fires_in_its_own_named_task_run(prefect_harness, flow_env, session, runtime):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
    from casewalk import CaseWalk

    from store.models import WaitingTimerRow
    from workflows.sla_watchdog import sla_watchdog

    walk = CaseWalk(session, runtime)          # in November 2026: the next attempt is long due
    walk.to_work()
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    walk.do("call_customer", "net.tekniker", {"call_outcome": "no_answer", "customer_confirmed": False,
                                              "customer_reports_unsolved": False})
    assert session.scalars(select(WaitingTimerRow)).all(), "the contact process waits on its timer"
    state = sla_watchdog(return_state=True)
    assert state.result()["timers_fired"] == 1
    run_id = state.state_details.flow_run_id
    runs = wait_for(lambda: [r for r in task_runs_named(walk.number, run_id)
                             if not r.name.startswith("sla-") and r.state and r.state.is_final()])
    # named after the waiting element on the diagram ("Vent på næste forsøg eller svar")
    assert [(r.name, r.state.name) for r in runs] == [(f"vent-på-næste-forsøg-eller-svar {walk.number}", "Udløst")]
    [artifact] = artifacts("sla-gennemloeb", run_id)
    assert "Timer udløst" in artifact.data and f"/cases/{walk.number})" in artifact.data
