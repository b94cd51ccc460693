"""The Prefect flow `sla-watchdog` runs the same sweep as `sagsflow tick` (H-S, H-E): one real flow
run against a temporary Prefect API server (session-scoped prefect_test_harness in conftest.py) and a
migrated SQLite file database."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from config.handbook import organisation
from config.settings import Settings, get_settings
from services.cases import NewCase, open_case
from services.runtime import Runtime
from services.sla import refresh_deadlines, sla_config
from store.db import make_engine, session_factory
from store.directory import seed_organisation
from store.migrate import upgrade
from store.models import SlaEventRow, WorkInfoRow

RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)   # long past: the breach is due at any real now


@pytest.fixture
def flow_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'flow.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        seed_organisation(session, organisation())
        runtime = Runtime(Settings(database_url=url))
        runtime.deploy_current(session, actor="test", now=RECEIVED)
        case = open_case(session, runtime, actor="sd.tekniker", now=RECEIVED,
                         new=NewCase(case_type="incident", summary="Journalsystemet er nede", impact=1, urgency=1,
                                     sla_level="gold", customer_name="Test Kunde"))
        case.priority = "critical"            # as first triage would set it
        refresh_deadlines(session, case=case, config=sla_config(Settings().config_dir))
    monkeypatch.setenv("SAGSFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    yield factory
    get_settings.cache_clear()
    engine.dispose()


def test_h_s_watchdog_flow_run_records_the_breach_once(prefect_harness, flow_db):
    from workflows.sla_watchdog import sla_watchdog

    state = sla_watchdog(return_state=True)
    assert state.is_completed()
    report = state.result()
    assert (report["breaches"], report["warnings"]) == (1, 0)
    assert [(e["target"], e["kind"]) for e in report["events"]] == [("reaction", "breach")]
    assert sla_watchdog()["breaches"] == 0                 # a second run (or a retry) records nothing new
    with flow_db() as session:
        assert [(e.target, e.kind) for e in session.scalars(select(SlaEventRow))] == [("reaction", "breach")]
        assert [w.event for w in session.scalars(select(WorkInfoRow).where(WorkInfoRow.event == "sla_breach"))] \
            == ["sla_breach"]


def test_h_s_serve_schedules_the_watchdog_in_copenhagen_time_never_twice_at_once():
    from workflows.serve import ServeConfigError, deployments, watchdog_interval

    assert watchdog_interval({}) == 60
    assert watchdog_interval({"SAGSFLOW_WATCHDOG_INTERVAL_S": "30"}) == 30
    with pytest.raises(ServeConfigError, match="whole seconds"):
        watchdog_interval({"SAGSFLOW_WATCHDOG_INTERVAL_S": "1m"})
    [watchdog] = deployments(interval_s=30)
    [schedule] = watchdog.schedules
    assert schedule.schedule.interval.total_seconds() == 30 and schedule.schedule.timezone == "Europe/Copenhagen"
    assert watchdog.concurrency_limit == 1 and watchdog.concurrency_options.collision_strategy == "CANCEL_NEW"


def test_h_s_prefect_yaml_deploys_the_same_flow_on_a_copenhagen_schedule():
    from pathlib import Path

    import yaml
    from prefect.utilities.importtools import import_object

    from workflows.sla_watchdog import sla_watchdog

    config = yaml.safe_load((Path(__file__).resolve().parents[2] / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = [d for d in config["deployments"] if d["name"] == "sla-watchdog"]
    loaded = import_object(deployment["entrypoint"])         # loaded by path, as a worker does
    assert loaded.name == sla_watchdog.name == "sla-watchdog"
    assert loaded.fn.__code__.co_filename == sla_watchdog.fn.__code__.co_filename
    assert [s["timezone"] for s in deployment["schedules"]] == ["Europe/Copenhagen"]
    assert deployment["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    assert deployment["work_pool"]["name"] == "sagsflow"
    assert "set_working_directory" in str(config["pull"])
