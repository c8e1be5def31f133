"""The household's time zone: ``HI_TIME_ZONE`` wins, else the one set on the settings page, else the system's.

Every page, chart, CLI table and email shows local time in this zone; JSON keeps ISO 8601 with offsets.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from dataclasses import dataclass

from hi.utils.zones import available_zones, is_valid, system_zone_name

from . import store

__all__ = ["TimeZoneChoice", "available_zones", "current", "is_valid", "set_zone", "system_zone_name"]

SETTING_KEY = "time_zone"
ENV_VAR = "HI_TIME_ZONE"


@dataclass(frozen=True)
class TimeZoneChoice:
    """The zone in force and where it came from: 'environment', 'settings' or 'system'."""

    name: str
    source: str

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.name)


def environment_zone_name() -> str:
    """``HI_TIME_ZONE`` when it names a real zone ('' otherwise; settings refuse to start on a bad one)."""
    name = os.environ.get(ENV_VAR, "").strip()
    return name if is_valid(name) else ""


def current() -> TimeZoneChoice:
    """The zone in force now (cached reads: safe to call on every request)."""
    from_env = environment_zone_name()
    if from_env:
        return TimeZoneChoice(from_env, "environment")
    stored = store.get(SETTING_KEY)
    if isinstance(stored, str) and is_valid(stored):
        return TimeZoneChoice(stored, "settings")
    return TimeZoneChoice(system_zone_name(), "system")


def set_zone(name: str, updated_by: str = "") -> None:
    """Store the household's zone ('' clears it: the system's applies). Raises ValueError on an unknown name."""
    name = name.strip()
    if name and not is_valid(name):
        raise ValueError(f"“{name}” is not a time zone name (for example America/Chicago or Europe/Berlin)")
    store.put(SETTING_KEY, name or None, updated_by)


def localtime(moment: dt.datetime) -> dt.datetime:
    """``moment`` in the household's zone, whatever zone this thread has active (the worker, emails)."""
    return moment.astimezone(current().zone)


def local_text(moment: dt.datetime) -> str:
    """'2026-11-30 14:02 CST': how a message (an email, a notification) states a time."""
    return localtime(moment).strftime("%Y-%m-%d %H:%M %Z")
