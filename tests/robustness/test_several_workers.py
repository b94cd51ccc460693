"""Several workers on PostgreSQL (issue 6 §3): two dispatchers deliver 10,000 outbox items exactly once."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select

from services.dispatcher import dispatch_due
from store.db import make_engine, session_factory
from store.models import OutboxRow

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
ITEMS = 10_000

pytestmark = [pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")]


def test_two_dispatchers_deliver_10000_items_exactly_once(pg_migrated):
    engine = make_engine(pg_migrated)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        session.execute(OutboxRow.__table__.delete())
        session.execute(insert(OutboxRow), [
            {"idempotency_key": f"load:{i}", "kind": "mail", "case_id": None, "payload": {"purpose": "load"},
             "status": "pending", "attempts": 0, "next_attempt_at": T0, "created_at": T0} for i in range(ITEMS)])
    delivered: list[str] = []
    lock = threading.Lock()

    def transport(item):
        with lock:
            delivered.append(item.idempotency_key)
        return {}

    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=30)
            while dispatch_due(factory, {"mail": transport}, now=T0, batch=500).sent or _pending(factory):
                pass
        except BaseException as exc:   # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(delivered) == ITEMS and len(set(delivered)) == ITEMS
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "sent")) == ITEMS
    engine.dispose()


def _pending(factory) -> bool:
    with factory() as session:
        return bool(session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")))
