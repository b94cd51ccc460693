"""The process that serves all timed flows (`python -m workflows.serve`, started by `sagsflow run`):
the SLA watchdog (H-S, H-E) every SAGSFLOW_WATCHDOG_INTERVAL_S seconds (default 60), the outbox
dispatcher (H-R1.1, H-R1.3, H-C2), and — when configured — the IMAP mail reader (H-R1.4) and the
Remedy sync (H-R1.1), at the intervals in settings (SAGSFLOW_DISPATCHER_INTERVAL_S, …). Needs PREFECT_API_URL pointing at a
running Prefect server (the ephemeral mode cannot schedule). Flows are imported from their
modules, never defined here (the runner pickles flows; see docs on the serve() pitfall)."""
from __future__ import annotations

import os
import sys

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Interval

from config.settings import Settings, get_settings
from workflows.mail_reader import mail_reader
from workflows.outbox_dispatcher import outbox_dispatcher
from workflows.remedy_sync import remedy_sync
from workflows.sla_watchdog import sla_watchdog

TIMEZONE = "Europe/Copenhagen"


class ServeConfigError(ValueError):
    """A serve setting from the environment is invalid."""


def watchdog_interval(environ=os.environ) -> int:
    text = environ.get("SAGSFLOW_WATCHDOG_INTERVAL_S", "60")
    try:
        seconds = int(text)
    except ValueError:
        raise ServeConfigError(f"SAGSFLOW_WATCHDOG_INTERVAL_S must be whole seconds, got {text!r}") from None
    if not 10 <= seconds <= 86_400:
        raise ServeConfigError(f"SAGSFLOW_WATCHDOG_INTERVAL_S must be 10..86400 seconds, got {seconds}")
    return seconds


def deployments(*, interval_s: int) -> list:
    """All served deployments. The watchdog never runs twice at once; a backlog collapses (CANCEL_NEW)."""
    return [sla_watchdog.to_deployment(
        name="sla-watchdog", schedule=Interval(interval_s, timezone=TIMEZONE),
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        description="SLA-advarsler og -overskridelser, forfaldne BPMN-timere (H-S, H-E)")]


def connector_deployments(settings: Settings) -> list:
    """The dispatcher always; the mail reader when IMAP is configured; the Remedy sync when enabled.
    Each never runs twice at once (a second run would only find the first one's work)."""
    def once() -> ConcurrencyLimitConfig:
        return ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)

    served = [outbox_dispatcher.to_deployment(
        name="outbox-dispatcher", schedule=Interval(settings.dispatcher_interval_s, timezone=TIMEZONE),
        concurrency_limit=once(), description="Sender mails, beskeder, opkald og Remedy-opdateringer fra udbakken")]
    if settings.imap is not None:
        served.append(mail_reader.to_deployment(
            name="mail-reader", schedule=Interval(settings.mail_poll_interval_s, timezone=TIMEZONE),
            concurrency_limit=once(), description="Læser kundernes svar fra postkassen (H-R1.3, H-R1.4)"))
    if settings.remedy.enabled:
        served.append(remedy_sync.to_deployment(
            name="remedy-sync", schedule=Interval(settings.remedy_sync_interval_s, timezone=TIMEZONE),
            concurrency_limit=once(), description="Synkroniserer sager og Work Info med BMC Remedy (H-R1.1)"))
    return served


def main() -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print("PREFECT_API_URL is not set: start a Prefect server first (`sagsflow run` does both)", file=sys.stderr)
        return 2
    try:
        interval = watchdog_interval()
    except ServeConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    serve(*deployments(interval_s=interval), *connector_deployments(get_settings()), pause_on_shutdown=False,
          limit=4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
