"""Outages (issue 6 §4): while the Prefect server (and so every flow) is down, nothing runs but
nothing is lost — cases, Work Info and outbox rows are written by the commands themselves. After
recovery one watchdog sweep and one dispatcher run catch up: the breach that fell in the outage is
recorded once (no stale warning), due timers fire, and queued mail goes out once."""
from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from services.dispatcher import dispatch_due
from services.watchdog import sweep
from store.db import session_factory
from store.models import OutboxRow, SlaEventRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from casewalk import T0, CaseWalk  # noqa: E402


def test_work_done_during_a_flow_outage_is_caught_up_after_recovery(session, runtime, db_engine):
    walk = CaseWalk(session, runtime, impact=2, urgency=2)     # high: reaction due after 30 minutes
    walk.to_distribution(team="network")
    walk.do("confirm_personal_handover", "net.tekniker", {"received_by": "net.tekniker", "received_channel": "phone",
                                                          "receipt_confirmed": True})
    walk.do("distribute_case", "net.koordinator", {"assignee": "net.tekniker"})
    walk.resolve()
    walk.do("test_solution", "net.tekniker", {"test_persons": "Hanne", "test_outcome": "passed",
                                              "tested_with_customer": True})
    walk.do("call_customer", "net.tekniker", {"call_outcome": "no_answer", "customer_confirmed": False,
                                              "customer_reports_unsolved": False})
    session.expire_all()
    queued = session.query(OutboxRow).filter(OutboxRow.status == "pending").count()
    assert queued >= 3                                        # receipt, on-call, resolution notice …
    factory = session_factory(db_engine)
    recovery = T0 + timedelta(days=3)                         # the flows were down for three days
    report = sweep(factory, runtime, now=recovery)
    assert report.timers_fired == 1                           # the next contact attempt
    assert walk.open_ids() == ["call_customer"]
    sent = []
    dispatch_due(factory, {"mail": lambda item: sent.append(item.idempotency_key) or {},
                           "notification": lambda item: sent.append(item.idempotency_key) or {}}, now=recovery)
    session.expire_all()
    assert len(sent) == len(set(sent)) == session.query(OutboxRow).count()
    assert {o.status for o in session.query(OutboxRow)} == {"sent"}
    kinds = [(e.target, e.kind) for e in session.query(SlaEventRow)]
    assert len(kinds) == len(set(kinds))                      # each once
    assert sweep(factory, runtime, now=recovery + timedelta(minutes=1)).breaches == 0
