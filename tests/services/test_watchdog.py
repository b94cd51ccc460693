"""The watchdog sweep (H-S, H-E1, H-E2): each warning and breach exactly once per case and target —
swept twice, late, or by two sweeps at once — with Work Info and a notification addressed by the
time of day; due BPMN timers fire."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config.settings import Settings
from services.cases import NewCase, open_case
from services.deployments import deploy_release
from services.runtime import Runtime
from services.watchdog import sweep
from store.db import session_factory
from store.models import CaseRow, OutboxRow, ProcessInstanceRow, SlaEventRow, WaitingTimerRow, WorkInfoRow

from casewalk import T0, TRIAGE, CaseWalk

WARN, BREACH = T0 + timedelta(minutes=8), T0 + timedelta(minutes=11)   # critical: reaction 10 min
SATURDAY = T0 + timedelta(days=5)                                     # 2026-11-28 10:00 Copenhagen


def critical_case(session, runtime) -> str:
    walk = CaseWalk(session, runtime, impact=1, urgency=1)
    walk.do("classify_case", "sd.tekniker", {"classification": "incident"})
    walk.do("first_triage", "sd.tekniker", TRIAGE)
    return walk.number


def sla_rows(db_engine, purpose: str | None = None):
    with session_factory(db_engine)() as s:
        events = [(e.target, e.kind) for e in s.scalars(select(SlaEventRow).order_by(SlaEventRow.id))]
        infos = [w.event for w in s.scalars(select(WorkInfoRow).where(WorkInfoRow.event.like("sla_%")))]
        notes = [o.payload for o in s.scalars(select(OutboxRow).where(OutboxRow.kind == "notification"))
                 if o.payload["purpose"].startswith("sla_")]
    return events, infos, notes


def test_h_s_sweeping_twice_records_one_warning_and_one_breach(session, runtime, db_engine):
    critical_case(session, runtime)
    factory = session_factory(db_engine)
    assert sweep(factory, runtime, now=T0 + timedelta(minutes=7)).warnings == 0     # before 75 %
    first = sweep(factory, runtime, now=WARN)
    again = sweep(factory, runtime, now=WARN)
    assert (first.warnings, first.breaches, again.warnings, again.cases_due) == (1, 0, 0, 0)
    breach = sweep(factory, runtime, now=BREACH)
    assert (breach.warnings, breach.breaches) == (0, 1)
    assert sweep(factory, runtime, now=BREACH + timedelta(hours=1)).cases_due == 0
    events, infos, notes = sla_rows(db_engine)
    assert events == [("reaction", "warning"), ("reaction", "breach")]
    assert infos == ["sla_warning", "sla_breach"]
    assert [n["purpose"] for n in notes] == ["sla_warning", "sla_breach"]


def test_h_s_a_late_sweep_records_the_breach_without_a_stale_warning(session, runtime, db_engine):
    number = critical_case(session, runtime)
    report = sweep(session_factory(db_engine), runtime, now=T0 + timedelta(hours=1))
    assert report.events == [{"case": number, "target": "reaction", "kind": "breach"}]
    events, infos, _ = sla_rows(db_engine)
    assert events == [("reaction", "breach")] and infos == ["sla_breach"]


def test_h_s1_started_work_ends_reaction_sweeping(session, runtime, db_engine):
    walk = CaseWalk(session, runtime)                           # medium: only a resolution target
    walk.to_work()
    started = walk.doc()["started_at"]
    report = sweep(session_factory(db_engine), runtime, now=T0 + timedelta(days=30))
    assert [(e["target"], e["kind"]) for e in report.events] == [("resolution", "breach")]
    doc = walk.doc()
    assert doc["started_at"] == started and [e["kind"] for e in doc["sla"]["events"]] == ["breach"]
    assert doc["sla"]["next_check_at"] is None
    assert doc["work_info"][-1]["event"] == "sla_breach"
    assert doc["work_info"][-1]["summary"].startswith("SLA overskredet: løsningstiden (Medium)")


def test_h_e1_breach_in_working_hours_goes_to_irt_representative_or_duty_phone(session, runtime, db_engine):
    critical_case(session, runtime)
    sweep(session_factory(db_engine), runtime, now=BREACH)      # Monday 10:11 Copenhagen
    [note] = sla_rows(db_engine)[2]
    assert [c["role"] for c in note["contacts"]] == ["irt_representative", "duty_phone"]
    assert note["in_contact_hours"] is True and note["contacts"][0]["label"] == "IRT-repræsentant"
    assert note["target"] == "reaction" and note["kind"] == "breach" and note["priority"] == "critical"


def test_h_e2_breach_on_a_saturday_goes_to_red_hat_leader_or_duty_phone(session, runtime, db_engine):
    critical_case(session, runtime)
    sweep(session_factory(db_engine), runtime, now=SATURDAY)
    [note] = sla_rows(db_engine)[2]
    assert [c["role"] for c in note["contacts"]] == ["red_hat_leader", "duty_phone"]
    assert note["in_contact_hours"] is False
    with session_factory(db_engine)() as s:
        info = s.scalars(select(WorkInfoRow).where(WorkInfoRow.event == "sla_breach")).one()
    assert info.notes == "Eskaleres til (uden for normal arbejdstid): Rød hat leder, Vagttelefon"
    assert info.work_log_type == "Status Update" and info.author == "watchdog"


def test_h_s_two_sweeps_at_once_record_each_breach_once(session, runtime, db_engine):
    numbers = [critical_case(session, runtime) for _ in range(6)]
    factory = session_factory(db_engine)
    barrier = threading.Barrier(3)
    reports, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            reports.append(sweep(factory, runtime, now=BREACH))
        except BaseException as exc:   # surfaced below: a failing thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.breaches for r in reports) == len(numbers)
    assert sorted(e["case"] for r in reports for e in r.events) == sorted(numbers)
    events, infos, notes = sla_rows(db_engine)
    assert events == [("reaction", "breach")] * len(numbers)
    assert len(infos) == len(notes) == len(numbers)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.next_sla_check_at.is_not(None))) == 0



def test_h_s_a_batch_reads_the_recorded_events_once_and_keeps_them_per_case(session, runtime, db_engine):
    """Issue 15: one sla_event query per batch of claimed cases, not one per case; each case is judged by its
    own events — a case whose breach is recorded but whose next check is (stale) due records nothing."""
    from sqlalchemy import event, update

    numbers = [critical_case(session, runtime) for _ in range(4)]
    factory = session_factory(db_engine)
    assert sweep(factory, runtime, now=BREACH - timedelta(minutes=3)).warnings == 4    # 10:08: four warnings
    with factory() as s, s.begin():          # the first case's breach is recorded, its next check left stale
        first = s.scalars(select(CaseRow).where(CaseRow.number == numbers[0])).one()
        s.add(SlaEventRow(case_id=first.id, target="reaction", kind="breach", due_at=first.reaction_due,
                          recorded_at=BREACH))
        s.execute(update(CaseRow).where(CaseRow.id == first.id).values(next_sla_check_at=first.reaction_due))
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db_engine, "before_cursor_execute", seen)
    try:
        report = sweep(factory, runtime, now=BREACH)
    finally:
        event.remove(db_engine, "before_cursor_execute", seen)
    assert (report.cases_due, report.breaches, report.warnings, report.skipped) == (4, 3, 0, 0)
    assert sorted(e["case"] for e in report.events) == sorted(numbers[1:])
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT") and "FROM sla_event" in q]) == 1
    events, infos, notes = sla_rows(db_engine)
    assert sorted(events) == [("reaction", "breach")] * 4 + [("reaction", "warning")] * 4
    assert sorted(infos) == ["sla_breach"] * 3 + ["sla_warning"] * 4
    assert sorted(n["purpose"] for n in notes) == ["sla_breach"] * 3 + ["sla_warning"] * 4
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.next_sla_check_at.is_not(None))) == 0


def test_h_s_cases_of_a_team_in_one_batch_each_tell_their_coordinator_and_assignee_once(session, runtime, db_engine):
    """The batch's writes are flushed once at commit: every case still gets its own Work Info naming the
    coordinator and the assignee, and each of them one notification per case."""
    from store.models import NotificationRow

    walks = []
    for _ in range(3):
        walk = CaseWalk(session, runtime)
        walk.to_work()
        walks.append(walk)
    report = sweep(session_factory(db_engine), runtime, now=T0 + timedelta(days=30))
    assert report.breaches == 3 and report.skipped == 0
    with session_factory(db_engine)() as s:
        told = sorted((n.username, n.summary.split(" ")[0]) for n in s.scalars(
            select(NotificationRow).where(NotificationRow.kind == "sla")))
        assert [u for u, _ in told] == ["net.koordinator"] * 3 + ["net.tekniker"] * 3
        for walk in walks:
            doc_infos = [w for w in walk.doc()["work_info"] if w["event"] == "sla_breach"]
            assert len(doc_infos) == 1
            [info] = s.scalars(select(WorkInfoRow).join(CaseRow, CaseRow.id == WorkInfoRow.case_id).where(
                CaseRow.number == walk.number, WorkInfoRow.event == "sla_breach")).all()
            assert "Teamkoordinator" in info.notes and "Sagens tekniker" in info.notes
        mails = [o.payload for o in s.scalars(select(OutboxRow)) if o.payload.get("purpose") == "notify_sla"]
        assert len(mails) == 6

TIMER_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="timer_probe_definitions"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="timer_probe" isExecutable="true">
    <bpmn:startEvent id="probe_started"><bpmn:outgoing>flow_to_wait</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_one_hour" name="Vent en time">
      <bpmn:incoming>flow_to_wait</bpmn:incoming><bpmn:outgoing>flow_to_start</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_one_hour_timer"><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="record_solution" name="Registrér løsningen" camunda:type="external" camunda:topic="record_solution">
      <bpmn:incoming>flow_to_start</bpmn:incoming><bpmn:outgoing>flow_to_end</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="probe_ended"><bpmn:incoming>flow_to_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_to_wait" sourceRef="probe_started" targetRef="wait_one_hour" />
    <bpmn:sequenceFlow id="flow_to_start" sourceRef="wait_one_hour" targetRef="record_solution" />
    <bpmn:sequenceFlow id="flow_to_end" sourceRef="record_solution" targetRef="probe_ended" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_h_s_due_bpmn_timer_fires_in_the_sweep_and_the_process_continues(db_url, db_engine, shared_engine, tmp_path):
    (tmp_path / "timer_probe.bpmn").write_text(TIMER_DIAGRAM, encoding="utf-8")
    runtime = Runtime(Settings(database_url=db_url, bpmn_dir=tmp_path, main_process="timer_probe"),
                      engine=shared_engine)
    factory = session_factory(db_engine)
    with factory() as s, s.begin():
        assert deploy_release(s, runtime, now=T0).changed     # the probe diagram as its own process
    with factory() as s, s.begin():
        number = open_case(s, runtime, actor="sd.tekniker", now=T0, new=NewCase(
            case_type="incident", summary="Timerprøve", impact=3, urgency=3, sla_level="gold",
            customer_name="Test Kunde"))
        number = number.number
    with factory() as s:
        [timer] = s.scalars(select(WaitingTimerRow)).all()
        due = timer.due_at                                      # one hour after the real clock at start
    assert sweep(factory, runtime, now=due - timedelta(minutes=1)).timers_fired == 0
    report = sweep(factory, runtime, now=due + timedelta(minutes=1))
    assert report.timers_fired == 1
    with factory() as s:
        case = s.scalars(select(CaseRow).where(CaseRow.number == number)).one()
        assert case.resolved_at == due + timedelta(minutes=1)    # the service task ran at the sweep's now
        assert s.scalars(select(ProcessInstanceRow)).one().status == "completed"
        assert s.scalars(select(WaitingTimerRow)).all() == []
    assert sweep(factory, runtime, now=due + timedelta(minutes=2)).timers_fired == 0


def test_h_s_sagsflow_tick_runs_one_sweep_at_the_given_time(session, runtime, db_engine, cli_env, capsys):
    import json

    from cli.main import main

    number = critical_case(session, runtime)
    assert main(["tick", "--now", "2026-11-23T10:08:00+01:00", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["now"] == WARN.isoformat()
    assert report["events"] == [{"case": number, "target": "reaction", "kind": "warning"}]
    assert main(["--now", "2026-11-23T10:08:00+01:00", "tick"]) == 0
    assert "0 advarsler" in capsys.readouterr().out
    assert main(["tick", "--now", "2026-11-23T10:08:00"]) == 2          # no offset: refused
