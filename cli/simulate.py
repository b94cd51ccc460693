"""`sagsflow bpmn simulate [DIR] [--cases N] [--json]` (issue 10): replay the recorded answers of the
last N cases and docs/examples/ on the diagrams in DIR, in memory; nothing is changed or sent."""
from __future__ import annotations

import json

from cli.common import EXIT_INVALID, CliError, parse_now, session_scope


def register_simulate(bpmn) -> None:
    sim = bpmn.add_parser("simulate", help="replay the latest cases' answers on candidate diagrams")
    sim.add_argument("directory", nargs="?")
    sim.add_argument("--cases", type=int, default=20)
    sim.add_argument("--json", action="store_true")
    sim.set_defaults(handler=cmd_simulate)


def cmd_simulate(args) -> int:
    from dataclasses import asdict

    from config.settings import get_settings
    from engine.adapter import DiagramInvalid
    from services.deployments import read_directory
    from services.runtime import Runtime
    from services.simulate import simulate

    settings = get_settings()
    if not 1 <= args.cases <= 1000:
        raise CliError("--cases must be between 1 and 1000", EXIT_INVALID)
    sources, problems = read_directory(args.directory or settings.bpmn_dir)
    if not problems:
        with session_scope() as session:
            try:
                result = simulate(session, Runtime(settings), sources=sources, cases=args.cases,
                                  now=parse_now(args.now))
            except DiagramInvalid as exc:
                problems = list(exc.problems)
            session.rollback()   # nothing of the replay is ever kept
    if problems:
        for problem in problems:
            print(problem)
        return 1
    summary = result.summary()
    if args.json:
        print(json.dumps({"summary": summary, "cases": [asdict(r) | {"text": r.describe()} for r in result.cases],
                          "examples": asdict(result.examples) | {"text": result.examples.describe()}},
                         ensure_ascii=False, indent=2))
        return 0
    for replay in result.cases:
        print(f"{replay.case}: {replay.describe()}")
    print(f"docs/examples: {result.examples.describe()}")
    print(f"{summary['cases']} cases: {summary['unchanged']} unchanged, {summary['changed']} changed, "
          f"{summary['failed']} would fail, {summary['needs_answers']} need answers to new fields")
    return 0
