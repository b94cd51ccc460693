"""Contact attempts (H-R1.3): one row per mail sent, call made or reply received."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from store.models import ContactAttemptRow

# The attempts of a case as this transaction knows them: read once (a step that mails or calls the
# customer asks several times: the round so far, the guard, the next attempt's due time), then kept in
# step by add_attempt. Forgotten at commit and rollback, on any data-changing statement, and for a case
# that gets a row some other way.
_ATTEMPTS = "sagsflow.contact_attempts"


def add_attempt(session: Session, *, case_id: int, channel: str, direction: str, at: datetime, outcome: str,
                counts: bool, confirmed: bool, note: str, actor: str, source_key: str) -> ContactAttemptRow:
    """Record an attempt once per source (a retried step does not add a second row). A task's or the
    outbox's source belongs to its case, so the case's attempts (read once per transaction, see
    attempts_of; the step asks for them anyway) tell whether it is there; an inbound mail's key is the
    mailbox's and is looked up in the whole table."""
    known = None if source_key.startswith("mail-in:") else _known(session, case_id)
    if known is not None:
        existing = next((row for row in known if row.source_key == source_key), None)
    else:
        existing = session.execute(select(ContactAttemptRow).where(ContactAttemptRow.source_key == source_key)
                                   ).scalar_one_or_none()
    if existing is not None:
        return existing
    row = ContactAttemptRow(case_id=case_id, channel=channel, direction=direction, at=at, outcome=outcome,
                            counts=counts, confirmed=confirmed, note=note, actor=actor, source_key=source_key)
    session.add(row)
    if known is not None:
        known.append(row)
    session.flush()
    return row


def attempts_of(session: Session, case_id: int) -> list[ContactAttemptRow]:
    """The case's attempts, oldest first."""
    return sorted(_known(session, case_id), key=lambda row: (row.at, row.id or 0))


def _known(session: Session, case_id: int) -> list[ContactAttemptRow]:
    memo = session.info.setdefault(_ATTEMPTS, {})
    if case_id not in memo:
        memo[case_id] = list(session.execute(_attempts_query(), {"case_id": case_id}).scalars())
    return memo[case_id]


@functools.cache
def _attempts_query():   # built once (issue 15)
    return (select(ContactAttemptRow).where(ContactAttemptRow.case_id == bindparam("case_id"))
            .order_by(ContactAttemptRow.at, ContactAttemptRow.id))


def _forget(session: Session, *_args) -> None:
    session.info.pop(_ATTEMPTS, None)


def _forget_on_write(state) -> None:
    """A data-changing statement: forgotten unless it names another table (the outbox's insert)."""
    if not state.is_select and getattr(state.statement, "table", ContactAttemptRow.__table__) is ContactAttemptRow.__table__:
        _forget(state.session)


def _forget_cases_with_other_rows(session: Session, _context, _instances) -> None:
    memo = session.info.get(_ATTEMPTS)
    for row in session.new if memo else ():
        if isinstance(row, ContactAttemptRow) and not any(row is known for known in memo.get(row.case_id, [row])):
            memo.pop(row.case_id, None)


for _moment in ("after_commit", "after_rollback"):
    event.listen(Session, _moment, _forget)
event.listen(Session, "do_orm_execute", _forget_on_write)
event.listen(Session, "before_flush", _forget_cases_with_other_rows)


def not_delivered(session: Session, source_key: str) -> None:
    """A mail attempt whose delivery failed for good (or bounced) does not count."""
    row = session.execute(select(ContactAttemptRow).where(ContactAttemptRow.source_key == source_key)
                          ).scalar_one_or_none()
    if row is not None:
        row.counts = False
        row.outcome = "bounced"
