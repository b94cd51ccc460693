"""`python -m benchmarks.run` (`make bench`): runs the benchmarks and writes BENCHMARKS.md
(machine, date, figures). Requirement served: H-S (the watchdog must stay cheap at scale)."""
from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import case_search, cli_start, completion, concurrency, flow_overhead, lifecycle, sla_sweep, worklist

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def render_lifecycle(f: dict) -> str:
    bare = f["bare"]["ms_per_task"]
    rows = []
    for name in ("sqlite", "postgres"):
        g = f.get(name)
        if g is None:
            rows.append(f"| {name} | not run (no PostgreSQL) | | | | |")
            continue
        rows.append(f"| {name} | {g['cases_per_s']:.1f} | {g['ms_per_task']:.2f} (p95 {g['ms_per_task_p95']:.2f}) | "
                    f"{g['ms_per_task'] / bare:.1f}× | {g['bytes_median']:,.0f} B (max {g['bytes_max']:,}) | ≤ 10,000 B |")
    return f"""## Lifecycle throughput (benchmarks/lifecycle.py)

{f['cases']} cases through the standard path (a critical incident: {f['tasks_per_case']} human tasks,
service tasks, DMN, three call activities). Service layer = load the instance, validate the form,
complete, run, write Work Info/outbox/projections, save, commit — one transaction per task, plus
the worklist query that finds the task. Bare engine = the same steps on SpiffWorkflow in memory
(no validation, no database, no serialization): {f['bare']['cases_per_s']:.0f} cases/s,
{bare:.2f} ms per human task. Goal: ≤ 1.5× the bare engine. That anchor is the engine without
persistence; the one a persisted engine is measured against — the bare round trip with
deserialization and serialization — is in the next section (issue 15), with CPU beside wall time.

| backend | cases/s | ms per human task (median) | ratio to bare | stored state at closure (the ended record) | goal |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}
"""


def render_worklist(f: dict) -> str:
    return worklist.render(f)   # the section lives beside its benchmark (issue 15)


def render(figures: dict, *, when: datetime) -> str:
    f = figures
    return f"""# Benchmarks

Written by `make bench` (`python -m benchmarks.run`); not timed tests. Re-run to refresh.

- Machine: {machine()}
- Date: {when.strftime('%Y-%m-%d %H:%M UTC')}

{sla_sweep.render(f)}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--lifecycle-cases", type=int, default=100)
    parser.add_argument("--completion-rounds", type=int, default=7)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    figures = sla_sweep.run(cases=args.cases)
    text = render(figures, when=datetime.now(timezone.utc))
    text += "\n" + render_lifecycle(lifecycle.run(cases=args.lifecycle_cases, postgres_url=args.postgres))
    text += "\n" + completion.render(completion.run(rounds=args.completion_rounds, postgres_url=args.postgres))
    text += "\n" + render_worklist(worklist.run(tasks=args.cases))
    text += "\n" + cli_start.render(cli_start.run())
    text += "\n" + case_search.render(case_search.run(cases=args.cases, postgres_url=args.postgres))
    text += "\n" + concurrency.render(concurrency.run(seconds=12, rounds=3, postgres_url=args.postgres))
    text += "\n" + flow_overhead.render(flow_overhead.run())
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
