"""Prefect flow `mail-reader` (H-R1.3, H-R1.4, H-D1): one poll of the IMAP mailbox through
`services.mail_inbox.poll_inbox` (the same as `sagsflow mail poll`). IMAP outages are retried a few
times with short delays; nothing is flagged seen before it is stored, so nothing is lost."""
from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task

from services.mail_inbox import poll_inbox
from workflows.connector_tasks import database, retry_transient


@task(name="poll-inbox", retries=2, retry_delay_seconds=[10, 30], retry_condition_fn=retry_transient)
def poll_task(now: datetime) -> dict:
    with database() as (settings, factory, runtime):
        if settings.imap is None:
            return {"disabled": True}
        return poll_inbox(factory, runtime, settings.imap, now=now).as_dict()


@flow(name="mail-reader", log_prints=False)
def mail_reader() -> dict:
    report = poll_task(datetime.now(UTC))
    get_run_logger().info("mail poll: %s", {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()})
    return report
