"""config/environment.py reads what the settings classes read (issue 15: `sagsflow case show` starts without
pydantic): the database URL, the configuration folder and the database tuning, from the environment and
`.env`, in every case the tests can think of; config.handbook.labels() is handbook().labels."""
from __future__ import annotations

import dataclasses
import os
import shutil

import pytest
from pydantic import ValidationError

from config import environment
from config.database import DatabaseSettings
from config.handbook import ConfigError, handbook, labels
from config.settings import Settings


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """No SAGSFLOW_ variable set; the working directory an empty folder (no .env)."""
    for name in list(os.environ):
        if name.lower().startswith("sagsflow_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _agree() -> None:
    settings = Settings()
    assert environment.database_url() == settings.database_url
    assert environment.config_dir() == settings.config_dir


@pytest.mark.parametrize("env, dotenv", [
    ({}, None),
    ({"SAGSFLOW_DATABASE_URL": "postgresql://u@db/x"}, None),
    ({"sagsflow_database_url": "sqlite:////srv/a.db", "SAGSFLOW_CONFIG_DIR": "/etc/sagsflow"}, None),
    ({}, "SAGSFLOW_DATABASE_URL=sqlite:////srv/from-dotenv.db\nsagsflow_config_dir='/opt/conf'\n"),
    ({"SAGSFLOW_DATABASE_URL": "sqlite:////srv/env-wins.db"},
     "SAGSFLOW_DATABASE_URL=sqlite:////srv/dotenv-loses.db\nSAGSFLOW_CONFIG_DIR=/opt/conf  # a comment\n"),
    ({"BASE": "/srv"}, 'export SAGSFLOW_DATABASE_URL="sqlite:///${BASE}/interpolated.db"\nSAGSFLOW_CONFIG_DIR\n'),
    ({"SAGSFLOW_DATABASE_URL": ""}, None),
    ({"SAGSFLOW_DATABASE_URLX": "sqlite:////not-this.db", "SAGSFLOW_DB_POOL_SIZE": "3"}, None),
])
def test_the_brief_read_gives_what_the_settings_give(clean_env, monkeypatch, env, dotenv):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if dotenv is not None:
        (clean_env / ".env").write_text(dotenv, encoding="utf-8")
    _agree()


def test_without_settings_the_defaults_are_the_classes_defaults(clean_env):
    assert environment.database_url() == Settings.model_fields["database_url"].default
    assert environment.config_dir() == Settings.model_fields["config_dir"].default
    tuning = environment.database_tuning()
    assert tuning is environment.DEFAULT_TUNING
    assert [f.name for f in dataclasses.fields(environment.DatabaseTuning)] == list(DatabaseSettings.model_fields)
    assert dataclasses.asdict(tuning) == DatabaseSettings().model_dump()


def test_database_tuning_set_anywhere_is_validated_by_its_settings_class(clean_env, monkeypatch):
    monkeypatch.setenv("sagsflow_db_pool_size", "3")
    tuning = environment.database_tuning()
    assert isinstance(tuning, DatabaseSettings) and tuning.pool_size == 3
    monkeypatch.delenv("sagsflow_db_pool_size")
    (clean_env / ".env").write_text("SAGSFLOW_DB_SQLITE_BUSY_TIMEOUT_MS=7000\n", encoding="utf-8")
    assert environment.database_tuning().sqlite_busy_timeout_ms == 7000
    (clean_env / ".env").write_text("SAGSFLOW_DB_POOL_SIZE=0\n", encoding="utf-8")
    with pytest.raises(ValidationError):   # out of range: refused as the web app refuses it
        environment.database_tuning()


@pytest.fixture
def config_copy(clean_env, monkeypatch):
    """A copy of config/ named by SAGSFLOW_CONFIG_DIR; the handbook's caches empty before and after."""
    folder = clean_env / "conf"
    shutil.copytree(environment.DEFAULT_CONFIG_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setenv("SAGSFLOW_CONFIG_DIR", str(folder))
    handbook.cache_clear(), labels.cache_clear()
    yield folder
    handbook.cache_clear(), labels.cache_clear()


def test_labels_are_the_handbooks_labels(config_copy):
    text = (config_copy / "handbook.yaml").read_text(encoding="utf-8")
    (config_copy / "handbook.yaml").write_text(text.replace("Visiteres", "Visiteres nu"), encoding="utf-8")
    found = labels()
    assert found["status"]["in_triage"] == "Visiteres nu"   # read from SAGSFLOW_CONFIG_DIR, not config/
    assert found == handbook().labels


def test_labels_that_are_not_plain_text_are_left_to_the_handbook(config_copy):
    path = config_copy / "handbook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("in_triage: Visiteres", "in_triage: [Visiteres]"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="handbook.yaml"):
        labels()
