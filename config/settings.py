"""Runtime settings from the environment (prefix SAGSFLOW_), with embedded defaults.

The default is the single-machine set-up: SQLite under var/, diagrams from workflows/bpmn/.
Production sets SAGSFLOW_DATABASE_URL to PostgreSQL. Secrets are SecretStr and never logged.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAGSFLOW_", env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'var' / 'sagsflow.db'}")
    bpmn_dir: Path = ROOT / "workflows" / "bpmn"
    config_dir: Path = ROOT / "config"
    main_process: str = "incident_handling"
    timezone: str = "Europe/Copenhagen"
    mail_domain: str = "sagsflow.local"
    sql_echo: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
