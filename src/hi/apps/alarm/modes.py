"""Security modes: Disabled, Day, Night, Away — persisted, with history, schedule, exit delay and snooze.

One row (``ModeSetting`` id 1) holds the mode; every change writes a ``ModeChange`` with who made
it and goes out on the live stream as a ``mode`` event. Time-driven changes (an exit delay ending,
``--for`` running out, the day/night schedule) are applied by the worker's ``tick``; until then
``effective_mode`` already answers what the mode *is*, so a rule never fires on a stale mode.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import live
from .enums import SecurityMode
from .models import ModeChange, ModeSetting

MAX_MINUTES = 60 * 24 * 30


class ModeError(ValueError):
    """A mode request that cannot be honoured (unknown mode, bad duration)."""


def setting(for_update: bool = False) -> ModeSetting:
    """The mode row; reading never writes (a fresh hub is in Day mode), ``for_update`` creates it if needed."""
    if not for_update:
        return ModeSetting.objects.filter(pk=1).first() or ModeSetting(pk=1)
    ModeSetting.objects.get_or_create(pk=1)
    return ModeSetting.objects.select_for_update().get(pk=1)


def _effective(row: ModeSetting, now: dt.datetime) -> str:
    if row.pending_mode and row.pending_at is not None and row.pending_at <= now:
        return row.pending_mode
    if row.revert_mode and row.revert_at is not None and row.revert_at <= now:
        return row.revert_mode
    return row.mode


def effective_mode(now: dt.datetime | None = None) -> str:
    return _effective(setting(), now or timezone.now())


def effective_and_snoozed(now: dt.datetime) -> tuple[str, bool]:
    """Both in one read: what rule evaluation asks before a rule fires (plain SQL: it runs per firing batch)."""
    from .reads import mode_setting

    row = mode_setting() or ModeSetting(pk=1)
    return _effective(row, now), row.snooze_until is not None and row.snooze_until > now


def snoozed(now: dt.datetime | None = None) -> bool:
    row = setting()
    return row.snooze_until is not None and row.snooze_until > (now or timezone.now())


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def mode_json(row: ModeSetting | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    row = row or setting()
    now = now or timezone.now()
    snooze = row.snooze_until if row.snooze_until and row.snooze_until > now else None
    return {"mode": _effective(row, now), "changed_at": _iso(row.changed_at), "changed_by": row.changed_by,
            "snooze_until": _iso(snooze), "pending_mode": row.pending_mode or None, "pending_at": _iso(row.pending_at),
            "revert_mode": row.revert_mode or None, "revert_at": _iso(row.revert_at),
            "exit_delay_seconds": row.exit_delay_seconds,
            "schedule": {"enabled": row.schedule_enabled,
                         "day_starts": row.day_starts.isoformat("minutes") if row.day_starts else None,
                         "night_starts": row.night_starts.isoformat("minutes") if row.night_starts else None}}


def _record(row: ModeSetting, mode: str, by: str, reason: str, now: dt.datetime) -> None:
    previous = row.mode
    row.mode, row.changed_at, row.changed_by = mode, now, by
    ModeChange.objects.create(at=now, mode=mode, previous=previous, changed_by=by, reason=reason)


def _announce(row: ModeSetting, now: dt.datetime) -> None:
    live.publish("mode", mode_json(row, now) | {"timestamp": now.isoformat()})


def parse_mode(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text not in SecurityMode.values:
        raise ModeError(f"mode must be one of {', '.join(SecurityMode.values)}, not {value!r}")
    return text


def _minutes(value: Any, what: str) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ModeError(f"{what} must be a whole number of minutes, not {value!r}") from None
    if not 1 <= minutes <= MAX_MINUTES:
        raise ModeError(f"{what} must be between 1 and {MAX_MINUTES} minutes")
    return minutes


def set_mode(mode: Any, by: str, *, for_minutes: Any = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Change the mode (Away after the exit delay; back to the previous one after ``for_minutes``)."""
    mode = parse_mode(mode)
    minutes = None if for_minutes in (None, "") else _minutes(for_minutes, "--for")
    now = now or timezone.now()
    with transaction.atomic():
        row = setting(for_update=True)
        previous = _effective(row, now)
        row.pending_mode, row.pending_at, row.pending_by = "", None, ""
        row.revert_mode, row.revert_at = "", None
        if mode == SecurityMode.AWAY and row.exit_delay_seconds and previous != SecurityMode.AWAY:
            row.pending_mode, row.pending_by = mode, by
            row.pending_at = now + dt.timedelta(seconds=row.exit_delay_seconds)
            ModeChange.objects.create(at=now, mode=previous, previous=previous, changed_by=by,
                                      reason=f"away in {row.exit_delay_seconds} s (exit delay)")
            start = row.pending_at
        else:
            _record(row, mode, by, "set", now)
            row.mode = mode
            start = now
        if minutes is not None:
            row.revert_mode = previous if previous != mode else SecurityMode.DAY
            row.revert_at = start + dt.timedelta(minutes=minutes)
        row.save()
        _announce(row, now)
    return mode_json(row, now)


def snooze(minutes: Any, by: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """Silence non-life-safety rules for ``minutes`` (0 ends a snooze); life safety is never snoozed."""
    now = now or timezone.now()
    try:
        whole = int(minutes)
    except (TypeError, ValueError):
        raise ModeError(f"snooze needs a whole number of minutes, not {minutes!r}") from None
    if not 0 <= whole <= MAX_MINUTES:
        raise ModeError(f"snooze must be between 0 and {MAX_MINUTES} minutes")
    with transaction.atomic():
        row = setting(for_update=True)
        row.snooze_until = now + dt.timedelta(minutes=whole) if whole else None
        row.save(update_fields=["snooze_until"])
        ModeChange.objects.create(at=now, mode=_effective(row, now), previous=row.mode, changed_by=by,
                                  reason=f"snooze {whole} min" if whole else "snooze ended")
        _announce(row, now)
    return mode_json(row, now)


def configure(by: str, *, exit_delay_seconds: Any = None, schedule_enabled: Any = None,
              day_starts: Any = None, night_starts: Any = None) -> dict[str, Any]:
    """Exit delay and the day/night schedule (times in the household's time zone)."""
    with transaction.atomic():
        row = setting(for_update=True)
        if exit_delay_seconds is not None:
            try:
                delay = int(exit_delay_seconds)
            except (TypeError, ValueError):
                raise ModeError("exit_delay_seconds must be a whole number") from None
            if not 0 <= delay <= 3600:
                raise ModeError("exit_delay_seconds must be between 0 and 3600")
            row.exit_delay_seconds = delay
        for name, value in (("day_starts", day_starts), ("night_starts", night_starts)):
            if value is not None:
                try:
                    setattr(row, name, dt.time.fromisoformat(str(value)) if value != "" else None)
                except ValueError:
                    raise ModeError(f"{name} must be a time like 07:00, not {value!r}") from None
        if schedule_enabled is not None:
            row.schedule_enabled = bool(schedule_enabled)
        if row.schedule_enabled and (row.day_starts is None or row.night_starts is None):
            raise ModeError("a schedule needs both day_starts and night_starts")
        row.save()
    return mode_json(row)


def scheduled_mode(row: ModeSetting, now: dt.datetime) -> str | None:
    """Day or Night by the schedule, or None when there is no schedule."""
    if not row.schedule_enabled or row.day_starts is None or row.night_starts is None:
        return None
    local = timezone.localtime(now).time().replace(tzinfo=None)
    day, night = row.day_starts, row.night_starts
    is_day = day <= local < night if day < night else not (night <= local < day)
    return SecurityMode.DAY if is_day else SecurityMode.NIGHT


def tick(now: dt.datetime | None = None) -> bool:
    """Apply what time decided: an exit delay ending, ``--for`` running out, the schedule. True if changed."""
    now = now or timezone.now()
    row = setting()
    wanted: tuple[str, str, str] | None = None
    if row.pending_mode and row.pending_at and row.pending_at <= now:
        wanted = (row.pending_mode, row.pending_by or "exit delay", "exit delay over")
    elif row.revert_mode and row.revert_at and row.revert_at <= now:
        wanted = (row.revert_mode, "timer", "--for ran out")
    else:
        scheduled = scheduled_mode(row, now)
        if scheduled and row.mode in (SecurityMode.DAY, SecurityMode.NIGHT) and row.mode != scheduled:
            wanted = (scheduled, "schedule", "schedule")
    if wanted is None:
        return False
    with transaction.atomic():
        row = setting(for_update=True)
        mode, by, reason = wanted
        if reason == "exit delay over":
            row.pending_mode, row.pending_at, row.pending_by = "", None, ""
        elif reason == "--for ran out":
            row.revert_mode, row.revert_at = "", None
        _record(row, mode, by, reason, now)
        row.save()
        _announce(row, now)
    return True


def history(limit: int = 50) -> list[dict[str, Any]]:
    return [{"at": c.at.isoformat(), "mode": c.mode, "previous": c.previous, "changed_by": c.changed_by,
             "reason": c.reason} for c in ModeChange.objects.all()[:limit]]
