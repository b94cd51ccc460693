"""CLI start (issue 15 item 4): `sagsflow sla due` and `sagsflow case show NUMBER` run as subprocesses
(the installed entry point, a fresh interpreter each time) in interleaved rounds; the medians of wall
and CPU time (user + system of the child) per command. Beside them, for scale, the bare interpreter
and the import of the library `case show` cannot do without (SQLAlchemy with its ORM), with the
garbage-collector handling of a brief command (cli/main.py) so that the rows compare.
Goal: ≤ 0.3 s wall for both commands. Not a test.

The commands run as on a user's machine: the warm-up run writes the bytecode (.pyc) of every module it
imports, the measured runs read it. An environment that forbids writing it (PYTHONDONTWRITEBYTECODE, set
in some sandboxes) is not passed on: there every run would compile our ~40 modules from source again.

`python -m benchmarks.cli_start [--rounds 9] [--write] [--baseline DIR --baseline-commit SHA]` prints the
section (`--write` puts it in BENCHMARKS.md); `make bench` runs it too."""
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
GOAL_COMMANDS = ("sla due", "case show", "case show (text)")


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


def _prepare(tree: Path, tmp: Path) -> tuple[list[str], dict, dict]:
    """A migrated SQLite file with one case for `tree`: (its sagsflow argv prefix, env, the two commands)."""
    sagsflow = _sagsflow(tree)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["SAGSFLOW_DATABASE_URL"] = f"sqlite:///{tmp / 'cli.db'}"
    subprocess.run([*sagsflow, "db", "upgrade"], cwd=tree, env=env, check=True, capture_output=True, timeout=300)
    opened = subprocess.run([*sagsflow, "--now", "2026-11-23T10:00:00+01:00", "case", "open", "--type", "incident",
                             "--summary", "Printeren på afsnit 3 virker ikke", "--impact", "3", "--urgency", "3",
                             "--sla-level", "gold", "--customer", "Bench Kunde"],
                            cwd=tree, env=env, check=True, capture_output=True, text=True, timeout=120)
    number = opened.stdout.strip()
    return sagsflow, env, {
        "sla due": [*sagsflow, "sla", "due", "--priority", "critical", "--sla-level", "gold",
                    "--received", "2024-03-30T23:00", "--json"],
        "case show": [*sagsflow, "case", "show", number, "--json"],
        "case show (text)": [*sagsflow, "case", "show", number],   # the Danish text: + the labels (PyYAML)
    }


def run(*, rounds: int = 9, tree: Path = ROOT, baseline: Path | None = None, baseline_commit: str = "") -> dict:
    """`tree`: another checkout to measure (e.g. `git archive` of an older commit), run with `-m cli.main`;
    `baseline`: a checkout whose two commands run interleaved with these, as rows "… (baseline)"
    (`baseline_commit`: which commit it is, for the table)."""
    with tempfile.TemporaryDirectory(prefix="sagsflow-cli-start-") as tmp:
        sagsflow, env, ours = _prepare(tree, Path(tmp))
        commands = {name: (argv, env, tree, len(sagsflow)) for name, argv in ours.items()}
        if baseline is not None:
            (Path(tmp) / "baseline").mkdir()
            base_prefix, base_env, theirs = _prepare(baseline, Path(tmp) / "baseline")
            commands |= {f"{name} (baseline)": (argv, base_env, baseline, len(base_prefix)) for name, argv in theirs.items()}
        commands |= {
            "python -c pass": ([sys.executable, "-c", "pass"], env, tree, 0),
            "import sqlalchemy.orm": ([sys.executable, "-c", "import gc; gc.disable(); import sqlalchemy.orm; "
                                       "gc.freeze()"], env, tree, 0),
        }
        samples = {name: [] for name in commands}
        for name, (argv, cenv, ctree, _) in commands.items():   # warm the file cache and the .pyc files, not counted
            _timed(argv, cenv, ctree)
        for _ in range(rounds):   # interleaved: a busy moment of the machine hits every command alike
            for name, (argv, cenv, ctree, _) in commands.items():
                samples[name].append(_timed(argv, cenv, ctree))
        modules = {name: _modules(argv[prefix:], cenv, ctree) for name, (argv, cenv, ctree, prefix) in commands.items()
                   if prefix}
    load = os.getloadavg()
    figures = {"rounds": rounds, "load": load, "when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "commands": {},
               "baseline": baseline is not None, "baseline_commit": baseline_commit}
    for name, runs in samples.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        figures["commands"][name] = {"wall_s": statistics.median(walls), "wall_min_s": min(walls),
                                     "cpu_s": statistics.median(cpus), "modules": modules.get(name)}
    return figures


# wall, CPU s before issue 15: this benchmark on commit eef6829 (`--tree`), 2026-12-01 13:35 UTC, load 3.1
BEFORE = {"sla due": (2.11, 1.68), "case show": (1.98, 1.57)}
# wall, CPU s, modules after the lazy parsers and handlers (commit 0619f1d, `--baseline`), 2026-12-01 14:31 UTC, load 2.2-2.9
LAZY_PARSERS = {"sla due": (0.38, 0.37, 572), "case show": (0.94, 0.91, 606)}
# wall, CPU s, modules before `case show` read its case without pydantic (commit 75da803, `--baseline`, bytecode
# written as on a user's machine), 2026-12-01 17:29 UTC, load 1.9-5.1, the rounds of BENCHMARKS.md's figures
WITH_PYDANTIC = {"sla due": (0.14, 0.14, 255), "case show": (0.45, 0.45, 532), "case show (text)": (0.43, 0.42, 532)}
WITH_PYDANTIC_COMMIT = "75da803"


def _cell(figures: tuple[float, float, int] | None) -> str:
    return "" if not figures or not figures[0] else f"{figures[0]:.2f} s / {figures[1]:.2f} s, {figures[2]} modules"


def render(f: dict) -> str:
    rows = []
    for name, g in f["commands"].items():
        if name.endswith(" (baseline)"):
            continue
        goal = f"≤ {GOAL_S:.1f} s wall" if name in GOAL_COMMANDS else "(for scale)"
        met = "" if name not in GOAL_COMMANDS else (" — met" if g["wall_s"] <= GOAL_S else " — **not met**")
        before = (f"{BEFORE[name][0]:.2f} s / {BEFORE[name][1]:.2f} s" if name in BEFORE else "")
        lazy = _cell(LAZY_PARSERS.get(name))
        base = f["commands"].get(f"{name} (baseline)")
        previous = _cell((base["wall_s"], base["cpu_s"], base["modules"]) if base else WITH_PYDANTIC.get(name))
        modules = f"{g['modules']}" if g["modules"] is not None else ""
        rows.append(f"| `{name}` | {g['wall_s']:.2f} s (min {g['wall_min_s']:.2f}) | {g['cpu_s']:.2f} s | {modules} | "
                    f"{before} | {lazy} | {previous} | {goal}{met} |")
    load = ", ".join(f"{x:.1f}" for x in f["load"])
    commit = f.get("baseline_commit") or WITH_PYDANTIC_COMMIT
    return f"""## CLI start (benchmarks/cli_start.py, issue 15)

Each command run as a subprocess through the installed `sagsflow` entry point, a fresh interpreter
each time, {f['rounds']} interleaved rounds after a warm-up that writes the bytecode (as a user's first run
does); medians of wall and CPU (user + system) time. `case show` reads a case from a SQLite file. Measured
{f['when']} UTC; load average while measuring: {load}. "Before" is issue 15's starting point (commit eef6829),
"lazy parsers" the first step (commit 0619f1d: only the chosen command's parser, handlers import what they
need; both measured without bytecode written), "with pydantic" the code before `case show` read its case
without pydantic (commit {commit}), measured in the same interleaved rounds (`--baseline`{"" if f.get("baseline")
else f", figures of the run that wrote this table's predecessor"}). Wall time above CPU time is waiting for
one of the machine's 2 shared cores.

| command | wall (median) | CPU (median) | modules imported | before (wall / CPU) | lazy parsers (wall / CPU) | with pydantic (wall / CPU) | goal |
| --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

`case show` reads its case without pydantic (≈ 0.05 s: pydantic, pydantic-settings, the settings classes
of the mail, phone and Remedy connectors, the handbook's models): config/environment.py reads the database
URL, the configuration folder and the database tuning from the environment and `.env` as the settings
classes do (a SAGSFLOW_DB_ variable set anywhere is validated by DatabaseSettings; tests keep the two reads
equal); the registration model, the SLA tables, the forms and the attachment settings are imported where
they are used; the Danish text reads handbook.yaml's labels without the handbook's models
(config.handbook.labels), and `--json`, whose document names no label, does not read them (nor PyYAML,
≈ 0.01 s: the "(text)" row). store/models.py no longer names a PostgreSQL option (the partial index is
the migration's), so SQLAlchemy's PostgreSQL dialect (≈ 0.02 s) is not loaded on SQLite. The case is read
as before: services.cases.case_document, with the read scope of services/case_access.py for `--as`. A brief
command runs without pydantic's plugin scan (`sla due`) and ends with `os._exit` once its output is flushed
and the database closed, skipping the interpreter's module-by-module shutdown (≈ 8 ms). What is left of
`case show`: SQLAlchemy with its ORM (the last row), the 23 mapped classes of store/models.py ≈ 0.04 s,
the mapper configuration and the first compilation of its 7 queries ≈ 0.02 s, SQLite's dialect, the
interpreter — ≈ 0.09 s above the ORM's import alone, which varies with the machine's load as much as the
commands do. Reading the same rows with SQLAlchemy Core alone took ≈ 60 % of `case show`'s CPU (a
throw-away script, 0.21 s against 0.34 s at load 7): going further needs the tables as Core tables that
the ORM classes map (store/models.py) and a Core read of the case.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli_start")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--write", action="store_true", help="replace this section of BENCHMARKS.md")
    parser.add_argument("--tree", type=Path, default=ROOT, help="measure another checkout (prints its figures)")
    parser.add_argument("--baseline", type=Path, help="a checkout (git archive of an earlier commit) measured in "
                                                          "the same rounds")
    parser.add_argument("--baseline-commit", default="", help="the baseline's commit, for the table")
    args = parser.parse_args(argv)
    section = render(run(rounds=args.rounds, tree=args.tree.resolve(),
                         baseline=args.baseline.resolve() if args.baseline else None,
                         baseline_commit=args.baseline_commit))
    print(section)
    if args.write:
        from benchmarks.concurrency import write_section

        write_section(ROOT / "BENCHMARKS.md", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
