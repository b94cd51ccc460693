"""Administrators (issue 5; H-S follow-up): SLA dashboard figures and chart, the outbox with dead
letters and a retry, failed or stuck instances, the link to the Prefect UI."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.admin import sla_dashboard, weekly_compliance
from store.models import CaseRow, OutboxRow, ProcessInstanceRow
from store.outbox import enqueue
from tests.services.casewalk import TRIAGE, CaseWalk
from webclient import T0


AFTER_WORK = {
    "test_solution": {"test_persons": "Bruger A", "test_outcome": "passed", "tested_with_customer": True},
    "call_customer": {"call_outcome": "reached", "customer_confirmed": True, "customer_reports_unsolved": False},
    "customer_acceptance": {"customer_accepted": True, "customer_informed_solved": True},
    "closure_checklist": {"work_is_clear": True, "test_handled": True, "customer_accepted_solution": True,
                          "customer_knows_case_closed": True, "contact_attempts_made": True,
                          "documentation_changed": False},
}


def close_one(session, runtime):
    walk = CaseWalk(session, runtime)
    walk.to_work()
    walk.resolve()
    for _ in range(10):
        open_ids = walk.open_ids()
        if not open_ids:
            break
        walk.do(open_ids[0], "net.tekniker", AFTER_WORK[open_ids[0]])
    assert walk.doc()["status"] == "closed"
    return walk


def test_h_s_dashboard_counts_open_cases_warnings_breaches_and_compliance(session, runtime, web, clock):
    close_one(session, runtime)
    critical = CaseWalk(session, runtime, impact=1, urgency=1)
    critical.do("classify_case", "sd.tekniker", {"classification": "incident"})
    critical.do("first_triage", "sd.tekniker", TRIAGE)
    case = session.execute(select(CaseRow).where(CaseRow.number == critical.number)).scalar_one()
    board = sla_dashboard(session, now=T0 + timedelta(minutes=1))
    assert board.open_total == 1 and board.open_by_priority == {"critical": {case.status: 1}}
    assert board.breaches == [] and board.warnings == []
    assert [(c.team, c.finished, c.breached) for c in board.compliance] == [("network", 1, 0)]
    assert weekly_compliance(board)[-1] == ("2026-W48", 100.0, 1)
    clock.now = case.reaction_due + timedelta(minutes=1)
    page = web("admin").get("/admin").text
    assert '<span id="open-total">1</span>' in page and '<span id="breach-count">1</span>' in page
    assert critical.number in page and 'id="compliance-chart"' in page and "100.0 %" in page
    assert 'href="http://127.0.0.1:4200/runs"' in page


def test_dead_letters_are_listed_and_retry_puts_them_back_in_the_queue(session, web):
    row = enqueue(session, key="test:dead", kind="mail", case_id=None, payload={"purpose": "receipt"}, now=T0)
    session.flush()
    row.status, row.attempts, row.last_error = "dead", 5, "550 mailbox unavailable"
    session.commit()
    admin = web("admin")
    page = admin.get("/admin/outbox?status=dead").text
    assert f'data-item="{row.id}"' in page and "550 mailbox unavailable" in page
    assert admin.post(f"/admin/outbox/{row.id}/retry").status_code == 303
    session.expire_all()
    retried = session.get(OutboxRow, row.id)
    assert (retried.status, retried.attempts) == ("pending", 0)
    again = admin.post(f"/admin/outbox/{row.id}/retry")
    assert again.status_code == 409 and "Beskeden er ikke et dødt brev" in again.text


def test_failed_and_stuck_instances_are_listed_with_their_error(session, runtime, web):
    walk = CaseWalk(session, runtime)
    instance = session.execute(select(ProcessInstanceRow)).scalar_one()
    admin = web("admin")
    assert walk.number not in admin.get("/admin/instances").text
    instance.status, instance.error = "error", "EngineError: <b>boom</b> at route_to_unit"
    session.commit()
    page = admin.get("/admin/instances").text
    assert walk.number in page and "EngineError: &lt;b&gt;boom&lt;/b&gt;" in page
