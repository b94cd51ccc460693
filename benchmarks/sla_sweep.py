"""Benchmark of the SLA watchdog (H-S): 100,000 open cases, 1 % due, on a SQLite file database.

Measures the selecting query (one range scan on ix_case_record_next_sla_check_at) and a whole sweep
(claim, sla_event insert, Work Info, outbox notification, next check time; one transaction per case)
without Prefect's own overhead. Rows are bulk-inserted directly; deterministic data.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, text

from config.settings import Settings
from services.runtime import Runtime
from services.watchdog import sweep
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import CaseRow, SlaEventRow
from store.sla import due_case_ids

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)   # a Monday, 10:00 in Copenhagen
CHUNK = 10_000


def case_rows(count: int, due_share: float) -> list[dict]:
    """Critical gold cases awaiting reaction; every (1/due_share)-th is past its deadline at NOW."""
    step = round(1 / due_share)
    rows = []
    for i in range(count):
        due = i % step == 0
        received = NOW - (timedelta(hours=1, seconds=i) if due else timedelta(seconds=i % 300))
        rows.append({"number": f"SF-INC-{i + 1:06d}", "case_type": "incident", "summary": "Benchmark",
                     "status": "in_triage", "impact": 1, "urgency": 1, "priority": "critical",
                     "sla_level": "gold", "customer_name": "Benchmark", "received_at": received,
                     "reaction_warn_at": received + timedelta(minutes=7, seconds=30),
                     "reaction_due": received + timedelta(minutes=10), "sla_paused": False,
                     "next_sla_check_at": received + timedelta(minutes=7, seconds=30)})
    return rows


def run(*, cases: int = 100_000, due_share: float = 0.01, repeats: int = 20) -> dict:
    with tempfile.TemporaryDirectory(prefix="sagsflow-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        rows = case_rows(cases, due_share)
        with engine.begin() as conn:
            for offset in range(0, len(rows), CHUNK):
                conn.execute(insert(CaseRow.__table__), rows[offset:offset + CHUNK])
            conn.execute(text("ANALYZE"))
        insert_s = time.perf_counter() - started
        factory = session_factory(engine)

        with factory() as session:
            expected = session.scalar(select(func.count()).select_from(CaseRow)
                                      .where(CaseRow.next_sla_check_at <= NOW))
            plan = " / ".join(str(r[-1]) for r in session.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM case_record WHERE next_sla_check_at <= :now "
                "ORDER BY next_sla_check_at LIMIT 1000"), {"now": NOW.isoformat(sep=" ")}))
            query_ms = []
            for _ in range(repeats):
                t = time.perf_counter()
                selected = due_case_ids(session, now=NOW, limit=1000)
                query_ms.append((time.perf_counter() - t) * 1000)
        runtime = Runtime(Settings(database_url=url))
        t = time.perf_counter()
        report = sweep(factory, runtime, now=NOW)
        sweep_s = time.perf_counter() - t
        t = time.perf_counter()
        idle = sweep(factory, runtime, now=NOW)
        idle_ms = (time.perf_counter() - t) * 1000
        with factory() as session:
            recorded = session.scalar(select(func.count()).select_from(SlaEventRow))
        engine.dispose()
    assert len(selected) == expected == report.breaches == recorded, (len(selected), expected, report.breaches)
    assert idle.breaches == idle.cases_due == 0
    return {"cases": cases, "due": expected, "insert_s": insert_s, "query_plan": plan,
            "query_ms_median": statistics.median(query_ms), "query_ms_max": max(query_ms),
            "sweep_s": sweep_s, "sweep_ms_per_case": sweep_s * 1000 / max(report.breaches, 1),
            "idle_sweep_ms": idle_ms}
