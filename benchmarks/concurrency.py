"""Many people at once (issue 9): 4, 16, 64 and 128 concurrent clients on loopback against the web
app served by uvicorn in its own process, on SQLite and PostgreSQL. Each client loops over a mix of
a worklist GET, a case page, a claim and a completion (classification of a freshly registered case,
every client on its own cases). Reported per level: requests/s, p50/p95/p99, errors; afterwards the
database proves that every acknowledged completion is recorded and that nothing was applied twice.
Goal: 0 errors at every level and no cliff (64 and 128 clients ≥ 90 % of the best level). Not a test.

`python -m benchmarks.concurrency [--seconds 8] [--postgres URL]` prints the section; `make bench`
puts it in BENCHMARKS.md."""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select

from benchmarks import served
from benchmarks.databases import fresh_postgres
from benchmarks.http_load import Connection, HttpError

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-concurrency-token-0123456789"
LEVELS = (4, 16, 64, 128)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def make_app():
    """uvicorn --factory target: the real app on SAGSFLOW_DATABASE_URL, the desk's bearer token."""
    from pydantic import SecretStr

    from config.settings import Settings
    from web.app import create_app
    from web.settings import WebSettings

    settings = Settings()
    web = WebSettings(session_secret=SecretStr("c" * 48), secret_file=Path(os.environ["BENCH_FOLDER"]) / "secret",
                      api_tokens={"sd.tekniker": SecretStr(TOKEN)}, _env_file=None)
    return create_app(settings, web=web)


def seed(url: str, cases: int) -> list[tuple[str, str]]:
    """`cases` registered cases, each with its open classification task: [(number, task id)]."""
    from config.handbook import organisation
    from config.settings import Settings
    from services.cases import NewCase, open_case
    from services.deployments import deploy_release
    from services.runtime import Runtime
    from store.db import make_engine, session_factory
    from store.directory import seed_organisation
    from store.migrate import upgrade
    from store.models import HumanTaskRow

    upgrade(url)
    engine = make_engine(url)
    runtime = Runtime(Settings(database_url=url))
    factory = session_factory(engine)
    with factory() as session:
        seed_organisation(session, organisation())
        deploy_release(session, runtime, now=NOW)   # the shipped diagrams, as `sagsflow db upgrade` does
        session.commit()
    pairs = []
    new = NewCase(case_type="incident", summary="Printeren på afsnit 3 virker ikke", impact=3, urgency=3,
                  sla_level="gold", customer_name="Bench Kunde")
    with factory() as session:
        for i in range(cases):
            case = open_case(session, runtime, new=new, actor="sd.tekniker", now=NOW)
            if i % 50 == 49:
                session.commit()
        session.commit()
        rows = session.execute(select(HumanTaskRow.id, HumanTaskRow.case_id).where(HumanTaskRow.status == "open")
                               .order_by(HumanTaskRow.case_id)).all()
        from store.models import CaseRow
        numbers = dict(session.execute(select(CaseRow.id, CaseRow.number)).all())
        pairs = [(numbers[case_id], task_id) for task_id, case_id in rows]
    engine.dispose()
    return pairs


def _start_server(url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    return served.serve("benchmarks.concurrency:make_app", url, folder, start_timeout_s=30,
                        extra=("--backlog", "2048", "--timeout-keep-alive", "30"))


async def _client(base: str, work: list, deadline: float, stats: dict, index: int) -> None:
    host, port = base.removeprefix("http://").split(":")
    connection = Connection(host, int(port))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    await asyncio.sleep((index % 16) * 0.02)   # people do not all click in the same millisecond
    try:
        while time.perf_counter() < deadline and work:
            number, task_id = work.pop()
            steps = (("GET", "/api/tasks?view=team", None), ("GET", f"/cases/{number}", None),
                     ("POST", f"/api/tasks/{task_id}/claim", None),
                     ("POST", f"/api/tasks/{task_id}/complete", {"data": {"classification": "incident"}}))
            for method, path, body in steps:
                started = time.perf_counter()
                try:
                    status, _ = await connection.request(method, path, json_body=body, headers=headers)
                    ok, why = status < 400, str(status)
                except HttpError as exc:
                    ok, why = False, str(exc)
                finished = time.perf_counter()
                stats["latencies"].append(finished - started)
                if stats["window"][0] <= finished <= stats["window"][1]:
                    stats["in_window"] += 1
                if not ok:
                    stats["errors"] += 1
                    stats["why"][why] = stats["why"].get(why, 0) + 1
                    break
                if path.endswith("/complete"):
                    stats["acknowledged"].append(task_id)
    finally:
        await connection.close()


async def _level(base: str, clients: int, work: list, seconds: float, server_pid: int | None = None) -> dict:
    stats = {"latencies": [], "errors": 0, "acknowledged": [], "why": {}, "in_window": 0}
    started = time.perf_counter()
    deadline = started + seconds
    # throughput is counted in the steady window: after the ramp-up, before the drain
    stats["window"] = (started + min(3.0, seconds / 4), deadline)
    server_cpu, own_cpu = served.cpu_seconds(server_pid) if server_pid else 0.0, time.process_time()
    await asyncio.gather(*(_client(base, work, deadline, stats, i) for i in range(clients)))
    server_cpu = (served.cpu_seconds(server_pid) - server_cpu) if server_pid else 0.0
    own_cpu = time.process_time() - own_cpu
    window = stats["window"][1] - stats["window"][0]
    times = sorted(stats["latencies"])
    pick = lambda q: times[min(len(times) - 1, int(len(times) * q))] * 1000 if times else 0.0  # noqa: E731
    done = max(1, len(times))
    return {"clients": clients, "requests": len(times), "rps": stats["in_window"] / window, "p50_ms": pick(0.50),
            "p95_ms": pick(0.95), "p99_ms": pick(0.99), "errors": stats["errors"],
            "server_cpu_ms": server_cpu * 1000 / done, "client_cpu_ms": own_cpu * 1000 / done,
            "why": stats["why"], "acknowledged": stats["acknowledged"]}


def _verify(url: str, acknowledged: list[str]) -> dict:
    """Every acknowledged completion is recorded once; no task completed twice."""
    from store.db import make_engine
    from store.models import HumanTaskRow, WorkInfoRow

    engine = make_engine(url)
    with engine.connect() as conn:
        done = set(conn.execute(select(HumanTaskRow.id).where(HumanTaskRow.status == "completed",
                                                              HumanTaskRow.bpmn_id == "classify_case")).scalars())
        per_case = conn.execute(select(WorkInfoRow.case_id, func.count()).where(WorkInfoRow.event == "task.classify_case")
                                .group_by(WorkInfoRow.case_id)).all()
    engine.dispose()
    lost = [t for t in acknowledged if t not in done]
    duplicated = sum(1 for _, n in per_case if n > 1)
    return {"acknowledged": len(acknowledged), "recorded": len(done), "lost": len(lost), "duplicated": duplicated}


def run_backend(fresh_url, *, seconds: float, folder: Path, client_counts=LEVELS, rounds: int = 1) -> dict:
    """Each level on its own freshly seeded database and server, so a later level is not slowed by
    the rows earlier levels wrote (that drift, not the concurrency, is what a shared database shows).
    With several rounds the levels are interleaved (4, 16, 64, 128, 4, 16, …) and each level reports
    its median round, so a burst of other work on the shared machine cannot decide the comparison."""
    per_level_cases = int(os.environ.get("BENCH_CASES_PER_LEVEL", "700"))
    runs: dict[int, list[dict]] = {clients: [] for clients in client_counts}
    proofs = []
    for round_no in range(rounds):
        for clients in client_counts:
            url = fresh_url(f"{clients}-{round_no}")   # a new database every level and round
            pairs = seed(url, per_level_cases + 20)
            process, base = _start_server(url, folder)
            try:
                warm = [pairs.pop() for _ in range(20)]
                asyncio.run(_level(base, 4, warm, 2))   # warm-up, not reported
                figures = asyncio.run(_level(base, clients, pairs, seconds, process.pid))
            finally:
                process.terminate()
                process.wait(timeout=20)
            proofs.append(_verify(url, figures.pop("acknowledged")))
            runs[clients].append(figures)
    levels = []
    for clients, tries in runs.items():
        median = sorted(tries, key=lambda t: t["rps"])[len(tries) // 2]
        levels.append({**median, "errors": sum(t["errors"] for t in tries),
                       "rounds_rps": [round(t["rps"]) for t in tries]})
    best = max(level["rps"] for level in levels)
    proof = {key: sum(p[key] for p in proofs) for key in ("acknowledged", "recorded", "lost", "duplicated")}
    return {"levels": levels, "proof": proof, "best_rps": best, "rounds": rounds,
            "no_cliff": all(level["rps"] >= 0.9 * best for level in levels if level["clients"] >= 64)}



def run(*, seconds: float = 10, postgres_url: str | None = None, sqlite: bool = True, levels=LEVELS,
        rounds: int = 1) -> dict:
    from config.database import DatabaseSettings

    tuning = DatabaseSettings()
    figures = {"seconds": seconds, "rounds": rounds,
               "slots": {"postgres": tuning.web_threads("postgresql://"), "sqlite": tuning.web_threads("sqlite://")}}
    with tempfile.TemporaryDirectory(prefix="sagsflow-concurrency-") as tmp:
        folder = Path(tmp)
        figures["sqlite"] = (run_backend(lambda n: f"sqlite:///{folder / f'bench-{n}.db'}", seconds=seconds,
                                         folder=folder, client_counts=levels, rounds=rounds) if sqlite else None)
        pg = postgres_url and fresh_postgres(postgres_url, "sagsflow_bench_concurrency")
        figures["postgres"] = (run_backend(lambda n: fresh_postgres(postgres_url, "sagsflow_bench_concurrency"), seconds=seconds, folder=folder, client_counts=levels,
                                           rounds=rounds)
                               if pg else None)
    return figures


def render(f: dict) -> str:
    rows = []
    for backend in ("sqlite", "postgres"):
        g = f.get(backend)
        if g is None:
            rows.append(f"| {backend} | not run | | | | | | |")
            continue
        for level in g["levels"]:
            share = level["rps"] / g["best_rps"] * 100
            spread = "/".join(map(str, level.get("rounds_rps", []))) if len(level.get("rounds_rps", [])) > 1 else ""
            rows.append(f"| {backend} | {level['clients']} | {level['rps']:.0f} ({share:.0f} % of best"
                        f"{'; rounds ' + spread if spread else ''}) | "
                        f"{level['p50_ms']:.0f} | {level['p95_ms']:.0f} | {level['p99_ms']:.0f} | "
                        f"{level['server_cpu_ms']:.1f} / {level['client_cpu_ms']:.2f} | {level['errors']}"
                        f"{' ' + str(level['why']) if level['why'] else ''} |")
    proofs = []
    for backend in ("sqlite", "postgres"):
        g = f.get(backend)
        if g is not None:
            p = g["proof"]
            proofs.append(f"{backend}: {p['acknowledged']} completions acknowledged, {p['recorded']} recorded, "
                          f"{p['lost']} lost, {p['duplicated']} applied twice; no cliff: "
                          f"{'yes' if g['no_cliff'] else 'NO'}")
    return f"""## Many people at once (benchmarks/concurrency.py)

The app served by uvicorn (one process) on loopback; N concurrent clients (one asyncio task and one
keep-alive connection each, `benchmarks/http_load.py` — a lean client, so the load generator takes
little of the 2 cores from the server; bearer-token auth as the service desk) for {f['seconds']:g} s per level, each level on its own freshly
seeded database and server; {f.get('rounds', 1)} interleaved round(s), each level reporting its median round
(errors summed over all rounds). Each client loops: worklist
`GET /api/tasks?view=team`, the case page `GET /cases/N` (HTML), `POST …/claim`, `POST …/complete`
(the classification of its own freshly registered case). Requests/s counts the requests finished in the
steady window (from 3 s after the start to the end of the level). Requests at work at once (database
slots): {f.get('slots', {}).get('postgres', '?')} on PostgreSQL (`web_slots`: two per CPU core, within the pool of 10 + 10),
{f.get('slots', {}).get('sqlite', '?')} on SQLite (`sqlite_slots`), of which one writer at a time (`sqlite_writers`);
requests beyond that wait for a slot on the event loop (back-pressure).
Goal: 0 errors at every level, 64 and 128 clients ≥ 90 % of the best level.

| backend | clients | requests/s | p50 ms | p95 ms | p99 ms | CPU ms per request (server / load generator) | errors |
| --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

{chr(10).join(f'- {p}' for p in proofs)}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.concurrency")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--backend", choices=("both", "sqlite", "postgres"), default="both")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="client counts, e.g. 4,64")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds; each level reports its median")
    parser.add_argument("--write", action="store_true", help="replace this section of BENCHMARKS.md")
    args = parser.parse_args(argv)
    levels = tuple(int(n) for n in args.levels.split(","))
    section = render(run(seconds=args.seconds, sqlite=args.backend != "postgres", levels=levels, rounds=args.rounds,
                         postgres_url=args.postgres if args.backend != "sqlite" else None))
    print(section)
    if args.write:
        write_section(ROOT / "BENCHMARKS.md", section)
    return 0


def write_section(path: Path, section: str) -> None:
    """Put `section` (a `## …` block) into the file, replacing an earlier run of it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    title = section.splitlines()[0]
    start = text.find(title)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(title))
        text = text[:start] + section.rstrip("\n") + "\n" + (text[end:] if end >= 0 else "")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
