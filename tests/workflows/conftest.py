"""One temporary Prefect API server (prefect_test_harness, ~10 s) for all flow tests of a session.
Events are flushed to its database every 0.5 s so tests can read them back."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness
    previous = os.environ.get("PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL")
    os.environ["PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL"] = "0.5"
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    try:
        with prefect_test_harness(server_startup_timeout=60):
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL", None)
        else:
            os.environ["PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL"] = previous


@pytest.fixture(scope="module")
def engine_and_bundle():
    """The engine alone (no database) with the shipped diagrams compiled: for tests of engine/."""
    from config.settings import Settings
    from engine.adapter import Engine
    from services.runtime import read_sources
    from tasks.operations import OPERATIONS

    engine, settings = Engine(), Settings()
    return engine, engine.build_bundle(read_sources(settings.bpmn_dir), process_id=settings.main_process,
                                       known_topics=OPERATIONS.keys())
