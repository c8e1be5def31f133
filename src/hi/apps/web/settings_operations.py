"""The settings page's Retention and Backups sections (values live in the household store; the
environment wins where set, and the section says so)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hi.apps.ops import config

from .settings_sections import SettingsSection, register

LABELS = {
    "sensor_history_days": ("Raw sensor readings", "days"),
    "aggregates_days": ("Hourly min / mean / max of numeric readings", "days"),
    "events_days": ("Events (and alerts)", "days"),
    "control_history_days": ("Control history", "days"),
    "interval_hours": ("Back up every", "hours (0: no scheduled backups)"),
    "keep": ("Keep the newest", "backups"),
}


def _rows(values: dict[str, config.Setting]) -> list[dict[str, Any]]:
    return [{"name": s.name, "label": LABELS[s.name][0], "unit": LABELS[s.name][1], "value": s.value,
             "shown": f"{s.value:g}", "source": s.source, "env": s.env, "locked": s.source == "env"}
            for s in values.values()]


def _save(request: HttpRequest, names: list[str]) -> list[str]:
    changed = []
    for name in names:
        if name in request.POST:  # fields the environment locks are disabled, so not posted
            config.save_setting(name, request.POST[name], request.user.get_username())
            changed.append(LABELS[name][0].lower())
    return changed


def _retention_context(request: HttpRequest) -> dict[str, Any]:
    return {"rows": _rows(config.retention_settings()), "kind": "retention"}


def _save_retention(request: HttpRequest) -> str:
    changed = _save(request, list(config.RETENTION_DEFAULTS))
    return "Retention saved; the worker applies it at its next maintenance pass." if changed else "Nothing to save."


def _backups_context(request: HttpRequest) -> dict[str, Any]:
    from hi.apps.ops.backup import newest_backup
    from hi.apps.ops.maintenance import backup_refused

    newest = newest_backup(config.backup_dir())
    refused = backup_refused()
    problem = f"The scheduled backup at {refused[0]:%Y-%m-%d %H:%M} UTC was refused: {refused[1]}" if refused else ""
    return {"rows": _rows(config.backup_settings()), "kind": "backups", "directory": config.backup_dir(),
            "newest": newest[0].name if newest else None, "newest_at": newest[1] if newest else None,
            "problem": problem}


def _save_backups(request: HttpRequest) -> str:
    if request.POST.get("action") == "backup-now":
        from hi.apps.ops.archive import BackupError
        from hi.apps.ops.backup import create_backup

        try:
            path = create_backup(directory=config.backup_dir())
        except BackupError as exc:  # e.g. not enough disk space: said beside the form
            raise ValueError(str(exc)) from None
        return f"Backup written: {path.name}."
    changed = _save(request, list(config.BACKUP_DEFAULTS))
    return "Backup schedule saved." if changed else "Nothing to save."


register(SettingsSection("retention", "Retention", "web/settings/operations.html", _retention_context,
                         _save_retention, order=40))
register(SettingsSection("backups", "Backups", "web/settings/operations.html", _backups_context, _save_backups,
                         order=50))
