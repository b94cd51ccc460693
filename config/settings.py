"""Runtime settings from the environment (prefix SAGSFLOW_), with embedded defaults.

The default is the single-machine set-up: SQLite under var/, diagrams from workflows/bpmn/, outgoing
mail to the local demo sink on 127.0.0.1:8025 (no auth, stored as .eml under var/mail/), and the
IMAP reader, Remedy sync (H-R1.1) and ARI click-to-call (H-R1.3) switched off. Production sets
SAGSFLOW_DATABASE_URL to PostgreSQL and the connectors with nested variables, e.g.
SAGSFLOW_SMTP__HOST, SAGSFLOW_IMAP__PASSWORD, SAGSFLOW_REMEDY__ENABLED (docs/operations.md).
Secrets are SecretStr and never logged.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.attachments import AttachmentSettings
from config.environment import DEFAULT_CONFIG_DIR, DEFAULT_DATABASE_URL, ENV_FILE, PREFIX, ROOT
from connectors.mail.settings import ImapSettings, SmtpSettings
from connectors.phone.settings import AriSettings
from connectors.remedy.settings import RemedySettings

DEMO_SINK_HOST, DEMO_SINK_PORT = "127.0.0.1", 8025


def default_smtp() -> SmtpSettings:
    """The local demo mail sink (`connectors.mail.devserver`, started by `sagsflow run`)."""
    return SmtpSettings(host=DEMO_SINK_HOST, port=DEMO_SINK_PORT, security="none",
                        from_address="servicedesk@sagsflow.local", timeout=10)


class Settings(BaseSettings):
    # config/environment.py reads database_url and config_dir as these sources do, for the brief commands
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=ENV_FILE, extra="ignore",
                                      env_nested_delimiter="__")

    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    bpmn_dir: Path = ROOT / "workflows" / "bpmn"
    config_dir: Path = DEFAULT_CONFIG_DIR
    main_process: str = "incident_handling"
    timezone: str = "Europe/Copenhagen"
    mail_domain: str = "sagsflow.local"
    web_url: str = "http://127.0.0.1:8000"     # the worklist, for links from Prefect artifacts
    sql_echo: bool = False
    registration_teams: list[str] = ["service_desk"]   # who may register cases (SECURITY.md)

    # connectors (issue 4)
    smtp: SmtpSettings = Field(default_factory=default_smtp)
    imap: ImapSettings | None = None            # None: the mail reader is off
    remedy: RemedySettings = Field(default_factory=RemedySettings)
    ari: AriSettings = Field(default_factory=AriSettings)
    mail_folder: Path = ROOT / "var" / "mail"   # where the demo sink writes .eml files
    remedy_import_sla_level: str = Field(default="bronze", pattern="^(platinum|gold|silver|bronze)$")
    remedy_import_limit: int = Field(default=200, ge=1, le=5000)
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)   # issue 13

    # intervals of the served flows (seconds)
    dispatcher_interval_s: int = Field(default=30, ge=5, le=86400)
    mail_poll_interval_s: int = Field(default=60, ge=10, le=86400)
    remedy_sync_interval_s: int = Field(default=300, ge=10, le=86400)

    def uses_demo_sink(self) -> bool:
        return (self.smtp.host, self.smtp.port, self.smtp.username) == (DEMO_SINK_HOST, DEMO_SINK_PORT, None)


@lru_cache
def get_settings() -> Settings:
    return Settings()
