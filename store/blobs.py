"""Content-addressed file storage for attachments (issue 13): a file's bytes live on disk under their
SHA-256 (`ab/cd/abcd…`), written once and atomically; the database keeps the metadata. The same
screenshot attached twice is stored once."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_DIGEST = re.compile(r"[0-9a-f]{64}")


class BlobStore:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, digest: str, suffix: str = "") -> Path:
        if not _DIGEST.fullmatch(digest):
            raise ValueError("a blob is named by its sha256 (64 hex digits)")
        return self.directory / digest[:2] / digest[2:4] / (digest + suffix)

    def put(self, data: bytes, suffix: str = "") -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.write(digest, data, suffix)
        return digest

    def write(self, digest: str, data: bytes, suffix: str = "") -> None:
        target = self.path(digest, suffix)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, digest: str, suffix: str = "") -> bytes:
        return self.path(digest, suffix).read_bytes()

    def exists(self, digest: str, suffix: str = "") -> bool:
        return self.path(digest, suffix).exists()
