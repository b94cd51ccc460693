"""The outbox dispatcher: each item delivered once, transient faults retried, permanent ones dead-lettered."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from services.dispatcher import (PermanentDeliveryError, TransientDeliveryError, dispatch_due, retry_dead)
from store.db import session_factory
from store.models import OutboxRow, WorkInfoRow
from store.outbox import enqueue

from casewalk import T0, CaseWalk


class Recorder:
    """A transport double at the connector boundary: records what would have been sent."""

    def __init__(self, fail_with=None, failures=0):
        self.sent, self.fail_with, self.failures = [], fail_with, failures
        self.lock = threading.Lock()

    def __call__(self, item):
        with self.lock:
            if self.failures:
                self.failures -= 1
                raise self.fail_with("server said no")
            self.sent.append(item.idempotency_key)
        return {"message_id": f"<{item.id}@test>"}


@pytest.fixture
def factory(db_engine):
    return session_factory(db_engine)


def test_h_r1_1_receipt_is_delivered_once_with_work_info(session, runtime, factory):
    walk = CaseWalk(session, runtime)
    mail = Recorder()
    report = dispatch_due(factory, {"mail": mail}, now=T0)
    assert mail.sent == [f"{walk.number}:receipt"] and len(report.sent) == 1
    assert dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(hours=1)).sent == []
    session.expire_all()
    row = session.query(OutboxRow).one()
    assert row.status == "sent" and row.payload["delivery"]["message_id"].startswith("<")
    assert any(w.event == "delivery_sent" for w in session.query(WorkInfoRow))


def test_transient_faults_are_retried_later_and_nothing_is_lost(session, runtime, factory):
    CaseWalk(session, runtime)
    mail = Recorder(TransientDeliveryError, failures=2)
    assert dispatch_due(factory, {"mail": mail}, now=T0).retried
    assert dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(seconds=10)).sent == []   # not due yet
    assert dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(seconds=31)).retried
    report = dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(minutes=10))
    assert len(report.sent) == 1 and len(mail.sent) == 1


def test_permanent_fault_goes_to_dead_letters_and_can_be_retried(session, runtime, factory):
    CaseWalk(session, runtime)
    dispatch_due(factory, {"mail": Recorder(PermanentDeliveryError, failures=1)}, now=T0)
    session.expire_all()
    row = session.query(OutboxRow).one()
    assert row.status == "dead" and "server said no" in row.last_error
    retry_dead(session, row.id, now=T0 + timedelta(hours=1))
    session.commit()
    mail = Recorder()
    assert dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(hours=1)).sent == [row.id]


def test_too_many_transient_failures_end_as_dead_letter(session, runtime, factory):
    CaseWalk(session, runtime)
    mail = Recorder(TransientDeliveryError, failures=10)
    for minute in range(0, 300, 60):
        dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(minutes=minute), max_attempts=3)
    session.expire_all()
    assert session.query(OutboxRow).one().status == "dead"


def test_a_crashed_worker_s_claim_is_taken_over_after_the_lease(session, runtime, factory):
    CaseWalk(session, runtime)
    with factory() as s, s.begin():
        row = s.query(OutboxRow).one()
        row.status, row.next_attempt_at = "sending", T0 + timedelta(minutes=5)   # as left by a killed worker
    mail = Recorder()
    assert dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(minutes=1)).sent == []
    assert len(dispatch_due(factory, {"mail": mail}, now=T0 + timedelta(minutes=6)).sent) == 1


def test_two_dispatchers_deliver_each_item_exactly_once(session, factory):
    for i in range(60):
        enqueue(session, key=f"bulk:{i}", kind="mail", case_id=None, payload={"purpose": "test"}, now=T0)
    session.commit()
    mail = Recorder()
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        dispatch_due(factory, {"mail": mail}, now=T0, batch=100)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(mail.sent) == sorted(f"bulk:{i}" for i in range(60))
    session.expire_all()
    assert {r.status for r in session.query(OutboxRow)} == {"sent"}
