"""Prefect flow `sla-watchdog` (H-S, H-E, H-V1.2 timers, H-R1.3 contact attempts): one watchdog
sweep at the current time — the same `services.watchdog` functions `sagsflow tick` runs. Deployed by
workflows/serve.py (`sagsflow run`) and by prefect.yaml (workflows/sla_watchdog.py:sla_watchdog).

Issue 16: each due BPMN timer fires in its own task run (named after its element on the diagram,
e.g. `vent-på-næste-forsøg-eller-svar INC…`; its own transaction, as in the sweep). SLA warnings and breaches are recorded by the sweep in batched
transactions (row locks, one commit per 50 cases: 1,000 breaches < 1 s); each recorded one then
gets its own task run (`sla-brud reaktion INC…`) that emits the Prefect event `sagsflow.sla.breach`
/ `sagsflow.sla.warning` for Automations. A run that did something publishes the artifact
`sla-gennemloeb`; an idle run creates no task run and is tidied away (workflows/flow_results.py)."""
from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run
from prefect.states import Completed
from sqlalchemy.orm.exc import StaleDataError

from services.failures import ProcessFailed, record_failure
from services.watchdog import fire_due_timers, sweep
from store.flow_runs import cases_by_number, due_timer_cases
from workflows.connector_tasks import database
from workflows.flow_results import (case_link, current_run_id, emit_case_event, publish_table, record_links,
                                    tidy_runs)
from workflows.run_names import TARGET_SLUGS, local_time, sla_event_name, timer_name

FLOW_NAME = "sla-watchdog"
FIRED, HELD, FAILED = "Udløst", "Hos en anden", "Fejl i processen"
RECORDED = {"warning": "Advarsel registreret", "breach": "Brud registreret"}


@task(name="timer", task_run_name="{label}", cache_policy=NO_CACHE, persist_result=False)   # untagged: cheaper
def fire_timer(factory, runtime, instance_id: int, label: str, now: datetime, outcome: dict):
    """Fire one instance's due timers in one transaction (e.g. the next contact attempt, H-R1.3)."""
    outcome["task_run_id"] = task_run.get_id()
    with factory() as session:
        try:
            with session.begin():
                fired = fire_due_timers(session, runtime, instance_id=instance_id, now=now)
        except StaleDataError:   # a person advanced the instance meanwhile; the next sweep retries
            fired = None
        except ProcessFailed as failure:   # recorded on the instance; not fired again until `case retry`
            record_failure(factory, failure)
            outcome["state"] = FAILED
            get_run_logger().warning("%s: fejl i processen ved %s", label, failure.element or "?")
            return Completed(name=FAILED)
    outcome["state"] = HELD if fired is None else FIRED
    get_run_logger().info("%s: %s", label, "holdes af en anden kørsel" if fired is None else f"{fired} timer(e) udløst")
    return Completed(name=outcome["state"])


@task(name="sla-hændelse", task_run_name="{label}", cache_policy=NO_CACHE, persist_result=False)
def announce(label: str, event: dict, outcome: dict):
    """Publish one recorded SLA warning or breach as a Prefect event (the sweep wrote Work Info and
    queued the notification to the escalation contacts in the same transaction as the record)."""
    outcome["task_run_id"] = task_run.get_id()
    emit_case_event(f"sla.{event['kind']}", number=event["case"], team=event.get("team"),
                    payload={"target": event["target"], "kind": event["kind"], "priority": event.get("priority")})
    outcome["state"] = RECORDED[event["kind"]]
    log = get_run_logger().warning if event["kind"] == "breach" else get_run_logger().info
    log("%s: %s (team %s, prioritet %s); eskalering sat i udbakken", label, outcome["state"].lower(),
        event.get("team") or "-", event.get("priority") or "-")
    return Completed(name=outcome["state"])


@flow(name=FLOW_NAME, log_prints=False)
def sla_watchdog() -> dict:
    """One sweep: due BPMN timers, SLA warnings and breaches (each once), notifications queued."""
    now = datetime.now(UTC)
    with database() as (settings, factory, runtime):
        done = _fire_timers(factory, runtime, now=now)
        report = sweep(factory, runtime, now=now).as_dict()
        report["timers_fired"] += sum(1 for d in done if d["state"] == FIRED)
        with factory() as session:
            cases = cases_by_number(session, sorted({e["case"] for e in report["events"]}))
            facts = {n: (c.id, c.team, c.priority) for n, c in cases.items()}
        for event in report["events"]:
            case_id, team, priority = facts.get(event["case"], (None, None, None))
            event.update(team=team, priority=priority)
            label = sla_event_name(event["kind"], event["target"], event["case"])
            outcome: dict = {}
            announce(label, event, outcome)
            done.append({"case_id": case_id, "number": event["case"], "label": label, **outcome,
                         "what": f"SLA-{'advarsel' if event['kind'] == 'warning' else 'brud'} "
                                 f"({TARGET_SLUGS.get(event['target'], event['target'])})"})
        _publish(factory, settings.web_url, done, now=now)
    worked = bool(done)
    if worked:
        get_run_logger().info("SLA-gennemløb %s: %d advarsel(er), %d brud, %d timer(e) udløst", local_time(now),
                              report["warnings"], report["breaches"], report["timers_fired"])
    tidy_runs(worked=worked, flow_name=FLOW_NAME, now=now)
    return report


def _fire_timers(factory, runtime, *, now: datetime) -> list[dict]:
    with factory() as session:
        due = due_timer_cases(session, now=now)
    done = []
    for instance_id, case_id, number, bpmn_ids in due:
        label, outcome = timer_name(bpmn_ids, number), {}
        fire_timer(factory, runtime, instance_id, label, now, outcome)
        done.append({"case_id": case_id, "number": number, "label": label, "what": "Timer udløst", **outcome})
    return done


def _publish(factory, web_url: str, done: list[dict], *, now: datetime) -> None:
    if not done:
        return
    run_id = current_run_id()
    if run_id:
        record_links(factory, [{"case_id": d["case_id"], "outbox_id": None, "flow_name": FLOW_NAME,
                                "flow_run_id": run_id, "task_run_id": str(d.get("task_run_id") or "") or None,
                                "task_name": d["label"], "state": d.get("state", "?")} for d in done], now=now)
    publish_table(key="sla-gennemloeb", title=f"SLA-gennemløb {local_time(now)}",
                  columns=["Sag", "Hvad", "Task run", "Resultat"],
                  rows=[[case_link(web_url, d["number"]), d["what"], d["label"], d.get("state", "?")] for d in done],
                  description=f"{len(done)} hændelse(r) i SLA-gennemløbet")
