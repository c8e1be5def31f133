"""Retention: nothing younger than a kind's setting is pruned, raw history waits for its aggregates,
batches are small, and SQLite gives freed pages back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from hi.apps.control.models import ControllerHistory, ControlOutcome
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.event.models import Event
from hi.apps.ops import retention
from hi.apps.ops.config import retention_settings
from hi.apps.ops.models import SensorHourly
from hi.apps.ops.rollup import AGGREGATED_THROUGH, aggregate_pending, set_marker
from hi.apps.sense.models import SensorHistory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def history_at(sensor, *moments: dt.datetime) -> None:
    SensorHistory.objects.bulk_create([SensorHistory(sensor=sensor, response_at=m, value=1.0) for m in moments])


def test_defaults_and_environment_override(monkeypatch, settings):
    values = {k: (s.value, s.source) for k, s in retention_settings().items()}
    assert values["sensor_history_days"] == (30, "default") and values["events_days"] == (365, "default")
    assert values["control_history_days"] == (90, "default") and values["aggregates_days"] == (730, "default")
    settings.HI_RETENTION_EVENTS_DAYS = 100
    monkeypatch.setenv("HI_RETENTION_SENSOR_HISTORY_DAYS", "7")
    values = {k: (s.value, s.source) for k, s in retention_settings().items()}
    assert values["sensor_history_days"] == (7, "env") and values["events_days"] == (100, "settings")
    monkeypatch.setenv("HI_RETENTION_EVENTS_DAYS", "many")
    with pytest.raises(ValueError, match="HI_RETENTION_EVENTS_DAYS must be a number"):
        retention_settings()


def test_sensor_history_boundary_keeps_everything_younger_than_the_setting():
    device = make_device("thermo", S.TEMPERATURE)
    cutoff = NOW - days(30)
    history_at(device.sensor, cutoff - days(3), cutoff - SECOND, cutoff, cutoff + SECOND, NOW)
    set_marker(AGGREGATED_THROUGH, NOW)
    report = retention.prune(now=NOW, pause=0)
    assert report.deleted == {"sensor_history": 2}
    kept = sorted(SensorHistory.objects.values_list("response_at", flat=True))
    assert kept == [cutoff, cutoff + SECOND, NOW]


def test_raw_history_is_kept_until_it_is_aggregated():
    device = make_device("thermo", S.TEMPERATURE)
    old = NOW - days(60)
    history_at(device.sensor, old, old + dt.timedelta(hours=1), old + dt.timedelta(hours=2))
    set_marker(AGGREGATED_THROUGH, old + dt.timedelta(hours=1))
    retention.prune(now=NOW, pause=0)
    assert SensorHistory.objects.count() == 2  # the hour after the marker is not summarised yet
    aggregate_pending(now=NOW)
    retention.prune(now=NOW, pause=0)
    assert SensorHistory.objects.count() == 0
    assert SensorHourly.objects.filter(sensor=device.sensor).count() == 2  # the hours after the marker


def test_without_any_aggregation_nothing_raw_is_pruned():
    device = make_device("thermo", S.TEMPERATURE)
    history_at(device.sensor, NOW - days(400))
    assert retention.prune(now=NOW, pause=0).deleted == {}
    assert SensorHistory.objects.count() == 1


def test_events_closed_and_old_go_open_ones_stay():
    device = make_device("door", S.OPEN_CLOSE)
    cutoff = NOW - days(365)

    def event(start: dt.datetime, closed: bool) -> Event:
        return Event.objects.create(entity=device.entity, entity_state=device.state, sensor=device.sensor,
                                    value="open", start=start, end=start + SECOND if closed else None)

    gone = event(cutoff - SECOND, True)
    still_open = event(cutoff - days(10), False)
    boundary = event(cutoff, True)
    report = retention.prune(now=NOW, pause=0)
    assert report.deleted == {"events": 1}
    assert set(Event.objects.values_list("id", flat=True)) == {still_open.id, boundary.id}
    assert not Event.objects.filter(id=gone.id).exists()


def test_control_history_and_aggregates_boundaries(monkeypatch):
    device = make_device("lamp", S.ON_OFF, controllable=True)
    cutoff = NOW - days(90)
    for at, outcome in [(cutoff - SECOND, ControlOutcome.CONFIRMED), (cutoff - days(1), ControlOutcome.SENT),
                        (cutoff, ControlOutcome.FAILED), (NOW, ControlOutcome.CONFIRMED)]:
        ControllerHistory.objects.create(controller=device.controller, requested_value="on", requested_by="t",
                                         requested_at=at, outcome=outcome)
    agg_cut = NOW - days(730)
    for hour in (agg_cut - dt.timedelta(hours=1), agg_cut, NOW - days(1)):
        SensorHourly.objects.create(sensor=device.sensor, hour=hour, count=1, minimum=1, maximum=1, total=1)
    report = retention.prune(now=NOW, pause=0)
    assert report.deleted == {"control_history": 2, "aggregates": 1}
    assert sorted(ControllerHistory.objects.values_list("requested_at", flat=True)) == [cutoff, NOW]
    assert sorted(SensorHourly.objects.values_list("hour", flat=True)) == [agg_cut, NOW - days(1)]


def test_zero_days_keeps_for_ever(monkeypatch):
    monkeypatch.setenv("HI_RETENTION_CONTROL_HISTORY_DAYS", "0")
    device = make_device("lamp", S.ON_OFF, controllable=True)
    ControllerHistory.objects.create(controller=device.controller, requested_value="on", requested_by="t",
                                     requested_at=NOW - days(5000))
    assert retention.prune(now=NOW, pause=0).deleted == {}
    assert retention.cutoffs(NOW)["control_history"] is None


def test_pruning_works_in_small_batches_and_stops_when_asked():
    device = make_device("thermo", S.TEMPERATURE)
    history_at(device.sensor, *[NOW - days(40) + n * SECOND for n in range(25)])
    set_marker(AGGREGATED_THROUGH, NOW)
    report = retention.prune(now=NOW, batch=10, pause=0)
    assert report.deleted == {"sensor_history": 25} and report.batches == 3
    history_at(device.sensor, *[NOW - days(40) + n * SECOND for n in range(25)])
    calls = iter([False, True])
    stopped = retention.prune(now=NOW, batch=10, pause=0, should_stop=lambda: next(calls, True))
    assert stopped.stopped and stopped.deleted == {"sensor_history": 10}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's auto_vacuum")
def test_sqlite_database_is_incremental_and_gives_pages_back():
    assert retention.sqlite_auto_vacuum() == 2
    device = make_device("thermo", S.TEMPERATURE)
    history_at(device.sensor, *[NOW - days(40) + n * SECOND for n in range(3000)])
    set_marker(AGGREGATED_THROUGH, NOW)
    retention.prune(now=NOW, pause=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA freelist_count")
        assert cursor.fetchone()[0] > 0
        cursor.execute("PRAGMA page_count")
        pages_before = cursor.fetchone()[0]
    freed = retention.reclaim_space(pages_per_step=5, pause=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA freelist_count")
        assert cursor.fetchone()[0] == 0
        cursor.execute("PRAGMA page_count")
        assert freed == pages_before - cursor.fetchone()[0] > 0  # what the file lost, as reported


def test_closed_alerts_and_mode_changes_are_kept_as_long_as_events():
    from hi.apps.alarm.models import Alarm, Alert, ModeChange

    cutoff = NOW - days(365)

    def alert(last: dt.datetime, closed: bool) -> Alert:
        made = Alert.objects.create(rule_name="door", level="warning", opened_at=last, last_fired_at=last,
                                    closed_at=last if closed else None, status="cleared" if closed else "open")
        Alarm.objects.create(alert=made, fired_at=last)
        return made

    old_closed, old_open, recent = alert(cutoff - SECOND, True), alert(cutoff - days(3), False), alert(cutoff, True)
    ModeChange.objects.create(at=cutoff - SECOND, mode="away")
    ModeChange.objects.create(at=cutoff, mode="day")
    report = retention.prune(now=NOW, pause=0)
    assert report.deleted == {"alerts": 1, "mode_changes": 1}
    assert set(Alert.objects.values_list("id", flat=True)) == {old_open.id, recent.id}
    assert not Alarm.objects.filter(alert_id=old_closed.id).exists()
    assert list(ModeChange.objects.values_list("at", flat=True)) == [cutoff]
