"""Stored workflow states (issue 15): written with zstd, and a state written before (zlib) still loads and
runs on — an instance that was waiting at the upgrade is never stranded."""
from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone

import pytest

from engine import state_codec

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
DATA = {"case_number": "SF-INC-000001", "impact": "2", "urgency": "1", "end_user_name": "Test Kunde",
        "classification": "incident"}




def test_a_state_is_a_zstd_frame_and_round_trips(engine_and_bundle):
    engine, bundle = engine_and_bundle
    workflow = engine.start(bundle, dict(DATA))
    engine.run(workflow, bundle, lambda call: {}, now=T0)
    state = engine.dump(workflow)
    assert state[:4] == b"\x28\xb5\x2f\xfd"
    again = engine.load(bundle, state)
    assert engine.dump(again) == state
    assert [t.bpmn_id for t in engine.ready_human_tasks(again, bundle)] == ["classify_case"]


def test_a_state_stored_with_zlib_before_the_change_loads_and_runs_on(engine_and_bundle):
    engine, bundle = engine_and_bundle
    workflow = engine.start(bundle, dict(DATA))
    engine.run(workflow, bundle, lambda call: {}, now=T0)
    legacy = zlib.compress(state_codec.decode(engine.dump(workflow)), 6)   # as the engine wrote until now
    restored = engine.load(bundle, legacy)
    [task] = engine.ready_human_tasks(restored, bundle)
    engine.complete_human_task(restored, task.id, {"classification": "incident"}, now=T0)
    engine.run(restored, bundle, lambda call: {}, now=T0)
    assert "first_triage" in [t.bpmn_id for t in engine.ready_human_tasks(restored, bundle)]
    assert engine.dump(restored)[:4] == b"\x28\xb5\x2f\xfd"   # saved again in the new form


def test_a_damaged_state_is_refused_not_guessed():
    with pytest.raises(Exception):
        state_codec.decode(b"not a state at all")
    assert json.loads(state_codec.decode(state_codec.encode(b'{"a": 1}'))) == {"a": 1}


def test_many_threads_compress_and_restore_at_once_without_corruption():
    """The web app dumps and loads in many threads at once (python-zstandard's objects are not thread-safe:
    one shared compressor gave 'Data corruption detected' and crashed the server under 64 clients)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    payloads = [json.dumps({"n": n, "text": os.urandom(64).hex() * (1 + n % 50)}).encode() for n in range(400)]

    def round_trip(payload: bytes) -> bool:
        return all(state_codec.decode(state_codec.encode(payload)) == payload for _ in range(20))

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert all(pool.map(round_trip, payloads))


def test_states_name_the_current_dictionary_and_every_dictionary_is_kept_under_its_id():
    import zstandard

    state = state_codec.encode(b'{"tasks": {}}')
    assert zstandard.get_frame_parameters(state).dict_id == state_codec.CURRENT
    files = sorted(state_codec.FOLDER.glob("*.zdict"))
    assert files, "no dictionary shipped"
    for path in files:   # a file's name is the id its frames carry
        assert zstandard.ZstdCompressionDict(path.read_bytes()).dict_id() == int(path.stem)
    # a frame without a dictionary (written between the two changes) still reads
    plain = zstandard.ZstdCompressor(level=3).compress(b'{"a": 2}')
    assert state_codec.decode(plain) == b'{"a": 2}'


def test_a_state_naming_a_dictionary_we_do_not_have_is_a_clear_error():
    import zstandard

    foreign = zstandard.train_dictionary(1024, [json.dumps({"k": i, "v": "x" * (i % 40)}).encode() for i in range(400)])
    blob = zstandard.ZstdCompressor(dict_data=foreign).compress(b'{"k": 1}')
    with pytest.raises(state_codec.UnknownDictionary, match=str(foreign.dict_id())):
        state_codec.decode(blob)
