"""Prefect flow `outbox-dispatcher` (H-R1.1, H-R1.3, H-C2, H-E): delivers due outbox items (mail,
notifications, call requests, Remedy writes) once, through `services.dispatcher.dispatch_due` with
the transports of `services.transports`, as `sagsflow outbox dispatch` does. The outbox stays the
source of truth: claims, per-item retries, dead letters and Work Info are the dispatcher's (no
Prefect retries on a delivery).

Issue 16: each delivery runs as its own Prefect task run named after the item and its case
(`kontaktforsøg-2 INC…`, `cmdb-mail INC…`), ending Completed "Sendt", or Failed "Forsøges igen" /
"Dødt brev". Task runs carry no tags: a tagged task run makes an extra API call for tag
concurrency slots (benchmarks/flow_overhead.py); the kind is in the name. A dead
letter is also a `sagsflow.outbox.dead-letter` event; a run that delivered
anything publishes an artifact `udbakke` (a table with links to the cases)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run
from prefect.states import Completed, Failed

from services.dispatcher import PermanentDeliveryError, TransientDeliveryError, dispatch_due
from services.transports import Transports
from store.flow_runs import outbox_items
from workflows.connector_tasks import database
from workflows.flow_results import (case_link, current_run_id, emit_case_event, publish_table, record_links,
                                    tidy_runs)
from workflows.run_names import delivery_name, local_time, scrub

FLOW_NAME = "outbox-dispatcher"
SENT, RETRY, DEAD = "Sendt", "Forsøges igen", "Dødt brev"
MAX_ATTEMPTS = 5


@task(name="levering", task_run_name="{label}", cache_policy=NO_CACHE, persist_result=False)   # no tags: below
def deliver(transport: Callable, item, label: str, max_attempts: int, outcome: dict):
    """One delivery attempt of one outbox item; the returned state names the outcome."""
    logger = get_run_logger()
    outcome["task_run_id"] = task_run.get_id()
    try:
        outcome["facts"] = transport(item) or {}
    except (TransientDeliveryError, PermanentDeliveryError) as exc:
        outcome["error"] = exc
        dead = isinstance(exc, PermanentDeliveryError) or item.attempts >= max_attempts
        outcome["state"] = DEAD if dead else RETRY
        logger.warning("%s: %s (forsøg %d af %d): %s", label, outcome["state"].lower(), item.attempts,
                       max_attempts, scrub(exc))
        return Failed(name=outcome["state"], message=scrub(exc))
    except Exception as exc:   # noqa: BLE001 — poison: the dispatcher dead-letters it (issue 9), so does the state
        outcome["error"], outcome["state"] = exc, DEAD
        logger.error("%s: dødt brev, uventet fejl %s i transporten", label, type(exc).__name__)
        return Failed(name=DEAD, message=f"uventet fejl ({type(exc).__name__})")
    outcome["state"] = SENT
    logger.info("%s: sendt (forsøg %d)", label, item.attempts)
    return Completed(name=SENT, message=f"{label}: sendt")


class TrackedTransports(Mapping):
    """The dispatcher's transports, each call wrapped in its own Prefect task run (one per delivery)."""

    def __init__(self, transports: Mapping[str, Callable], *, max_attempts: int):
        self.transports, self.max_attempts = transports, max_attempts
        self.deliveries: list[dict] = []

    def __getitem__(self, kind: str) -> Callable:
        real = self.transports[kind]
        return lambda item: self._deliver(kind, real, item)

    def __iter__(self) -> Iterator[str]:
        return iter(self.transports)

    def __len__(self) -> int:
        return len(self.transports)

    def _deliver(self, kind: str, real: Callable, item) -> dict:
        label = delivery_name(kind, item.payload or {})
        outcome: dict = {}
        state = deliver(real, item, label, self.max_attempts, outcome, return_state=True)
        self.deliveries.append({"outbox_id": item.id, "case_id": item.case_id, "kind": kind, "label": label,
                                "number": (item.payload or {}).get("case_number"), "attempts": item.attempts,
                                "purpose": (item.payload or {}).get("purpose", kind), **outcome})
        if "error" in outcome:
            raise outcome["error"]
        if "facts" not in outcome:
            state.result()   # the transport failed unexpectedly: raise its error to the dispatcher
        return outcome["facts"]


def dispatch_now(now: datetime) -> dict:
    """One dispatcher pass in the flow run itself: an idle run creates no task run at all. A database
    fault fails the run; the next run (30 s later) picks the items up again (claims are atomic)."""
    with database() as (settings, factory, _runtime), Transports(factory, settings, now=now) as transports:
        tracked = TrackedTransports(transports.as_dict(), max_attempts=MAX_ATTEMPTS)
        report = dispatch_due(factory, tracked, now=now, max_attempts=MAX_ATTEMPTS)
        deliveries = tracked.deliveries + _abandoned(factory, report.dead, {d["outbox_id"] for d in tracked.deliveries})
        outcome = {i: SENT for i in report.sent} | {i: RETRY for i in report.retried} | {i: DEAD for i in report.dead}
        for d in deliveries:   # the outbox decides; the task state said the same unless an admin intervened
            d["state"] = outcome.get(d["outbox_id"], d.get("state", "?"))
        _publish(factory, settings.web_url, deliveries, now=now)
    return {"sent": len(report.sent), "retried": len(report.retried), "dead": len(report.dead),
            "skipped": report.skipped,
            "deliveries": [{k: d[k] for k in ("outbox_id", "number", "label", "state")} for d in deliveries]}


def _abandoned(factory, dead: list[int], delivered: set[int]) -> list[dict]:
    """Items dead-lettered without a delivery attempt in this run (left 'sending' by a crashed worker
    until their last attempt): no task run, but an event, a link and a row in the artifact."""
    rows = []
    with factory() as session:
        for item in outbox_items(session, [i for i in dead if i not in delivered]):
            rows.append({"outbox_id": item.id, "case_id": item.case_id, "kind": item.kind,
                         "label": delivery_name(item.kind, item.payload or {}), "attempts": item.attempts,
                         "number": (item.payload or {}).get("case_number"), "state": DEAD,
                         "purpose": (item.payload or {}).get("purpose", item.kind), "error": item.last_error or ""})
    return rows


def _publish(factory, web_url: str, deliveries: list[dict], *, now: datetime) -> None:
    if not deliveries:
        return
    run_id = current_run_id()
    if run_id:
        record_links(factory, [{"case_id": d["case_id"], "outbox_id": d["outbox_id"], "flow_name": FLOW_NAME,
                                "flow_run_id": run_id, "task_run_id": str(d.get("task_run_id") or "") or None,
                                "task_name": d["label"], "state": d["state"]} for d in deliveries], now=now)
    for d in deliveries:
        if d["state"] == DEAD:
            emit_case_event("outbox.dead-letter", number=d["number"], team=None,
                            payload={"outbox_id": d["outbox_id"], "kind": d["kind"], "purpose": d["purpose"],
                                     "attempts": d["attempts"], "error": scrub(d.get("error", ""))})
    publish_table(key="udbakke", title=f"Udbakken {local_time(now)}",
                  columns=["Sag", "Levering", "Resultat", "Forsøg", "Udbakke-nr."],
                  rows=[[case_link(web_url, d["number"]), d["label"], d["state"], d["attempts"], d["outbox_id"]]
                        for d in deliveries],
                  description=f"{len(deliveries)} levering(er) fra udbakken")


@flow(name=FLOW_NAME, log_prints=False)
def outbox_dispatcher() -> dict:
    now = datetime.now(UTC)
    report = dispatch_now(now)
    worked = bool(report["sent"] or report["retried"] or report["dead"])
    if worked:
        get_run_logger().info("udbakken %s: %d sendt, %d forsøges igen, %d døde breve, %d hos en anden "
                              "dispatcher", local_time(now), report["sent"], report["retried"], report["dead"],
                              report["skipped"])
    tidy_runs(worked=worked, flow_name=FLOW_NAME, now=now)
    return report
