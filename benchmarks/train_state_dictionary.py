"""Train the zstd dictionary the workflow states are compressed with (engine/state_codec.py). A tool, not
a benchmark: `python -m benchmarks.train_state_dictionary` walks cases with varied data through the
shipped diagrams on the engine alone (no database), trains a 16 KB dictionary on their states after every
step, prints what it saves, and with --write stores it as engine/state_dictionaries/<id>.zdict. Every
dictionary ever written must stay (stored states name theirs); point state_codec.CURRENT at the new one.

Measured when the first dictionary was made (2026-12-01, 40 training cases, 10 test cases with other data):
a closed case's state 4,977 -> 3,540 B (zstd 3 without / with the dictionary), every step's state on
average 3,225 -> 2,019 B; compressing costs the same."""
from __future__ import annotations

import argparse
import random
import statistics
import string
from datetime import datetime, timezone
from pathlib import Path

import orjson
import zstandard

from cli.demo import STEPS
from config.settings import Settings
from engine.adapter import Engine
from services.runtime import read_sources
from tasks.operations import OPERATIONS

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
FOLDER = Path(__file__).resolve().parent.parent / "engine" / "state_dictionaries"
RESULTS = {"record_solution": {"work_result": "resolved"}, "evaluate_contact": {"contact_result": "done"},
           "record_call_attempt": {"contact_result": "done"},
           "clear_variables": {"test_outcome": None, "waive_test": None, "contact_result": None}}
WORDS = "printer skærm netværk adgang journal afsnit genstart virker ikke fejl langsom bruger kode".split()


def case_states(engine: Engine, bundle, seed: int) -> list[bytes]:
    """The JSON of one case's state after every step, with data of its own."""
    rnd = random.Random(seed)
    name = "".join(rnd.choices(string.ascii_letters, k=rnd.randint(5, 14)))
    data = {"case_number": f"SF-INC-{rnd.randint(1, 999_999):06d}", "impact": "2",
            "urgency": "1", "end_user_name": name, "end_user_email": f"{name.lower()}@example.org",
            "end_user_phone": f"{rnd.randint(20_000_000, 99_999_999)}", "classification": "incident"}
    workflow = engine.start(bundle, data)
    engine.run(workflow, bundle, lambda call: RESULTS.get(call.topic, {}), now=T0)
    states = []
    for bpmn_id, _actor, answers in STEPS:
        task = next(t for t in engine.ready_human_tasks(workflow, bundle) if t.bpmn_id == bpmn_id)
        values = {f.id: answers.get(f.id, task.data.get(f.id)) for f in task.form.fields}
        for key, value in list(values.items()):
            if isinstance(value, str) and " " in value:   # free text differs from case to case
                values[key] = " ".join(rnd.choices(WORDS, k=rnd.randint(2, 12)))
        engine.complete_human_task(workflow, task.id, values, now=T0)
        engine.run(workflow, bundle, lambda call: RESULTS.get(call.topic, {}), now=T0)
        states.append(orjson.dumps(engine._serializer.to_dict(workflow)))
    return states


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.train_state_dictionary")
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--size", type=int, default=16_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    engine, settings = Engine(), Settings()
    bundle = engine.build_bundle(read_sources(settings.bpmn_dir), process_id=settings.main_process,
                                 known_topics=OPERATIONS.keys())
    train = [s for seed in range(args.cases) for s in case_states(engine, bundle, seed)]
    test = [s for seed in range(10_000, 10_010) for s in case_states(engine, bundle, seed)]
    dictionary = zstandard.train_dictionary(args.size, train, level=3)
    plain, with_dict = zstandard.ZstdCompressor(level=3), zstandard.ZstdCompressor(level=3, dict_data=dictionary)
    closed = [i for i in range(len(test)) if i % len(STEPS) == len(STEPS) - 1]
    for label, compressor in (("without", plain), ("with the dictionary", with_dict)):
        sizes = [len(compressor.compress(s)) for s in test]
        print(f"{label}: every step {statistics.mean(sizes):,.0f} B, closed case "
              f"{statistics.mean(sizes[i] for i in closed):,.0f} B")
    print(f"dictionary id {dictionary.dict_id()}, {len(dictionary.as_bytes()):,} B")
    if args.write:
        path = FOLDER / f"{dictionary.dict_id()}.zdict"
        path.write_bytes(dictionary.as_bytes())
        print(f"written: {path} — set engine/state_codec.py CURRENT = {dictionary.dict_id()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
