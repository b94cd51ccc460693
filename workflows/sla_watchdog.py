"""Prefect flow `sla-watchdog` (H-S, H-E, H-V1.2 timers): a thin wrapper that builds the database
session factory and the runtime from settings and runs one watchdog sweep at the current time —
the same `services.watchdog.sweep` that `sagsflow tick` runs. Deployed by workflows/serve.py
(`sagsflow run`) and by prefect.yaml (entrypoint workflows/sla_watchdog.py:sla_watchdog)."""
from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task

from config.settings import get_settings
from services.runtime import Runtime
from services.watchdog import sweep
from store.db import make_engine, session_factory


@task(name="sweep", retries=2, retry_delay_seconds=[5, 30])   # transient database faults only
def run_sweep(now: datetime) -> dict:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        return sweep(session_factory(engine), Runtime(settings), now=now).as_dict()
    finally:
        engine.dispose()


@flow(name="sla-watchdog", log_prints=False)
def sla_watchdog() -> dict:
    """One sweep: due BPMN timers, SLA warnings and breaches (each once), notifications queued."""
    report = run_sweep(datetime.now(UTC))
    get_run_logger().info("SLA sweep at %s: %d warning(s), %d breach(es), %d timer(s) fired, %d skipped",
                          report["now"], report["warnings"], report["breaches"], report["timers_fired"],
                          report["skipped"])
    return report
