"""Remedy sync against the simulator (H-R1.1): incidents become cases once (idempotent on the Incident
Number); bad data (missing fields, unknown status, hostile text) gives a clear error and no case;
Work Info and status changes go back through the outbox exactly once; a 5xx is retried, nothing lost."""
from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from config.settings import Settings
from connectors.remedy import RemedyTransientError
from connectors.remedy.client import RemedySettings
from connectors.remedy.simulator import format_ar_timestamp
from services.remedy_sync import sync
from services.transports import dispatch
from services.tasks import complete_task, list_tasks
from store.db import session_factory
from store.models import CaseRow, OutboxRow, WorkInfoRow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services"))
from casewalk import T0  # noqa: E402

MODIFIED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def incident(number: str, **overrides) -> dict:
    values = {"Incident Number": number, "Description": "VPN virker ikke hjemmefra", "Status": "Assigned",
              "Priority": "Medium", "Impact": "3-Moderate/Limited", "Urgency": "3-Medium",
              "Last Modified Date": format_ar_timestamp(MODIFIED), "First Name": "Anne", "Last Name": "Hansen",
              "Service Type": "User Service Restoration"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def factory(db_engine):
    return session_factory(db_engine)


@pytest.fixture
def settings(db_url, sim_target):
    return Settings(database_url=db_url, remedy=sim_target.settings())


def run_sync(factory, runtime, settings, sim_target, now=T0):
    with sim_target.client() as client:
        return sync(factory, runtime, client, settings=settings, now=now)


def test_h_r1_1_incidents_become_cases_once(session, runtime, factory, settings, simulator, sim_target):
    simulator.seed_incident(incident("INC000000000101"))
    report = run_sync(factory, runtime, settings, sim_target)
    assert report.imported == ["INC000000000101"] and report.errors == []
    case = session.query(CaseRow).one()
    assert (case.remedy_incident_number, case.customer_name, case.impact, case.urgency) == \
        ("INC000000000101", "Anne Hansen", 3, 3)
    assert run_sync(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=5)).imported == []
    session.expire_all()
    assert session.query(CaseRow).count() == 1


@pytest.mark.parametrize(("bad", "message"), [
    ({"Description": None}, "missing required field(s): Description"),
    ({"Status": "Frozen"}, "unknown Status 'Frozen'"),
    ({"Description": "\u202e\x07ab"}, "summary"),            # hostile text cleaned to 2 characters: too short
])
def test_h_r1_1_bad_remedy_data_gives_a_clear_error_and_no_case(session, runtime, factory, settings, simulator,
                                                                 sim_target, bad, message):
    simulator.seed_incident(incident("INC000000000102", **bad))
    simulator.seed_incident(incident("INC000000000103"))
    report = run_sync(factory, runtime, settings, sim_target)
    [error] = report.errors
    assert "INC000000000102" in error and message in error
    assert report.imported == ["INC000000000103"]
    session.expire_all()
    assert [c.remedy_incident_number for c in session.query(CaseRow)] == ["INC000000000103"]


def test_h_r1_1_hostile_text_is_stored_as_plain_text(session, runtime, factory, settings, simulator, sim_target):
    simulator.seed_incident(incident("INC000000000104", Description="<script>alert(1)</script>\u202e VPN"))
    run_sync(factory, runtime, settings, sim_target)
    assert session.query(CaseRow).one().summary == "<script>alert(1)</script> VPN"


def test_h_r1_1_a_5xx_during_sync_is_transient_and_nothing_is_imported(session, runtime, factory, settings,
                                                                       simulator, sim_target):
    simulator.seed_incident(incident("INC000000000105"))
    simulator.fail_next(1, status=503)     # Remedy is down for the next request
    with pytest.raises(RemedyTransientError):
        run_sync(factory, runtime, settings, sim_target)
    session.expire_all()
    assert session.query(CaseRow).count() == 0
    assert run_sync(factory, runtime, settings, sim_target).imported == ["INC000000000105"]


def test_h_r1_1_work_info_and_status_go_back_to_remedy_exactly_once(session, runtime, factory, settings, simulator,
                                                                    sim_target):
    simulator.seed_incident(incident("INC000000000106"))
    run_sync(factory, runtime, settings, sim_target)
    number = session.query(CaseRow).one().number
    [task] = list_tasks(session, case_number=number)
    complete_task(session, runtime, task_id=task["id"], username="sd.tekniker",
                  data={"classification": "incident"}, now=T0 + timedelta(minutes=1))
    session.commit()
    report = run_sync(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=2))
    assert report.queued >= 1
    assert run_sync(factory, runtime, settings, sim_target, now=T0 + timedelta(minutes=3)).queued == 0
    dispatch(factory, settings, now=T0 + timedelta(minutes=3))
    session.expire_all()
    remedy_items = session.query(OutboxRow).filter(OutboxRow.kind == "remedy").all()
    assert remedy_items and {r.status for r in remedy_items} == {"sent"}
    worklogs = simulator.entries("HPD:WorkLog")
    pushed = session.query(WorkInfoRow).filter(WorkInfoRow.author != "remedy").count()
    assert len(worklogs) == pushed and all(w["Incident Number"] == "INC000000000106" for w in worklogs)
    assert not any("Importeret fra Remedy" in w["Description"] for w in worklogs)   # nothing echoed back
