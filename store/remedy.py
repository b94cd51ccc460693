"""Remedy sync state (H-R1.1; issue 14): the import watermark, one row per stream."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.models import Base


class RemedySyncStateRow(Base):
    __tablename__ = "remedy_sync_state"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_modified: Mapped[datetime | None]
    last_entry_id: Mapped[str | None] = mapped_column(String(60))
    updated_at: Mapped[datetime]


def watermark(session: Session, name: str = "incidents") -> tuple[datetime | None, str | None]:
    row = session.get(RemedySyncStateRow, name)
    return (row.last_modified, row.last_entry_id) if row else (None, None)


def advance_watermark(session: Session, *, modified: datetime, entry_id: str, now: datetime,
                      name: str = "incidents") -> None:
    """Move the watermark to (modified, entry_id) — only ever forwards."""
    row = session.get(RemedySyncStateRow, name, with_for_update=True)
    if row is None:
        session.add(RemedySyncStateRow(name=name, last_modified=modified, last_entry_id=entry_id, updated_at=now))
        return
    if row.last_modified is None or (modified, entry_id) > (row.last_modified, row.last_entry_id or ""):
        row.last_modified, row.last_entry_id, row.updated_at = modified, entry_id, now
