"""Loads the handbook data in config/*.yaml into validated models (H-V2 teams, H-R1.1 Work Log
types, H-T4 units, lane rules). A broken file gives a clear error naming the file and field.

The models (config/handbook_models.py, pydantic) and PyYAML are imported when a file is first loaded, not
with this module: `sagsflow case show` needs only the labels, and with --json not even those (issue 15)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from config.environment import config_dir

if TYPE_CHECKING:
    from config.handbook_models import Handbook, LaneRule, Organisation

_MODELS = frozenset({"Role", "Team", "User", "Organisation", "LaneRule", "Unit", "ContactPolicyConfig",
                     "CustomerMailConfig", "Handbook"})


def __getattr__(name: str):
    """`from config.handbook import Handbook` (and the other models) still works (PEP 562)."""
    if name in _MODELS:
        from config import handbook_models

        return getattr(handbook_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ConfigError(Exception):
    """A configuration file is missing or invalid."""


def _load(path: Path, model_name: str):
    import yaml
    from pydantic import ValidationError

    from config import handbook_models, yaml_text

    try:
        raw = yaml_text.safe_load(path.read_text(encoding="utf-8"))
        return getattr(handbook_models, model_name).model_validate(raw)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


@lru_cache
def organisation() -> Organisation:
    return _load(config_dir() / "organisation.yaml", "Organisation")


@lru_cache
def lane_rules() -> dict[str, LaneRule]:
    import yaml
    from pydantic import ValidationError

    from config import yaml_text
    from config.handbook_models import LaneRule

    path = config_dir() / "lanes.yaml"
    try:
        raw = yaml_text.safe_load(path.read_text(encoding="utf-8"))
        return {lane: LaneRule.model_validate(rule) for lane, rule in raw.items()}
    except (yaml.YAMLError, ValidationError, AttributeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


@lru_cache
def handbook() -> Handbook:
    return _load(config_dir() / "handbook.yaml", "Handbook")


@lru_cache
def labels() -> dict[str, dict[str, str]]:
    """`handbook().labels` (the Danish names of types, statuses, priorities, SLA levels …), read from
    handbook.yaml without the models when handbook() has not been loaded (a brief command, issue 15). A
    `labels` that is not plainly a table of tables of text is left to handbook() to reject or convert."""
    if handbook.cache_info().currsize:
        return handbook().labels
    import yaml

    from config import yaml_text

    try:
        raw = yaml_text.safe_load((config_dir() / "handbook.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return handbook().labels   # its ConfigError names the file
    table = raw.get("labels") if isinstance(raw, dict) else None
    if not (isinstance(table, dict) and all(isinstance(group, str) and isinstance(names, dict) and all(
            isinstance(key, str) and isinstance(name, str) for key, name in names.items())
            for group, names in table.items())):
        return handbook().labels
    return table
