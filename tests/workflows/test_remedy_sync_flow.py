"""The Prefect flow `remedy-sync` (issue 14; H-R1.1): one real flow run against the Remedy simulator
catches up on a long closed history (the import limit is reached twice; the run goes on from the
watermark) and imports the open incidents behind it; a second run imports nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.handbook import organisation
from config.settings import Settings, get_settings
from connectors.remedy.simulator import RemedySimulator, format_ar_timestamp
from store.db import make_engine, session_factory
from store.directory import seed_organisation
from store.migrate import upgrade
from store.models import CaseRow
from services.runtime import Runtime


@pytest.fixture
def remedy_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'flow.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        seed_organisation(session, organisation())
        Runtime(Settings(database_url=url)).deploy_current(session, actor="test", now=datetime.now(UTC))
    simulator = RemedySimulator(username="demo", password="demo").start("127.0.0.1", 0)
    modified = format_ar_timestamp(datetime.now(UTC) - timedelta(days=1))
    base = {"Description": "Printer virker ikke", "Priority": "Low", "Impact": "4-Minor/Localized", "Urgency": "4-Low",
            "Last Modified Date": modified, "First Name": "Anne", "Last Name": "Hansen"}
    for index in range(230):
        simulator.seed_incident({**base, "Incident Number": f"INC{index + 1:012d}", "Status": "Closed"})
    for index in range(2):
        simulator.seed_incident({**base, "Incident Number": f"INC{900 + index:012d}", "Status": "Assigned"})
    for name, value in {"SAGSFLOW_DATABASE_URL": url, "SAGSFLOW_REMEDY__ENABLED": "true",
                        "SAGSFLOW_REMEDY__BASE_URL": simulator.base_url, "SAGSFLOW_REMEDY__USERNAME": "demo",
                        "SAGSFLOW_REMEDY__PASSWORD": "demo", "SAGSFLOW_REMEDY__SYNC__PAGE_SIZE": "40",
                        "SAGSFLOW_REMEDY_IMPORT_LIMIT": "100"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield factory
    get_settings.cache_clear()
    simulator.stop()
    engine.dispose()


def test_h_r1_1_one_flow_run_catches_up_on_a_long_closed_history(prefect_harness, remedy_env):
    from workflows.remedy_sync import remedy_sync

    state = remedy_sync(return_state=True)
    assert state.is_completed()
    report = state.result()
    assert sorted(report["imported"]) == ["INC000000000900", "INC000000000901"]
    assert (report["skipped"], report["more"], report["errors"]) == (230, False, [])
    assert remedy_sync()["imported"] == []
    with remedy_env() as session:
        assert session.query(CaseRow).count() == 2
