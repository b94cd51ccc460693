"""Worklist latency and page throughput with 100,000 open tasks (issue 6): the HTTP API
`GET /api/tasks?view=team` measured sequentially (p50/p95), then the worklist page under a load
generator on loopback (wrk when installed, else a threaded Python client). Not a test."""
from __future__ import annotations

import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import uvicorn
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlalchemy import insert, text

from config.handbook import organisation
from config.settings import Settings
from services.auth import ensure_demo_passwords
from services.runtime import Runtime
from store.db import make_engine, session_factory
from store.directory import seed_organisation
from store.migrate import upgrade
from store.models import CaseRow, HumanTaskRow, ProcessDefinitionRow, ProcessInstanceRow
from web.app import create_app
from web.settings import WebSettings

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TEAMS = ["service_desk", "application_operations", "network", "databases", "unix", "storage", "backup_restore",
         "windows"]
TOKEN = "bench-token-0123456789abcdefghij"
CHUNK = 10_000


def seed(url: str, tasks: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        seed_organisation(session, organisation())
        ensure_demo_passwords(session, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        session.add(ProcessDefinitionRow(id=1, content_hash="bench", process_id="incident_handling", spec={},
                                         task_meta={}, sources={}, deployed_at=NOW, deployed_by="bench"))
        session.commit()
    cases, instances, human = [], [], []
    for i in range(1, tasks + 1):
        received = NOW - timedelta(minutes=i % 5000)
        cases.append({"id": i, "number": f"SF-INC-{i:06d}", "case_type": "incident", "summary": f"Benchmark {i}",
                      "status": "in_progress", "impact": 3, "urgency": 3, "priority": "medium", "sla_level": "bronze",
                      "team": TEAMS[i % len(TEAMS)], "customer_name": "Bench", "received_at": received,
                      "started_at": received, "resolution_due": received + timedelta(hours=13),
                      "resolution_warn_at": received + timedelta(hours=9, minutes=45), "sla_paused": False})
        instances.append({"id": i, "case_id": i, "definition_id": 1, "state": b"", "status": "running", "version": 1,
                          "updated_at": received})
        human.append({"id": f"00000000-0000-0000-0000-{i:012d}", "instance_id": i, "case_id": i,
                      "bpmn_id": "work_on_case", "name": "Behandl sagen", "lane": "lane_technician",
                      "team": TEAMS[i % len(TEAMS)], "role": "member", "form": {"fields": []}, "status": "open",
                      "created_at": received, "sla_due_at": received + timedelta(hours=13)})
    with engine.begin() as conn:
        for table, rows in ((CaseRow, cases), (ProcessInstanceRow, instances), (HumanTaskRow, human)):
            for offset in range(0, len(rows), CHUNK):
                conn.execute(insert(table.__table__), rows[offset:offset + CHUNK])
        if url.startswith("sqlite"):
            conn.execute(text("ANALYZE"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, folder: Path):
    settings = Settings(database_url=url)
    engine = make_engine(url)
    web = WebSettings(session_secret=SecretStr("b" * 40), secret_file=folder / "secret",
                      api_tokens={"app.tekniker": SecretStr(TOKEN)}, _env_file=None)
    app = create_app(settings, session_factory=session_factory(engine), web=web, clock=lambda: NOW,
                     runtime=Runtime(settings))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def latency(base: str, requests: int) -> dict:
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for _ in range(10):
            client.get("/api/tasks", params={"view": "team"}).raise_for_status()
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/api/tasks", params={"view": "team"})
            times.append(time.perf_counter() - started)
            response.raise_for_status()
        rows = len(response.json())
    times.sort()
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": times[int(len(times) * 0.95)] * 1000,
            "rows": rows, "requests": requests}


def throughput(base: str, seconds: int) -> dict:
    path = "/api/tasks?view=team"
    if shutil.which("wrk"):
        result = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Authorization: Bearer {TOKEN}",
                                 base + path], capture_output=True, text=True, timeout=seconds + 30)
        match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
        latency_line = re.search(r"Latency\s+(\S+)", result.stdout)
        return {"tool": "wrk -t2 -c8", "rps": float(match.group(1)) if match else 0.0,
                "avg_latency": latency_line.group(1) if latency_line else "?"}
    deadline, done = time.perf_counter() + seconds, []

    def worker():
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            while time.perf_counter() < deadline:
                client.get(path).raise_for_status()
                done.append(1)

    with ThreadPoolExecutor(8) as pool:
        for _ in range(8):
            pool.submit(worker)
    return {"tool": "8 Python threads (wrk not installed)", "rps": len(done) / seconds, "avg_latency": "-"}


def run(*, tasks: int = 100_000, requests: int = 300, seconds: int = 10) -> dict:
    with tempfile.TemporaryDirectory(prefix="sagsflow-worklist-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        seed(url, tasks)
        seed_s = time.perf_counter() - started
        server, thread, base = serve(url, Path(tmp))
        try:
            figures = {"tasks": tasks, "seed_s": seed_s, **latency(base, requests),
                       "load": throughput(base, seconds)}
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    return figures


if __name__ == "__main__":
    print(run(tasks=20_000, requests=100, seconds=3))
