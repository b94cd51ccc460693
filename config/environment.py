"""The settings a brief command needs, read without pydantic (issue 15: `sagsflow case show` starts fast).

`config.settings.Settings` and `config.database.DatabaseSettings` (pydantic-settings) stay the one definition
of Sagsflow's settings; importing them costs a brief command more than reading its case (pydantic and
pydantic-settings ≈ 0.05 s). This module reads the two plain-text settings such a command needs —
SAGSFLOW_DATABASE_URL and SAGSFLOW_CONFIG_DIR — from the same places in the same order as those classes
(`extra="ignore"`, case-insensitive names: the environment over `.env` in the working directory, parsed by
python-dotenv as pydantic-settings parses it), and their defaults are the classes' defaults. The typed
database tuning (SAGSFLOW_DB_…) is validated by DatabaseSettings whenever one of its variables is set;
only with none set does a brief command take its defaults from here (tests/config keep both equal)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "SAGSFLOW_"
DATABASE_PREFIX = "SAGSFLOW_DB_"
ENV_FILE = ".env"
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'sagsflow.db'}"
DEFAULT_CONFIG_DIR = ROOT / "config"


@dataclass(frozen=True)
class DatabaseTuning:
    """The defaults of config.database.DatabaseSettings (which takes them from here), field by field."""

    pool_size: int = 10
    max_overflow: int = 10
    pool_timeout_s: float = 5.0
    queue_timeout_s: float = 30.0
    connect_timeout_s: int = 3
    statement_timeout_ms: int = 15_000
    lock_timeout_ms: int = 10_000
    tcp_user_timeout_ms: int = 10_000
    sqlite_busy_timeout_ms: int = 5_000
    readiness_timeout_s: float = 2.0
    sqlite_slots: int = 4
    sqlite_writers: int = 1
    web_slots: int = 0   # 0: two per CPU core this process may use (DatabaseSettings.busy_slots)
    ping_after_idle_ms: int = 500   # PostgreSQL: a pooled connection idle this long is pinged before use


DEFAULT_TUNING = DatabaseTuning()


def variables(prefix: str = PREFIX) -> dict[str, str]:
    """The variables whose name starts with `prefix` (in any case), by their lower-case name without it:
    those of `.env` in the working directory, the environment's over them."""
    prefix = prefix.lower()
    found: dict[str, str] = {}
    env_file = Path(ENV_FILE)
    if env_file.is_file() or env_file.is_fifo():
        from dotenv import dotenv_values   # pydantic-settings' parser of the file

        found.update((name.lower()[len(prefix):], value)
                     for name, value in dotenv_values(env_file, encoding="utf-8").items()
                     if value is not None and name.lower().startswith(prefix))
    found.update((name.lower()[len(prefix):], value) for name, value in os.environ.items()
                 if name.lower().startswith(prefix))
    return found


def database_url() -> str:
    """`Settings().database_url`."""
    return variables().get("database_url", DEFAULT_DATABASE_URL)


def config_dir() -> Path:
    """`Settings().config_dir`: where organisation.yaml, handbook.yaml, lanes.yaml and sla.yaml are."""
    value = variables().get("config_dir")
    return DEFAULT_CONFIG_DIR if value is None else Path(value)


def database_tuning():
    """`DatabaseSettings()`: validated by it when any SAGSFLOW_DB_ variable is set, else its defaults."""
    if variables(DATABASE_PREFIX):
        from config.database import DatabaseSettings

        return DatabaseSettings()
    return DEFAULT_TUNING
