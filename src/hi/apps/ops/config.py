"""Retention and backup settings: defaults, Django settings, then the environment (which always wins).

A household settings store may later sit between the Django settings and the environment; whatever it
holds, a variable set in the environment still decides, and ``source`` says where each value came from.
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
    "interval": ("HI_MAINTENANCE_INTERVAL", 600),  # seconds between maintenance passes in the worker
}


@dataclass(frozen=True)
class Setting:
    """One effective value and where it came from (``env``, ``settings`` or ``default``)."""

    name: str
    env: str
    value: float
    source: str


def _lookup(name: str, env: str, default: float) -> Setting:
    raw = os.environ.get(env)
    if raw not in (None, ""):
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{env} must be a number, got {raw!r}") from None
        if value < 0:
            raise ValueError(f"{env} must not be negative, got {raw!r}")
        return Setting(name, env, value, "env")
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
