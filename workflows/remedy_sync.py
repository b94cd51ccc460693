"""Prefect flow `remedy-sync` (H-R1.1): import new and changed Remedy incidents as cases and queue
Work Info and status changes for Remedy (`services.remedy_sync.sync`, as `sagsflow remedy sync`).
Remedy 5xx/timeouts are retried a few times with short delays; bad incidents are reported, not retried."""
from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task

from connectors.remedy import RemedyClient
from services.remedy_sync import sync
from workflows.connector_tasks import database, retry_transient


@task(name="sync-incidents", retries=2, retry_delay_seconds=[10, 30], retry_condition_fn=retry_transient)
def sync_task(now: datetime) -> dict:
    with database() as (settings, factory, runtime):
        if not settings.remedy.enabled:
            return {"disabled": True}
        with RemedyClient(settings.remedy) as client:
            return sync(factory, runtime, client, settings=settings, now=now).as_dict()


@flow(name="remedy-sync", log_prints=False)
def remedy_sync() -> dict:
    report = sync_task(datetime.now(UTC))
    logger = get_run_logger()
    logger.info("remedy sync: %s", {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()})
    for error in report.get("errors", []):
        logger.warning("%s", error)
    return report
