"""The settings page is a list of sections, each owning its form: others add theirs with ``register()``.

A section renders ``template`` with ``context(request)`` and handles its own POST in ``save(request)``,
which returns the sentence to confirm with, or raises ``ValueError`` with the sentence to show beside
the form (nothing is stored then). A context may hold ``problem``, a standing sentence the page shows
in the same place (the Backups section: a scheduled backup refused for lack of disk space). The page
knows nothing about any one setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from hi.apps.household import timezones


@dataclass(frozen=True)
class SettingsSection:
    section_id: str
    title: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any]]
    save: Callable[[HttpRequest], str]
    order: int = 100


_SECTIONS: dict[str, SettingsSection] = {}


def register(section: SettingsSection) -> SettingsSection:
    """Add (or replace, by id) a section; the page shows them by ``order``, then title."""
    _SECTIONS[section.section_id] = section
    return section


def sections() -> list[SettingsSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.title))


def get_section(section_id: str) -> SettingsSection | None:
    return _SECTIONS.get(section_id)


# -- time zone ----------------------------------------------------------------------------------

def _time_zone_context(request: HttpRequest) -> dict[str, Any]:
    choice = timezones.current()
    return {"choice": choice, "zones": timezones.available_zones(), "env_var": timezones.ENV_VAR,
            "system_zone": timezones.system_zone_name()}


def _save_time_zone(request: HttpRequest) -> str:
    if timezones.current().source == "environment":
        raise ValueError(f"{timezones.ENV_VAR} is set in the environment and wins; change it there.")
    name = request.POST.get("time_zone", "").strip()
    timezones.set_zone(name, updated_by=request.user.get_username())
    return f"Time zone set to {name}." if name else f"Time zone cleared: the system's ({timezones.system_zone_name()}) applies."


register(SettingsSection("time-zone", "Time zone", "web/settings/time_zone.html", _time_zone_context,
                         _save_time_zone, order=10))
