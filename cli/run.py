"""`sagsflow run`: the main job on one machine (H-S/H-E timed work visible to administrators).

Starts a local Prefect server (API + UI + scheduler; SQLite under var/prefect/, analytics off) on
127.0.0.1, waits until /api/health answers, starts the process that serves all flows
(`python -m workflows.serve`), prints where the UI is, and stops both cleanly on Ctrl-C or
SIGTERM: each child runs in its own process group, which gets SIGTERM, then SIGKILL after a grace
period. If either child dies, the other is stopped and the command exits non-zero.
When outgoing mail points at the default demo sink (127.0.0.1:8025, no auth), the sink
(`connectors.mail.devserver`) is started too and every mail lands as an .eml file under var/mail/
(H-R1.3, H-C2 demo: the resolution mail and the CMDB mail are visible there).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from cli.common import CliError

HOST = "127.0.0.1"
GRACE_S = 20


class Stop(Exception):
    """SIGTERM/SIGINT received: stop the children."""


def register(subparsers) -> None:
    run = subparsers.add_parser("run", help="the main job: local Prefect server with UI + the process serving all flows")
    run.add_argument("--port", type=int, default=4200, help="Prefect server port on 127.0.0.1 (default 4200)")
    run.add_argument("--startup-timeout", type=float, default=120.0, metavar="SECONDS",
                     help="how long to wait for the Prefect server's /api/health (default 120)")
    run.add_argument("--web-port", type=int, default=8000,
                     help="port of the worklist web app on 127.0.0.1 (default 8000; 0 = don't start it)")
    run.set_defaults(handler=cmd_run)


def prefect_environment(*, port: int, home: Path, base: dict | None = None) -> dict[str, str]:
    """Environment for both children: one Prefect home under var/, loopback only, analytics off."""
    env = dict(os.environ if base is None else base)
    api = f"http://{HOST}:{port}/api"
    env.update(PREFECT_HOME=str(home), PREFECT_API_URL=api, PREFECT_UI_API_URL=api,
               PREFECT_SERVER_API_HOST=HOST, PREFECT_SERVER_API_PORT=str(port),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS="false")
    # issue 16: idle runs are deleted by the flows themselves (workflows/flow_results.py); runs that did
    # work are kept 90 days by Prefect's own vacuum (flow runs with their logs and artifacts).
    env.setdefault("PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED", "events,flow_runs")
    env.setdefault("PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD", str(90 * 24 * 3600))
    return env


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def healthy(port: int) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/api/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_group(argv: list[str], *, env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    """Start a child in its own session/process group, so Ctrl-C reaches it only through us."""
    from config.settings import ROOT

    output = open(log, "ab") if log else None   # noqa: SIM115 - the child keeps its own copy
    try:
        return subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True, stdout=output,
                                stderr=subprocess.STDOUT if output else None)
    finally:
        if output:
            output.close()


def stop_group(process: subprocess.Popen, *, grace_s: float = GRACE_S) -> int:
    """SIGTERM the child's process group, SIGKILL it after `grace_s`; returns the exit code."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            return process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return process.wait()


def cmd_run(args) -> int:
    from config.settings import DEMO_SINK_PORT, ROOT, get_settings

    if port_in_use(args.port):
        raise CliError(f"port {args.port} on {HOST} is already in use (another `sagsflow run` or Prefect "
                       f"server?); stop it or choose --port")
    home = ROOT / "var" / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = prefect_environment(port=args.port, home=home)
    prefect = Path(sys.executable).with_name("prefect")
    server_cmd = [str(prefect)] if prefect.exists() else [sys.executable, "-m", "prefect"]
    children: list[subprocess.Popen] = []

    def on_signal(signum, _frame):
        raise Stop(signal.Signals(signum).name)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"Starter Prefect-serveren på {HOST}:{args.port} (log: var/prefect/server.log) …", flush=True)
        server = start_group([*server_cmd, "server", "start", "--host", HOST, "--port", str(args.port)],
                             env=env, log=home / "server.log")
        children.append(server)
        deadline = time.monotonic() + args.startup_timeout
        while not healthy(args.port):
            if server.poll() is not None:
                raise CliError(f"the Prefect server exited with code {server.returncode}; see var/prefect/server.log")
            if time.monotonic() > deadline:
                raise CliError(f"the Prefect server did not answer /api/health within {args.startup_timeout:.0f} s")
            time.sleep(0.5)
        settings = get_settings()
        if settings.uses_demo_sink():
            if port_in_use(DEMO_SINK_PORT):
                print(f"Mail-sink: port {DEMO_SINK_PORT} er allerede i brug – bruger den kørende sink", flush=True)
            else:
                children.append(start_group([sys.executable, "-m", "connectors.mail.devserver", "--folder",
                                             str(settings.mail_folder), "--port", str(DEMO_SINK_PORT)], env=env,
                                            log=home / "mail-sink.log"))
                print(f"Mails (demo): {settings.mail_folder}/*.eml  (SMTP-sink på {HOST}:{DEMO_SINK_PORT})",
                      flush=True)
        else:
            print(f"Mails sendes via {settings.smtp.host}:{settings.smtp.port}", flush=True)
        children.append(start_group([sys.executable, "-m", "workflows.serve"], env=env))
        if args.web_port:
            if port_in_use(args.web_port):
                raise CliError(f"port {args.web_port} on {HOST} is already in use; stop it or choose --web-port")
            children.append(start_group([sys.executable, "-m", "cli.main", "web", "--host", HOST,
                                         "--port", str(args.web_port)], env=env))
        print(f"Prefect UI: http://{HOST}:{args.port}  (flow runs: Runs → sla-watchdog, outbox-dispatcher)\n"
              f"Stop med Ctrl-C.", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(1)
        dead = next(child for child in children if child.poll() is not None)
        print(f"error: {' '.join(dead.args[:3])} exited with code {dead.returncode}; stopping", file=sys.stderr)
        return 1
    except Stop as stop:
        print(f"\n{stop}: stopper …", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # no second Ctrl-C while stopping
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for child in reversed(children):
            stop_group(child)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
