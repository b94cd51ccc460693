"""Prefect flow `mail-reader` (H-R1.3, H-R1.4, H-D1): one poll of the IMAP mailbox through
`services.mail_inbox.poll_inbox` (the same as `sagsflow mail poll`). IMAP outages are retried a few
times with short delays; nothing is flagged seen before it is stored, so nothing is lost.
Issue 16: a poll that handled no new mail is tagged idle and tidied away like the other flows'
idle runs (workflows/flow_results.py); one that did publishes the artifact `postkasse`."""
from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task

from config.settings import get_settings
from services.mail_inbox import poll_inbox
from workflows.connector_tasks import database, retry_transient
from workflows.flow_results import case_link, publish_table, tidy_runs
from workflows.run_names import local_time

FLOW_NAME = "mail-reader"
WORK_COUNTS = ("auto_replies", "bounces", "quarantined")   # unmatched/unreadable stay unseen: not new work


@task(name="poll-inbox", retries=2, retry_delay_seconds=[10, 30], retry_condition_fn=retry_transient)
def poll_task(now: datetime) -> dict:
    with database() as (settings, factory, runtime):
        if settings.imap is None:
            return {"disabled": True}
        return poll_inbox(factory, runtime, settings.imap, now=now).as_dict()


@flow(name=FLOW_NAME, log_prints=False)
def mail_reader() -> dict:
    now = datetime.now(UTC)
    report = poll_task(now)
    cases = [(n, kind) for kind in ("delivered", "recorded", "unverified") for n in report.get(kind, [])]
    worked = bool(cases) or any(report.get(k) for k in WORK_COUNTS)
    if worked:
        counts = {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}
        get_run_logger().info("postkassen %s: %s", local_time(now), counts)
        web_url = get_settings().web_url
        publish_table(key="postkasse", title=f"Postkassen {local_time(now)}", columns=["Sag", "Svar"],
                      rows=[[case_link(web_url, n), LABELS[kind]] for n, kind in cases]
                      + [[ "–", f"{LABELS[k]}: {report[k]}"] for k in WORK_COUNTS if report.get(k)],
                      description=f"{len(cases)} svar fra kunder")
    tidy_runs(worked=worked, flow_name=FLOW_NAME, now=now)
    return report


LABELS = {"delivered": "svar leveret til processen", "recorded": "svar gemt som Work Info",
          "unverified": "svar fra ukendt afsender (afventer en person)", "auto_replies": "autosvar",
          "bounces": "returnerede mails", "quarantined": "i karantæne"}
