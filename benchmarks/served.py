"""The app served by uvicorn in its own process for the HTTP benchmarks, and that process's CPU."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(factory: str, url: str, folder: Path, *, extra: tuple[str, ...] = (),
          start_timeout_s: float = 60) -> tuple[subprocess.Popen, str]:
    """uvicorn --factory `factory` on a free loopback port against `url`; waits for /healthz."""
    port = free_port()
    env = {**os.environ, "SAGSFLOW_DATABASE_URL": url, "BENCH_FOLDER": str(folder),
           "SAGSFLOW_WEB_DEMO_PASSWORDS": "false"}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
                                "--port", str(port), "--log-level", "warning", "--no-access-log", *extra],
                               cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the app did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
