"""What a flow run leaves for administrators (issue 16; H-R1.1, H-S, H-E): a Markdown artifact with a
table of what it did (links to the cases), Prefect events for SLA warnings/breaches and dead letters
(for Automations), links from cases to the task runs (table flow_run_link), and less noise.

Noise: a run that found nothing tags itself `sagsflow-tom`; each run then deletes its flow's idle
runs that ended more than IDLE_KEEP ago (they touched no case, nothing links to them) and the runs
the deployment's concurrency limit (CANCEL_NEW) cancelled before they started. Runs that did work
are tagged `sagsflow-arbejde` and kept (Prefect's own db_vacuum retention removes them after
PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD). Tags are constant: cheap to filter on."""
from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterEndTime,
                                            FlowRunFilterState, FlowRunFilterStateType, FlowRunFilterTags)
from prefect.client.schemas.objects import StateType
from prefect.events import emit_event
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError
from prefect.runtime import flow_run

from store.flow_runs import add_links

IDLE_TAG, WORK_TAG = "sagsflow-tom", "sagsflow-arbejde"
IDLE_KEEP = timedelta(minutes=5)
EVENT_PREFIX = "sagsflow"
PREFECT_FAULTS = (PrefectHTTPStatusError, ObjectNotFound, httpx.HTTPError)


def case_link(web_url: str, number: str | None) -> str:
    return f"[{number}]({web_url.rstrip('/')}/cases/{number})" if number else "–"


def _cell(value: object) -> str:
    return str(value).replace("|", "/").replace("\n", " ")


def publish_table(*, key: str, title: str, columns: list[str], rows: list[list], description: str) -> None:
    """One Markdown artifact (a table) on the current flow run; `key` groups the runs' artifacts.
    Best effort: the work is committed already, so a Prefect API fault is logged, never raised."""
    lines = [f"### {title}", "", "| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    try:
        create_markdown_artifact(markdown="\n".join(lines), key=key, description=description)
    except PREFECT_FAULTS as exc:
        get_run_logger().warning("artefakten %s kunne ikke gemmes i Prefect: %s", key, type(exc).__name__)


def emit_case_event(name: str, *, number: str | None, team: str | None, payload: dict) -> None:
    """`sagsflow.sla.breach`, `sagsflow.sla.warning`, `sagsflow.outbox.dead-letter` on resource
    `sagsflow.case.<number>` (labels: case number and team, for Automation filters)."""
    resource = {"prefect.resource.id": f"{EVENT_PREFIX}.case.{number or 'none'}",
                "prefect.resource.name": number or "uden sag", "sagsflow.team": team or "none"}
    emit_event(event=f"{EVENT_PREFIX}.{name}", resource=resource, payload=payload)


def current_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


def record_links(factory, links: list[dict], *, now: datetime) -> None:
    """Store the task runs that touched cases (one transaction)."""
    if not links:
        return
    with factory() as session, session.begin():
        add_links(session, links, now=now)


def tidy_runs(*, worked: bool, flow_name: str, now: datetime) -> int:
    """Tag this run (work / idle) and delete this flow's idle runs older than IDLE_KEEP; returns how many."""
    run_id = flow_run.get_id()
    if run_id is None:
        return 0
    try:
        return _tidy(run_id, worked=worked, flow_name=flow_name, now=now)
    except PREFECT_FAULTS as exc:   # housekeeping only: never fails a run whose work is done
        get_run_logger().warning("oprydning af tomme kørsler mislykkedes: %s", type(exc).__name__)
        return 0


def _tidy(run_id, *, worked: bool, flow_name: str, now: datetime) -> int:
    with get_client(sync_client=True) as client:
        tags = sorted({*(flow_run.get_tags() or []), WORK_TAG if worked else IDLE_TAG})
        client.update_flow_run(run_id, tags=tags)
        flows = FlowFilter(name=FlowFilterName(any_=[flow_name]))
        idle = client.read_flow_runs(
            flow_filter=flows,
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[IDLE_TAG]),
                                          end_time=FlowRunFilterEndTime(before_=now - IDLE_KEEP),
                                          state=FlowRunFilterState(type=FlowRunFilterStateType(
                                              any_=[StateType.COMPLETED]))),
            limit=200)
        cancelled = client.read_flow_runs(
            flow_filter=flows,
            flow_run_filter=FlowRunFilter(end_time=FlowRunFilterEndTime(before_=now - IDLE_KEEP),
                                          state=FlowRunFilterState(type=FlowRunFilterStateType(
                                              any_=[StateType.CANCELLED]))),
            limit=200)
        never_ran = [r for r in cancelled if not r.run_count]   # cancelled by CANCEL_NEW before it started
        deleted = 0
        for old in [*idle, *never_ran]:
            try:
                client.delete_flow_run(old.id)
                deleted += 1
            except ObjectNotFound:   # another host's run deleted it first
                continue
    return deleted
