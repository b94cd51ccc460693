"""Prefect flow `outbox-dispatcher` (H-R1.1, H-R1.3, H-C2, H-E): delivers due outbox items (mail,
notifications, call requests, Remedy writes) once, through `services.transports.dispatch` — the
same function `sagsflow outbox dispatch` runs. Per-item retries, dead letters and Work Info are the
dispatcher's; the task itself retries only transient database faults, with short delays."""
from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task

from services.transports import dispatch
from workflows.connector_tasks import database, retry_transient


@task(name="dispatch-due", retries=2, retry_delay_seconds=[5, 20], retry_condition_fn=retry_transient)
def dispatch_task(now: datetime) -> dict:
    with database() as (settings, factory, _runtime):
        report = dispatch(factory, settings, now=now)
    return {"sent": len(report.sent), "retried": len(report.retried), "dead": len(report.dead),
            "skipped": report.skipped}


@flow(name="outbox-dispatcher", log_prints=False)
def outbox_dispatcher() -> dict:
    report = dispatch_task(datetime.now(UTC))
    get_run_logger().info("outbox: %(sent)d sent, %(retried)d to retry, %(dead)d dead letter(s), "
                          "%(skipped)d held by another dispatcher", report)
    return report
