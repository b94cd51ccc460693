"""How many requests work at once (issue 9): never more than the pool's connections, nor two per CPU core
(more only take turns for the interpreter lock and the cores), nor SQLite's slots; a setting overrides."""
from __future__ import annotations

import os

from config.database import DatabaseSettings

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def test_the_default_is_two_requests_per_core_within_the_pool():
    tuning = DatabaseSettings(_env_file=None)
    assert tuning.busy_slots() == max(2, 2 * CORES)
    assert tuning.web_threads("postgresql://db/x") == min(20, max(2, 2 * CORES))
    assert tuning.web_threads("sqlite:///x.db") == min(4, max(2, 2 * CORES))
    assert tuning.threadpool_size() == tuning.web_threads("postgresql://db/x") + 8


def test_the_setting_and_the_pool_bound_it():
    assert DatabaseSettings(web_slots=12, _env_file=None).web_threads("postgresql://db/x") == 12
    assert DatabaseSettings(web_slots=50, _env_file=None).web_threads("postgresql://db/x") == 20   # the pool
    assert DatabaseSettings(web_slots=12, pool_size=2, max_overflow=1, _env_file=None).web_threads("postgresql://db/x") == 3
    assert DatabaseSettings(web_slots=12, _env_file=None).web_threads("sqlite:///x.db") == 4      # SQLite's slots


def test_the_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SAGSFLOW_DB_WEB_SLOTS", "6")
    assert DatabaseSettings(_env_file=None).web_threads("postgresql://db/x") == 6
