"""Per-run overhead of the Prefect visibility of issue 16 (H-R1.1): what a task run per delivery and
the idle-run housekeeping cost. `python -m benchmarks.flow_overhead` prints a Markdown section.

Against a temporary Prefect API server (prefect_test_harness, SQLite) and a migrated SQLite file
database with N call requests (the call transport without ARI is a no-op that records that a person
calls: no network, so the figures are Prefect's and the outbox's own cost)."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

N = 50


def _seed(url: str, n: int) -> None:
    from store.db import make_engine, session_factory
    from store.outbox import enqueue
    engine = make_engine(url)
    with session_factory(engine)() as session, session.begin():
        for i in range(n):
            enqueue(session, key=f"bench:{i}:{time.time_ns()}", kind="call", case_id=None,
                    now=datetime.now(UTC) - timedelta(minutes=1),
                    payload={"purpose": "call", "case_number": f"INC{i:012d}"})
    engine.dispose()


def _task_costs() -> tuple[float, float, float]:
    """Mean cost of one untagged / tagged delivery task run, and of one artifact, inside a flow run."""
    from types import SimpleNamespace

    from prefect import flow

    from workflows.flow_results import publish_table
    from workflows.outbox_dispatcher import deliver

    item = SimpleNamespace(id=0, attempts=1, payload={})
    tagged_deliver = deliver.with_options(tags=["sagsflow"])

    @flow(name="bench-task-costs")
    def costs() -> tuple[float, float, float]:
        figures = []
        for runner in (deliver, tagged_deliver):
            runner(lambda _: {}, item, "warm-up", 5, {})
            t = time.perf_counter()
            for i in range(N):
                runner(lambda _: {}, item, f"bench {i}", 5, {})
            figures.append((time.perf_counter() - t) / N)
        t = time.perf_counter()
        publish_table(key="bench", title="bench", columns=["a"], rows=[[1]], description="bench")
        return figures[0], figures[1], time.perf_counter() - t

    return costs()


def main() -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.testing.utilities import prefect_test_harness

    from config.settings import Settings, get_settings
    from services.transports import dispatch
    from store.db import make_engine, session_factory
    from store.migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="sagsflow-bench-"))
    plain_url, flow_url = f"sqlite:///{tmp / 'plain.db'}", f"sqlite:///{tmp / 'flow.db'}"
    upgrade(plain_url)
    upgrade(flow_url)
    _seed(plain_url, N)
    engine = make_engine(plain_url)
    started = time.perf_counter()
    report = dispatch(session_factory(engine), Settings(database_url=plain_url), now=datetime.now(UTC))
    plain = time.perf_counter() - started
    engine.dispose()
    assert len(report.sent) == N, report

    os.environ["SAGSFLOW_DATABASE_URL"] = flow_url
    get_settings.cache_clear()
    with prefect_test_harness(server_startup_timeout=120):
        from workflows.outbox_dispatcher import outbox_dispatcher
        _seed(flow_url, 3)
        outbox_dispatcher()                       # warm-up: first runs, the constant tags become known
        outbox_dispatcher()
        idle = []
        for _ in range(5):
            t = time.perf_counter()
            outbox_dispatcher()
            idle.append(time.perf_counter() - t)
        _seed(flow_url, N)
        t = time.perf_counter()
        result = outbox_dispatcher()
        busy = time.perf_counter() - t
        assert result["sent"] == N, result
        untagged, tagged, artifact = _task_costs()
    idle_median = statistics.median(idle)
    per_delivery = (busy - idle_median - plain) / N
    print("## Prefect visibility overhead (benchmarks/flow_overhead.py, issue 16)\n")
    print(f"Temporary Prefect server (SQLite), {N} call requests (no-op transport), 2 cores.\n")
    print("| What | Figure |\n| --- | --- |")
    print(f"| {N} deliveries without Prefect (`sagsflow outbox dispatch`) | {plain * 1000:.0f} ms "
          f"({plain / N * 1000:.1f} ms each) |")
    print(f"| idle `outbox-dispatcher` flow run (no task run; tag + delete old idle runs), median of 5 "
          f"| {idle_median * 1000:.0f} ms (min {min(idle) * 1000:.0f}, max {max(idle) * 1000:.0f}) |")
    print(f"| `outbox-dispatcher` flow run with {N} deliveries, each its own task run, artifact, links "
          f"| {busy * 1000:.0f} ms |")
    print(f"| overhead per delivery in that run (task run, link row, share of the artifact) "
          f"| {per_delivery * 1000:.1f} ms |")
    print(f"| one untagged task run (`deliver`, no-op transport), mean of {N} in one flow | {untagged * 1000:.1f} ms |")
    print(f"| the same with one constant tag (tag concurrency lookup per run) | {tagged * 1000:.1f} ms |")
    print(f"| one Markdown artifact | {artifact * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
