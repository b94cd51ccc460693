"""Per-run overhead of the Prefect visibility of issue 16 (H-R1.1): what a task run per delivery and
an idle run cost. `python -m benchmarks.flow_overhead` prints a Markdown section.

Against a temporary Prefect API server (prefect_test_harness, SQLite) and a migrated SQLite file
database with call requests (the call transport without ARI is a no-op that records that a person
calls: no network, so the figures are Prefect's and the outbox's own cost). Noisy on a busy machine:
rounds alternate plain and tracked dispatching and the medians are reported."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

N, ROUNDS = 50, 3


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


def _in_flow(url: str) -> dict:
    """Inside one flow run: N deliveries plain vs. each its own task run; one task run untagged vs.
    with a constant tag; one artifact."""
    from types import SimpleNamespace

    from prefect import flow

    from config.settings import Settings
    from services.dispatcher import dispatch_due
    from services.transports import Transports
    from store.db import make_engine, session_factory
    from workflows.flow_results import publish_table
    from workflows.outbox_dispatcher import MAX_ATTEMPTS, TrackedTransports, deliver

    @flow(name="bench-flow-overhead")
    def measure() -> dict:
        engine = make_engine(url)
        factory, settings = session_factory(engine), Settings(database_url=url)
        plain, tracked = [], []
        for _ in range(ROUNDS):
            for sink, wrap in ((plain, False), (tracked, True)):
                _seed(url, N)
                now = datetime.now(UTC)
                with Transports(factory, settings, now=now) as transports:
                    used = TrackedTransports(transports.as_dict(), max_attempts=MAX_ATTEMPTS) if wrap \
                        else transports.as_dict()
                    t = time.perf_counter()
                    report = dispatch_due(factory, used, now=now, max_attempts=MAX_ATTEMPTS)
                    sink.append(time.perf_counter() - t)
                assert len(report.sent) == N, report
        engine.dispose()
        item = SimpleNamespace(id=0, attempts=1, payload={})
        single = {}
        for name, runner in (("untagged", deliver), ("tagged", deliver.with_options(tags=["sagsflow"]))):
            runner(lambda _: {}, item, "warm-up", 5, {})
            samples = []
            for i in range(N):
                t = time.perf_counter()
                runner(lambda _: {}, item, f"bench {i}", 5, {})
                samples.append(time.perf_counter() - t)
            single[name] = statistics.median(samples)
        t = time.perf_counter()
        publish_table(key="bench", title="bench", columns=["a"], rows=[[1]], description="bench")
        return {"plain": statistics.median(plain), "tracked": statistics.median(tracked),
                "artifact": time.perf_counter() - t, **single}

    return measure()


def run() -> dict:
    """The figures (seconds), measured against a temporary Prefect server."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.testing.utilities import prefect_test_harness

    from config.settings import get_settings
    from store.migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="sagsflow-bench-"))
    url = f"sqlite:///{tmp / 'flow.db'}"
    upgrade(url)
    previous = os.environ.get("SAGSFLOW_DATABASE_URL")
    os.environ["SAGSFLOW_DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        with prefect_test_harness(server_startup_timeout=120):
            from workflows.outbox_dispatcher import outbox_dispatcher
            outbox_dispatcher()                       # warm-up
            idle = []
            for _ in range(5):
                t = time.perf_counter()
                outbox_dispatcher()
                idle.append(time.perf_counter() - t)
            figures = _in_flow(url)
    finally:
        if previous is None:
            os.environ.pop("SAGSFLOW_DATABASE_URL", None)
        else:
            os.environ["SAGSFLOW_DATABASE_URL"] = previous
        get_settings.cache_clear()
    return {**figures, "idle": statistics.median(idle), "idle_min": min(idle), "load": os.getloadavg()[0]}


def render(f: dict) -> str:
    ms = 1000
    return f"""## Prefect visibility overhead (benchmarks/flow_overhead.py, issue 16)

A temporary Prefect server (SQLite) on this machine, load average {f['load']:.1f} while measuring;
{N} call requests per round (no-op transport, so the figures are Prefect's and the outbox's own
cost), medians of {ROUNDS} rounds.

| What | Figure |
| --- | --- |
| {N} deliveries without task runs (`dispatch_due`, as `sagsflow outbox dispatch`) | {f['plain'] * ms:.0f} ms ({f['plain'] / N * ms:.1f} ms each) |
| the same, each delivery its own named task run (`TrackedTransports`, the flow) | {f['tracked'] * ms:.0f} ms ({f['tracked'] / N * ms:.1f} ms each) |
| overhead per delivery | {(f['tracked'] - f['plain']) / N * ms:.1f} ms |
| one untagged delivery task run (no-op transport), median | {f['untagged'] * ms:.1f} ms |
| the same with one constant tag (one extra API call per run: tag concurrency slots), median | {f['tagged'] * ms:.1f} ms |
| one Markdown artifact (published only by a run that did something) | {f['artifact'] * ms:.0f} ms |
| idle `outbox-dispatcher` flow run (no task run; tag + delete old idle runs), median of 5 | {f['idle'] * ms:.0f} ms (min {f['idle_min'] * ms:.0f}); ~1 s of it is the heartbeat-thread join of every sync flow run |
"""


def main() -> int:
    print(render(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
