"""The outbox enqueue (issue 15): one INSERT … ON CONFLICT DO NOTHING per item, the row persistent in the
session with every value (no reload), a repeated key a no-op in the same and in a later transaction."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from store.models import OutboxRow
from store.outbox import enqueue

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def test_enqueue_is_one_statement_and_a_repeated_key_changes_nothing(session, sql_log):
    with sql_log() as statements:
        session.connection()   # the transaction begun before counting
        statements.clear()
        row = enqueue(session, key="k:1", kind="mail", case_id=None, payload={"to": "a@example.org", "tekst": "æøå"},
                      now=T0)
        assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
        assert (row.id, row.status, row.attempts, row.next_attempt_at, row.sent_at, row.payload["tekst"]) == (
            row.id, "pending", 0, T0, None, "æøå")
        assert len(statements) == 1   # every attribute known: nothing loaded
        assert enqueue(session, key="k:1", kind="mail", case_id=None, payload={"to": "b@example.org"},
                       now=T0 + timedelta(minutes=1)) is row
        session.commit()
        again = enqueue(session, key="k:1", kind="mail", case_id=None, payload={"to": "c@example.org"}, now=T0)
        assert again.id == row.id and again.payload["to"] == "a@example.org"
    session.commit()
    stored = session.execute(select(OutboxRow).where(OutboxRow.idempotency_key == "k:1")).scalars().all()
    assert [(r.payload, r.created_at) for r in stored] == [({"to": "a@example.org", "tekst": "æøå"}, T0)]
