"""Case search at scale (issue 12, H-R2.2): 100,000 cases with Work Info in a SQLite file database
(the FTS5 indexes filled by the triggers of migration 0016, as in production), then the searches a desk
makes — a word, a customer, a case number, filters, the Venter view, a later page — timed through
services.case_search (the same function behind /sager, GET /api/cases and `sagsflow case search`).
PostgreSQL too when a URL is given. Not a test.

`python -m benchmarks.case_search [--cases N] [--postgres URL] [--write]`."""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, text

from config.handbook import organisation
from services.case_search import CaseFilters, search_cases
from store.db import make_engine, session_factory
from store.directory import seed_organisation
from store.migrate import upgrade
from store.models import CaseRow, WorkInfoRow

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TEAMS = ["application_operations", "network", "databases", "unix", "storage", "backup_restore", "windows"]
WORDS = ["printer", "journal", "netværk", "adgangskode", "scanner", "outlook", "vpn", "telefon", "skærm", "server"]
NAMES = ["Hansen", "Jensen", "Nielsen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen"]
STATUSES = ["in_progress"] * 5 + ["closed"] * 4 + ["waiting_for_customer"]
CHUNK = 5_000
QUERIES = {
    "a common word (≈10 % of cases)": CaseFilters(q="printer"),
    "two words": CaseFilters(q="printer afsnit"),
    "a customer's name": CaseFilters(q="Sørensen 4711"),
    "a case number": CaseFilters(q="SF-INC-054321"),
    "only the digits of a number": CaseFilters(q="54321"),
    "open cases of a team, nearest deadline first": CaseFilters(view="open", team="network", sort="due"),
    "Venter view": CaseFilters(view="waiting"),
    "priority + SLA state filter": CaseFilters(priority="high", sla="breach"),
    "no filter, page 40": CaseFilters(page=40),
}


def seed(url: str, cases: int) -> float:
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        seed_organisation(session, organisation())
        session.commit()
    started = time.perf_counter()
    rows, infos = [], []
    for i in range(1, cases + 1):
        received = NOW - timedelta(minutes=i)
        status = STATUSES[i % len(STATUSES)]
        rows.append({"id": i, "number": f"SF-INC-{i:06d}", "case_type": "incident",
                     "summary": f"{WORDS[i % len(WORDS)]} virker ikke på afsnit {i % 40}", "status": status,
                     "impact": 1 + i % 4, "urgency": 1 + (i // 4) % 4, "priority": ["critical", "high", "medium", "low"][i % 4],
                     "sla_level": "gold", "team": TEAMS[i % len(TEAMS)], "customer_name": f"Kunde {i} {NAMES[i % len(NAMES)]}",
                     "customer_email": f"kunde{i}@example.org", "received_at": received, "started_at": received,
                     "resolution_due": received + timedelta(hours=8), "resolution_warn_at": received + timedelta(hours=6),
                     "sla_paused": False, "closed_at": received + timedelta(hours=2) if status == "closed" else None})
        infos.append({"case_id": i, "event": "note", "work_log_type": "Working Log", "summary": "Første visitation",
                      "notes": f"Kunden har genstartet; fejlkode {4700 + i % 100}", "author": "sd.tekniker",
                      "view_access": "internal", "created_at": received})
    with engine.begin() as conn:
        for offset in range(0, cases, CHUNK):
            conn.execute(insert(CaseRow.__table__), rows[offset:offset + CHUNK])
            conn.execute(insert(WorkInfoRow.__table__), infos[offset:offset + CHUNK])
        conn.execute(text("ANALYZE"))
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def measure(url: str, repeat: int) -> dict:
    engine = make_engine(url)
    figures = {}
    with session_factory(engine)() as session:
        for name, filters in QUERIES.items():
            search_cases(session, filters, now=NOW)   # warm
            times, total = [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                total = search_cases(session, filters, now=NOW).total
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            figures[name] = {"p50_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95) - 1],
                             "total": total}
    engine.dispose()
    return figures


def run(*, cases: int = 100_000, repeat: int = 40, postgres_url: str | None = None) -> dict:
    result = {"cases": cases}
    with tempfile.TemporaryDirectory(prefix="sagsflow-search-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'search.db'}"
        result["sqlite_seed_s"] = seed(url, cases)
        result["sqlite"] = measure(url, repeat)
    if postgres_url:
        from sqlalchemy import make_url
        from sqlalchemy.exc import OperationalError
        admin = make_engine(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
        try:
            admin.connect().close()
        except OperationalError:   # no PostgreSQL here: the SQLite figures only
            return result
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "sagsflow_search_bench"'))
            conn.execute(text('CREATE DATABASE "sagsflow_search_bench"'))
        url = make_url(postgres_url).set(database="sagsflow_search_bench").render_as_string(hide_password=False)
        result["postgres_seed_s"] = seed(url, cases)
        result["postgres"] = measure(url, repeat)
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "sagsflow_search_bench" WITH (FORCE)'))
        admin.dispose()
    return result


def render(f: dict) -> str:
    backends = [b for b in ("sqlite", "postgres") if b in f]
    head = " | ".join(f"{b} p50 / p95" for b in backends)
    lines = [f"| {name} | {f[backends[0]][name]['total']:,} | "
             + " | ".join(f"{f[b][name]['p50_ms']:.1f} / {f[b][name]['p95_ms']:.1f} ms" for b in backends) + " |"
             for name in QUERIES]
    seeds = ", ".join(f"{b} {f[b + '_seed_s']:.0f} s" for b in backends)
    return f"""## Case search (benchmarks/case_search.py, issue 12)

{f['cases']:,} cases, each with a Work Info entry, full text indexed per case and per Work Info row (migration
0016: SQLite contentless FTS5 tables kept by triggers; PostgreSQL GIN expression indexes, `danish`/`simple`). `services.case_search.search_cases` — the function
behind `/sager`, `GET /api/cases` and `sagsflow case search` — one page of 25 plus the total count.
Goal: every search ≤ 100 ms at p95. Bulk insert incl. indexing: {seeds}.

| search | cases found | {head} |
| --- | --- | {' | '.join('---' for _ in backends)} |
{chr(10).join(lines)}
"""


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os
    parser = argparse.ArgumentParser(prog="python -m benchmarks.case_search")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--write", action="store_true", help="replace this section of BENCHMARKS.md")
    args = parser.parse_args(argv)
    section = render(run(cases=args.cases, repeat=args.repeat, postgres_url=args.postgres))
    print(section)
    if args.write:
        from benchmarks.concurrency import ROOT, write_section
        write_section(ROOT / "BENCHMARKS.md", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
