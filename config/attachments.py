"""Attachment limits and storage (issue 13; H-V2 screen dumps, H-D1): settings, not code.

`SAGSFLOW_ATTACHMENTS__MAX_BYTES`, `…__ALLOWED_TYPES` (sniffed content types), `…__DIRECTORY`
(content-addressed files, metadata in the database). Attachments are never sent to Remedy."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
                 "application/zip", "message/rfc822")


class AttachmentSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    directory: Path = ROOT / "var" / "attachments"
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1024 * 1024 * 1024)
    max_per_case: int = Field(default=50, ge=1, le=10000)
    allowed_types: tuple[str, ...] = DEFAULT_TYPES
    thumbnail_px: int = Field(default=240, ge=32, le=1024)
