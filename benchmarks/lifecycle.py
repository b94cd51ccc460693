"""Lifecycle throughput: cases driven through the whole standard process (the demo path, a critical
incident: 10 human tasks), every task completed through the service layer with state persisted after
each step, on SQLite and PostgreSQL — next to the bare engine doing the same steps in memory.
Also the stored bytes per instance at closure. Not a test: `make bench` writes the figures."""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.databases import fresh_postgres
from cli.demo import STEPS
from config.handbook import organisation
from config.settings import Settings
from services.cases import NewCase, open_case
from services.deployments import deploy_release
from services.runtime import Runtime, read_sources
from services.tasks import complete_task, list_tasks
from store.db import make_engine, session_factory
from store.directory import seed_organisation
from store.migrate import upgrade
from store.models import ProcessInstanceRow
from tasks.operations import OPERATIONS
from engine.adapter import Engine

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
NEW = NewCase(case_type="incident", summary="Journalsystemet kan ikke åbnes", impact=2, urgency=1, sla_level="gold",
              customer_name="Bench Kunde", customer_email="bench@example.org", customer_phone="24681357")
DEMO_DATA = {"case_number": "SF-INC-000001", "impact": "2", "urgency": "1", "end_user_name": "Bench Kunde",
             "end_user_email": "bench@example.org", "end_user_phone": "24681357", "classification": "incident"}


def bare_engine(cases: int) -> dict:
    """The same steps with the engine alone: no validation, no database, no serialization."""
    engine = Engine()
    settings = Settings()
    bundle = engine.build_bundle(read_sources(settings.bpmn_dir), process_id=settings.main_process,
                                 known_topics=OPERATIONS.keys())
    results = {"start_work": {}, "record_solution": {"work_result": "resolved"},
               "clear_variables": {"test_outcome": None, "waive_test": None, "contact_result": None},
               "evaluate_contact": {"contact_result": "done"}}

    def on_service(call):
        if call.topic == "record_call_attempt":
            return {"contact_result": "done"}
        return results.get(call.topic, {})

    started = time.perf_counter()
    for _ in range(cases):
        workflow = engine.start(bundle, dict(DEMO_DATA))
        engine.run(workflow, bundle, on_service, now=T0)
        for bpmn_id, _actor, data in STEPS:
            task = next(t for t in engine.ready_human_tasks(workflow, bundle) if t.bpmn_id == bpmn_id)
            values = {f.id: data.get(f.id, task.data.get(f.id)) for f in task.form.fields}   # as the forms do
            engine.complete_human_task(workflow, task.id, values, now=T0)
            engine.run(workflow, bundle, on_service, now=T0)
        assert engine.is_completed(workflow)
    elapsed = time.perf_counter() - started
    return {"cases_per_s": cases / elapsed, "ms_per_task": elapsed / (cases * len(STEPS)) * 1000}


def service_layer(url: str, cases: int) -> dict:
    upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    runtime = Runtime(Settings(database_url=url))
    with factory() as session:
        seed_organisation(session, organisation())
        deploy_release(session, runtime, now=T0)   # the shipped diagrams, as `sagsflow db upgrade` does
        session.commit()
    task_times: list[float] = []
    started = time.perf_counter()
    for n in range(cases):
        now = T0 + timedelta(hours=n)
        with factory() as session:
            number = open_case(session, runtime, new=NEW, actor="sd.tekniker", now=now).number
            session.commit()
        for step, (bpmn_id, actor, data) in enumerate(STEPS, start=1):
            t = time.perf_counter()
            with factory() as session:
                task = next(x for x in list_tasks(session, case_number=number) if x["bpmn_id"] == bpmn_id)
                complete_task(session, runtime, task_id=task["id"], username=actor, data=data,
                              now=now + timedelta(minutes=step))
                session.commit()
            task_times.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    with factory() as session:
        sizes = list(session.execute(select(func.length(ProcessInstanceRow.state))).scalars())
    engine.dispose()
    task_times.sort()
    return {"cases_per_s": cases / elapsed, "ms_per_task": statistics.median(task_times) * 1000,
            "ms_per_task_p95": task_times[int(len(task_times) * 0.95)] * 1000,
            "bytes_median": statistics.median(sizes), "bytes_max": max(sizes)}



def run(*, cases: int = 100, postgres_url: str | None = None) -> dict:
    figures = {"cases": cases, "tasks_per_case": len(STEPS), "bare": bare_engine(cases)}
    with tempfile.TemporaryDirectory() as folder:
        figures["sqlite"] = service_layer(f"sqlite:///{Path(folder) / 'bench.db'}", cases)
    url = fresh_postgres(postgres_url, "sagsflow_bench") if postgres_url else None
    figures["postgres"] = service_layer(url, cases) if url else None
    return figures


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.lifecycle [--cases 100] [--postgres URL] [--write]`: this section alone."""
    import argparse
    import os

    from benchmarks.concurrency import ROOT, write_section
    from benchmarks.run import render_lifecycle
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lifecycle")
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--write", action="store_true", help="replace this section of BENCHMARKS.md")
    args = parser.parse_args(argv)
    started = datetime.now(timezone.utc)
    section = render_lifecycle(run(cases=args.cases, postgres_url=args.postgres))
    title, rest = section.split("\n", 1)
    section = (f"{title}\n\nMeasured {started:%Y-%m-%d %H:%M} UTC on this machine (load average "
               f"{os.getloadavg()[0]:.1f}); wall time, as before.\n{rest}")
    print(section)
    if args.write:
        write_section(ROOT / "BENCHMARKS.md", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
