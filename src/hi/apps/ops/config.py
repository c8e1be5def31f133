"""Retention and backup settings: the environment wins, then the settings page (the household store),
then Django settings, then the defaults; ``source`` says where each value came from, so the page can
say when the environment overrides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# name -> (environment variable, default); days unless said otherwise
RETENTION_DEFAULTS: dict[str, tuple[str, float]] = {
    "sensor_history_days": ("HI_RETENTION_SENSOR_HISTORY_DAYS", 30),
    "aggregates_days": ("HI_RETENTION_AGGREGATES_DAYS", 730),
    "events_days": ("HI_RETENTION_EVENTS_DAYS", 365),
    "control_history_days": ("HI_RETENTION_CONTROL_HISTORY_DAYS", 90),
}
BACKUP_DEFAULTS: dict[str, tuple[str, float]] = {
    "interval_hours": ("HI_BACKUP_INTERVAL_HOURS", 24),  # 0 turns scheduled backups off
    "keep": ("HI_BACKUP_KEEP", 7),
}
PRUNE_DEFAULTS: dict[str, tuple[str, float]] = {
    "batch": ("HI_PRUNE_BATCH", 2000),  # rows per delete transaction: short SQLite write locks
    "pause": ("HI_PRUNE_PAUSE", 0.05),  # seconds between batches, so ingest gets the write lock
    "duty": ("HI_PRUNE_DUTY", 0.1),  # the most of the wall time the pruner spends in delete transactions
    "backup_duty": ("HI_BACKUP_DUTY", 0.25),  # the most of the wall time a backup spends copying and archiving
    "interval": ("HI_MAINTENANCE_INTERVAL", 600),  # seconds between maintenance passes in the worker
}


@dataclass(frozen=True)
class Setting:
    """One effective value and where it came from (``env``, ``settings`` or ``default``)."""

    name: str
    env: str
    value: float
    source: str  # env | page | settings | default

    @property
    def store_key(self) -> str:
        return store_key(self.name)


def store_key(name: str) -> str:
    """The household store's key of a setting (``ops.sensor_history_days``, ``ops.keep``, ...)."""
    return f"ops.{name}"


def _lookup(name: str, env: str, default: float) -> Setting:
    raw = os.environ.get(env)
    if raw not in (None, ""):
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{env} must be a number, got {raw!r}") from None
        if not value >= 0 or value == float("inf"):  # negative, NaN or infinite
            raise ValueError(f"{env} must be a number of 0 or more, got {raw!r}")
        return Setting(name, env, value, "env")
    from hi.apps.household import store

    stored = store.get(store_key(name))
    if stored is not None:
        return Setting(name, env, float(stored), "page")
    configured = getattr(settings, env, None)
    if configured is not None:
        return Setting(name, env, float(configured), "settings")
    return Setting(name, env, float(default), "default")


def retention_settings() -> dict[str, Setting]:
    """Effective retention per kind; alerts are kept as long as events."""
    return {name: _lookup(name, env, default) for name, (env, default) in RETENTION_DEFAULTS.items()}


def backup_settings() -> dict[str, Setting]:
    return {name: _lookup(name, env, default) for name, (env, default) in BACKUP_DEFAULTS.items()}


def prune_settings() -> dict[str, Setting]:
    return {name: _lookup(name, env, default) for name, (env, default) in PRUNE_DEFAULTS.items()}


def backup_dir() -> Path:
    """Where scheduled backups go: ``HI_BACKUP_DIR``, else ``<data dir>/backups``."""
    raw = os.environ.get("HI_BACKUP_DIR") or getattr(settings, "HI_BACKUP_DIR", None)
    return Path(raw) if raw else Path(settings.DATA_DIR) / "backups"


def save_setting(name: str, raw: str, updated_by: str = "") -> float | None:
    """Store a value from the settings page (empty: back to the default); refuses what is not a number >= 0."""
    from hi.apps.household import store

    known = {**RETENTION_DEFAULTS, **BACKUP_DEFAULTS}
    if name not in known:
        raise ValueError(f"unknown setting {name}")
    env = known[name][0]
    if os.environ.get(env) not in (None, ""):
        raise ValueError(f"{env} is set in the environment and wins; change it there.")
    raw = raw.strip()
    if raw == "":
        store.put(store_key(name), None, updated_by)
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name.replace('_', ' ')}: expected a number, got {raw!r}") from None
    if value < 0 or value != value:
        raise ValueError(f"{name.replace('_', ' ')}: must be 0 or more")
    store.put(store_key(name), value, updated_by)
    return value
