"""The process that serves all timed flows (`python -m workflows.serve`, started by `sagsflow run`):
today the SLA watchdog (H-S, H-E) every SAGSFLOW_WATCHDOG_INTERVAL_S seconds (default 60); the
outbox dispatcher and syncs join here when they exist. Needs PREFECT_API_URL pointing at a
running Prefect server (the ephemeral mode cannot schedule). Flows are imported from their
modules, never defined here (the runner pickles flows; see docs on the serve() pitfall)."""
from __future__ import annotations

import os
import sys

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Interval

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


def main() -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print("PREFECT_API_URL is not set: start a Prefect server first (`sagsflow run` does both)", file=sys.stderr)
        return 2
    try:
        interval = watchdog_interval()
    except ServeConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    serve(*deployments(interval_s=interval), pause_on_shutdown=False, limit=4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
