"""Prefect flow `remedy-sync` (H-R1.1): import new and changed Remedy incidents as cases and queue
Work Info and status changes for Remedy (`services.remedy_sync.sync`, as `sagsflow remedy sync`).
Remedy timeouts/busy answers are retried a few times with short delays; bad incidents are reported, not
retried. When the import limit is reached the run goes on from the watermark (a few rounds), so a long
history catches up without waiting for the next schedule (issue 14)."""
from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task

from connectors.remedy import RemedyClient
from services.remedy_sync import sync
from workflows.connector_tasks import database, retry_transient

CATCH_UP_ROUNDS = 9   # at most 10 x SAGSFLOW_REMEDY_IMPORT_LIMIT incidents per flow run


@task(name="sync-incidents", retries=2, retry_delay_seconds=[10, 30], retry_condition_fn=retry_transient)
def sync_task(now: datetime) -> dict:
    with database() as (settings, factory, runtime):
        if not settings.remedy.enabled:
            return {"disabled": True}
        with RemedyClient(settings.remedy) as client:
            total = sync(factory, runtime, client, settings=settings, now=now).as_dict()
            for _ in range(CATCH_UP_ROUNDS):   # a long history: go on from the watermark at once
                if not total["more"]:
                    break
                more = sync(factory, runtime, client, settings=settings, now=now).as_dict()
                total = {key: (total[key] + more[key] if key != "more" else more[key]) for key in total}
            return total


@flow(name="remedy-sync", log_prints=False)
def remedy_sync() -> dict:
    report = sync_task(datetime.now(UTC))
    logger = get_run_logger()
    logger.info("remedy sync: %s", {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()})
    for error in report.get("errors", []):
        logger.warning("%s", error)
    return report
