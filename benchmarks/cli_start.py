"""CLI start (issue 15 item 4): `sagsflow sla due` and `sagsflow case show NUMBER` run as subprocesses
(the installed entry point, a fresh interpreter each time) in interleaved rounds; the medians of wall
and CPU time (user + system of the child) per command. Beside them, for scale, the bare interpreter
and the import of the libraries `case show` cannot do without (SQLAlchemy's ORM, pydantic-settings).
Goal: ≤ 0.3 s wall for both commands. Not a test.

`python -m benchmarks.cli_start [--rounds 9] [--write]` prints the section (`--write` puts it in
BENCHMARKS.md); `make bench` runs it too."""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 0.3


def _sagsflow(tree: Path) -> list[str]:
    script = Path(sys.executable).with_name("sagsflow")
    return [str(script)] if script.exists() and tree == ROOT else [sys.executable, "-m", "cli.main"]


def _timed(argv: list[str], env: dict, tree: Path = ROOT) -> tuple[float, float]:
    """(wall s, CPU s of the child) for one run; the command must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:]} failed: {done.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _modules(argv_tail: list[str], env: dict, tree: Path) -> int:
    """How many modules the command imports (python -X importtime counts them)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "cli.main", *argv_tail], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)
    return sum(1 for line in done.stderr.splitlines() if line.startswith("import time:") and "|" in line) - 1


def run(*, rounds: int = 9, tree: Path = ROOT) -> dict:
    """`tree`: another checkout to measure (e.g. `git archive` of an older commit), run with `-m cli.main`."""
    sagsflow = _sagsflow(tree)
    with tempfile.TemporaryDirectory(prefix="sagsflow-cli-start-") as tmp:
        env = {**os.environ, "SAGSFLOW_DATABASE_URL": f"sqlite:///{Path(tmp) / 'cli.db'}"}
        subprocess.run([*sagsflow, "db", "upgrade"], cwd=tree, env=env, check=True, capture_output=True, timeout=300)
        opened = subprocess.run([*sagsflow, "--now", "2026-11-23T10:00:00+01:00", "case", "open", "--type", "incident",
                                 "--summary", "Printeren på afsnit 3 virker ikke", "--impact", "3", "--urgency", "3",
                                 "--sla-level", "gold", "--customer", "Bench Kunde"],
                                cwd=tree, env=env, check=True, capture_output=True, text=True, timeout=120)
        number = opened.stdout.strip()
        commands = {
            "sla due": [*sagsflow, "sla", "due", "--priority", "critical", "--sla-level", "gold",
                        "--received", "2024-03-30T23:00", "--json"],
            "case show": [*sagsflow, "case", "show", number, "--json"],
            "python -c pass": [sys.executable, "-c", "pass"],
            "import sqlalchemy.orm, pydantic_settings": [sys.executable, "-c", "import sqlalchemy.orm, pydantic_settings"],
        }
        samples = {name: [] for name in commands}
        for name, argv in commands.items():   # warm the file cache and the .pyc files, not counted
            _timed(argv, env, tree)
        for _ in range(rounds):   # interleaved: a busy moment of the machine hits every command alike
            for name, argv in commands.items():
                samples[name].append(_timed(argv, env, tree))
        modules = {name: _modules(argv[len(sagsflow):], env, tree) for name, argv in commands.items()
                   if name in ("sla due", "case show")}
    load = os.getloadavg()
    figures = {"rounds": rounds, "load": load, "commands": {}}
    for name, runs in samples.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        figures["commands"][name] = {"wall_s": statistics.median(walls), "wall_min_s": min(walls),
                                     "cpu_s": statistics.median(cpus), "modules": modules.get(name)}
    return figures


# wall, CPU s before issue 15: this benchmark on commit eef6829 (`--tree`), 2026-12-01 13:35 UTC, load 3.1
BEFORE = {"sla due": (2.11, 1.68), "case show": (1.98, 1.57)}


def render(f: dict) -> str:
    rows = []
    for name, g in f["commands"].items():
        goal = f"≤ {GOAL_S:.1f} s wall" if name in BEFORE else "(for scale)"
        met = "" if name not in BEFORE else (" — met" if g["wall_s"] <= GOAL_S else " — **not met**")
        before = (f"{BEFORE[name][0]:.2f} s / {BEFORE[name][1]:.2f} s" if name in BEFORE else "")
        modules = f"{g['modules']}" if g["modules"] is not None else ""
        rows.append(f"| `{name}` | {g['wall_s']:.2f} s (min {g['wall_min_s']:.2f}) | {g['cpu_s']:.2f} s | {modules} | "
                    f"{before} | {goal}{met} |")
    load = ", ".join(f"{x:.1f}" for x in f["load"])
    return f"""## CLI start (benchmarks/cli_start.py, issue 15)

Each command run as a subprocess through the installed `sagsflow` entry point, a fresh interpreter
each time, {f['rounds']} interleaved rounds after a warm-up; medians of wall and CPU (user + system) time.
`case show` reads a case from a SQLite file. The command line builds only the chosen command's parser
and each handler imports what it needs; `case show` cannot do without SQLAlchemy's ORM and the
settings (pydantic-settings), whose import alone is the last row. Load average while measuring: {load}.

| command | wall (median) | CPU (median) | modules imported | before (wall / CPU) | goal |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli_start")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--write", action="store_true", help="replace this section of BENCHMARKS.md")
    parser.add_argument("--tree", type=Path, default=ROOT, help="measure another checkout (prints its figures)")
    args = parser.parse_args(argv)
    section = render(run(rounds=args.rounds, tree=args.tree.resolve()))
    print(section)
    if args.write:
        from benchmarks.concurrency import write_section

        write_section(ROOT / "BENCHMARKS.md", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
