"""How a workflow's state is compressed in process_instance.state (issue 15).

Zstandard at level 3 with a dictionary trained on the shipped diagrams' states (the `zstandard`
package: Python 3.11 has no zstd of its own). Measured on the standard path: zstd alone costs about a
sixth of zlib level 6's CPU (0.03 against 0.17 ms per state) for 5–10 % fewer bytes; the dictionary takes
a closed case's state from 5.0 to 3.9 KB more (benchmarks/train_state_dictionary.py makes it).

Reading: a zstd frame names its dictionary, so every dictionary ever used stays in
engine/state_dictionaries/<id>.zdict (a new one is added, never replaces one); frames without a
dictionary and zlib streams (states written before issue 15's change) are read too. A compressor or
decompressor object is never shared by threads (python-zstandard's are not thread-safe; shared, they
corrupt frames or crash the process), so each thread has its own."""
from __future__ import annotations

import threading
import zlib
from pathlib import Path

import zstandard

LEVEL = 3
CURRENT = 1081571175   # the dictionary new states are written with (engine/state_dictionaries/)
FOLDER = Path(__file__).resolve().parent / "state_dictionaries"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_own = threading.local()
_dictionaries: dict[int, zstandard.ZstdCompressionDict] = {}
_lock = threading.Lock()


class UnknownDictionary(ValueError):
    """A stored state names a dictionary this installation does not have."""


def _dictionary(dict_id: int) -> zstandard.ZstdCompressionDict:
    with _lock:
        if dict_id not in _dictionaries:
            path = FOLDER / f"{dict_id}.zdict"
            if not path.is_file():
                raise UnknownDictionary(f"the state was compressed with dictionary {dict_id}, which "
                                        f"{FOLDER} does not hold")
            _dictionaries[dict_id] = zstandard.ZstdCompressionDict(path.read_bytes())
        return _dictionaries[dict_id]


def encode(raw: bytes) -> bytes:
    compressor = getattr(_own, "compressor", None)
    if compressor is None:
        compressor = _own.compressor = zstandard.ZstdCompressor(level=LEVEL, dict_data=_dictionary(CURRENT))
    return compressor.compress(raw)


def decode(blob: bytes) -> bytes:
    """The JSON bytes of a stored state: zstd with or without a dictionary, or (before issue 15) zlib."""
    blob = bytes(blob)
    if blob[:4] != _ZSTD_MAGIC:
        return zlib.decompress(blob)
    dict_id = zstandard.get_frame_parameters(blob).dict_id
    decompressors = getattr(_own, "decompressors", None)
    if decompressors is None:
        decompressors = _own.decompressors = {}
    decompressor = decompressors.get(dict_id)
    if decompressor is None:
        decompressor = decompressors[dict_id] = (zstandard.ZstdDecompressor(dict_data=_dictionary(dict_id)) if dict_id
                                                 else zstandard.ZstdDecompressor())
    return decompressor.decompress(blob)
