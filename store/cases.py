"""Case and Work Info persistence (H-R1.1)."""
from __future__ import annotations

from datetime import datetime

from domain.text import clean_line, clean_text
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import CaseRow, WorkInfoRow
from store.core_writes import add_row


def format_case_number(prefix: str, sequence: int) -> str:
    """Sagsflow's own numbers: ``SF-INC-000123`` — never Remedy's ``INC`` + 12 digits (issue 14)."""
    return f"{prefix}-{sequence:06d}"


def add_case(session: Session, case: CaseRow, *, prefix: str) -> CaseRow:
    session.add(case)
    session.flush()
    case.number = format_case_number(prefix, case.id)
    session.flush()
    return case


def case_by_number(session: Session, number: str) -> CaseRow | None:
    return session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one_or_none()


def add_work_info(session: Session, *, case_id: int, event: str, work_log_type: str, summary: str,
                  notes: str, author: str, view_access: str, now: datetime,
                  remedy_work_log_id: str | None = None, remedy_queued_at: datetime | None = None) -> None:
    """One Work Info entry, written with the transaction (store/row_batch.py: with the step's other
    entries in one INSERT). `remedy_work_log_id`: the HPD:WorkLog entry it was imported from;
    `remedy_queued_at`: set when it must never be pushed to Remedy."""
    # every Work Info text passes the text boundary, whoever wrote it (web, API, CLI, mail, Remedy)
    values = {"case_id": case_id, "event": event, "work_log_type": work_log_type,
              "summary": clean_line(summary)[:300], "notes": clean_text(notes), "author": author,
              "view_access": view_access, "created_at": now}
    if remedy_work_log_id is not None:
        values["remedy_work_log_id"] = remedy_work_log_id
    if remedy_queued_at is not None:
        values["remedy_queued_at"] = remedy_queued_at
    add_row(session, WorkInfoRow.__table__, values)


def work_info_for(session: Session, case_id: int) -> list[WorkInfoRow]:
    return list(session.execute(select(WorkInfoRow).where(WorkInfoRow.case_id == case_id)
                                .order_by(WorkInfoRow.created_at, WorkInfoRow.id)).scalars())
