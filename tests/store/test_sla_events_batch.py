"""The SLA sweep's per-batch store calls (issue 15): the recorded events of many cases in one query, and
the batch's due events inserted-or-skipped in one statement — an event already recorded (a lost race) is
left out of the answer and not written again, the others are (SQLite, PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from store.models import CaseRow, SlaEventRow
from store.sla import record_event_once, record_events_once, recorded_events_of

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def cases(session, count: int) -> list[int]:
    rows = [{"number": f"SF-INC-9{i:05d}", "case_type": "incident", "summary": "Prøve", "status": "in_triage",
             "impact": 1, "urgency": 1, "priority": "critical", "sla_level": "gold", "customer_name": "Kunde",
             "received_at": T0, "sla_paused": False} for i in range(count)]
    return list(session.execute(insert(CaseRow).returning(CaseRow.id), rows).scalars())


def test_a_batch_of_events_is_one_statement_and_a_recorded_one_is_skipped(session, sql_log):
    a, b, c = cases(session, 3)
    assert record_event_once(session, case_id=b, target="reaction", kind="breach", due_at=T0, now=T0) is not None
    session.commit()
    with sql_log() as statements:
        session.connection()   # the transaction begun before counting
        statements.clear()
        later = T0 + timedelta(minutes=5)
        inserted = record_events_once(session, [(a, "reaction", "warning", T0), (b, "reaction", "breach", later),
                                                (c, "reaction", "breach", later)], now=later)
        assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
    assert inserted == {(a, "reaction", "warning"), (c, "reaction", "breach")}
    assert record_events_once(session, [], now=later) == set()
    session.commit()
    stored = [(e.case_id, e.kind, e.recorded_at) for e in session.scalars(select(SlaEventRow).order_by(SlaEventRow.id))]
    assert stored == [(b, "breach", T0), (a, "warning", later), (c, "breach", later)]   # b's kept; in batch order


def test_recorded_events_of_answers_every_case_asked_for_in_one_query(session, sql_log):
    a, b, c = cases(session, 3)
    record_events_once(session, [(a, "reaction", "warning", T0), (a, "reaction", "breach", T0),
                                 (c, "resolution", "breach", T0)], now=T0)
    session.commit()
    with sql_log() as statements:
        found = recorded_events_of(session, [a, b, c])
    assert found == {a: {("reaction", "warning"), ("reaction", "breach")}, b: set(), c: {("resolution", "breach")}}
    assert len([s for s in statements if "sla_event" in s]) == 1
    assert recorded_events_of(session, []) == {}
