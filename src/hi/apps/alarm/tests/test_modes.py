"""Security modes: history with who, exit delay, --for, snooze, the day/night schedule, applied by the tick."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.alarm import modes
from hi.apps.alarm.models import ModeChange

from .helpers import at

pytestmark = pytest.mark.django_db


def test_set_mode_records_history_with_who():
    modes.set_mode("night", "user:alice", now=at(0))
    modes.set_mode("away", "cli", now=at(10))
    assert [(c.mode, c.previous, c.changed_by) for c in ModeChange.objects.all()] == [
        ("away", "night", "cli"), ("night", "day", "user:alice")]
    assert modes.effective_mode(at(11)) == "away"
    with pytest.raises(modes.ModeError):
        modes.set_mode("vacation", "cli")


def test_away_starts_after_the_exit_delay():
    modes.configure("cli", exit_delay_seconds=60)
    data = modes.set_mode("away", "user:bob", now=at(0))
    assert data["mode"] == "day" and data["pending_mode"] == "away"
    assert modes.effective_mode(at(59)) == "day"
    assert modes.effective_mode(at(60)) == "away"  # rules already see Away before the tick writes it
    assert modes.tick(at(61)) is True
    latest = ModeChange.objects.first()
    assert latest.mode == "away" and latest.changed_by == "user:bob" and latest.reason == "exit delay over"
    assert modes.setting().pending_mode == ""


def test_for_minutes_returns_to_the_previous_mode():
    modes.set_mode("night", "cli", now=at(0))
    modes.set_mode("away", "cli", for_minutes=30, now=at(10))
    assert modes.tick(at(10 + 29 * 60)) is False
    assert modes.tick(at(10 + 30 * 60)) is True
    assert modes.effective_mode(at(10 + 31 * 60)) == "night"
    with pytest.raises(modes.ModeError):
        modes.set_mode("day", "cli", for_minutes=0)


def test_snooze_and_its_end():
    modes.snooze(10, "cli", now=at(0))
    assert modes.snoozed(at(9 * 60)) and not modes.snoozed(at(10 * 60))
    modes.snooze(0, "cli", now=at(60))
    assert not modes.snoozed(at(61))
    with pytest.raises(modes.ModeError):
        modes.snooze(-1, "cli")


def test_the_schedule_switches_day_and_night_but_never_away(settings):
    settings.TIME_ZONE = "UTC"
    modes.configure("cli", schedule_enabled=True, day_starts="07:00", night_starts="22:00")
    late = dt.datetime(2026, 3, 4, 22, 30, tzinfo=dt.UTC)
    assert modes.tick(late) is True and modes.effective_mode(late) == "night"
    assert ModeChange.objects.first().changed_by == "schedule"
    assert modes.tick(late + dt.timedelta(hours=9)) is True and modes.effective_mode(late) == "day"
    modes.set_mode("away", "cli", now=late)
    assert modes.tick(late + dt.timedelta(hours=1)) is False
    with pytest.raises(modes.ModeError):
        modes.configure("cli", day_starts="25:00")
