"""Readings that arrive after their hour was summarised still end up in the aggregates, exactly once,
and pruning never deletes a reading that the aggregates have not counted."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.ops import retention
from hi.apps.ops.models import SensorHourly
from hi.apps.ops.rollup import AGGREGATED_THROUGH, aggregate_pending, get_marker, get_watermark
from hi.apps.sense.models import SensorHistory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def readings(sensor, *pairs: tuple[dt.datetime, float]) -> None:
    SensorHistory.objects.bulk_create([SensorHistory(sensor=sensor, response_at=at, value=v) for at, v in pairs])


def stored(sensor) -> dict[dt.datetime, tuple[int, float, float, float]]:
    return {h.hour: (h.count, h.minimum, h.maximum, h.total) for h in SensorHourly.objects.filter(sensor=sensor)}


def test_a_late_reading_is_folded_into_its_summarised_hour_once():
    device = make_device("thermo", S.TEMPERATURE)
    readings(device.sensor, (T0 + dt.timedelta(minutes=5), 10.0), (T0 + dt.timedelta(minutes=50), 20.0))
    aggregate_pending(now=T0 + 3 * HOUR)
    assert stored(device.sensor) == {T0: (2, 10.0, 20.0, 30.0)}
    assert get_marker(AGGREGATED_THROUGH) == T0 + 2 * HOUR
    # two hours late (a device back online), plus one for an hour that had nothing before
    readings(device.sensor, (T0 + dt.timedelta(minutes=30), 5.0), (T0 + HOUR + dt.timedelta(minutes=1), 7.0))
    aggregate_pending(now=T0 + 3 * HOUR)
    assert stored(device.sensor) == {T0: (3, 5.0, 20.0, 35.0), T0 + HOUR: (1, 7.0, 7.0, 7.0)}
    aggregate_pending(now=T0 + 4 * HOUR)  # a pass with nothing late changes nothing already counted
    assert stored(device.sensor)[T0] == (3, 5.0, 20.0, 35.0)
    assert get_watermark() == SensorHistory.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_a_late_reading_older_than_raw_retention_is_counted_before_it_is_pruned():
    device = make_device("thermo", S.TEMPERATURE)
    old = T0 - dt.timedelta(days=40)
    now = T0
    readings(device.sensor, (old, 10.0), (old + dt.timedelta(minutes=10), 12.0))
    aggregate_pending(now=now)
    retention.prune(now=now, pause=0, duty=1)
    assert not SensorHistory.objects.exists()  # raw gone, the hour kept as an aggregate
    readings(device.sensor, (old + dt.timedelta(minutes=20), 30.0))  # a back-fill of that old hour
    retention.prune(now=now, pause=0, duty=1)
    assert SensorHistory.objects.count() == 1  # not counted yet: pruning leaves it alone
    aggregate_pending(now=now)
    assert stored(device.sensor)[old] == (3, 10.0, 30.0, 52.0)
    retention.prune(now=now, pause=0, duty=1)
    assert not SensorHistory.objects.exists()
    assert stored(device.sensor)[old] == (3, 10.0, 30.0, 52.0)


def test_readings_for_the_hours_being_summarised_are_not_counted_twice():
    device = make_device("thermo", S.TEMPERATURE)
    readings(device.sensor, (T0 + dt.timedelta(minutes=1), 1.0))
    aggregate_pending(now=T0 + 2 * HOUR)  # hour 0 done, marker at hour 1
    # arrives late for hour 0, and on time for hour 1 (summarised by the next pass, not folded)
    readings(device.sensor, (T0 + dt.timedelta(minutes=2), 2.0), (T0 + HOUR + dt.timedelta(minutes=3), 3.0))
    aggregate_pending(now=T0 + 3 * HOUR)
    assert stored(device.sensor) == {T0: (2, 1.0, 2.0, 3.0), T0 + HOUR: (1, 3.0, 3.0, 3.0)}


def test_an_import_while_a_pass_runs_counts_every_reading_once(monkeypatch):
    """The pass has read a late reading when ``hi import`` commits readings of its own: the pass must not
    write what it read (nor move the id marker back), and the late reading must not be skipped."""
    from django.db import transaction

    from hi.apps.ops import rollup
    from hi.apps.ops.importer import import_history

    device = make_device("thermo", S.TEMPERATURE)
    readings(device.sensor, (T0 + 5 * HOUR, 50.0))
    aggregate_pending(now=T0 + 8 * HOUR)
    readings(device.sensor, (T0 + 3 * HOUR, 30.0))  # late, for an hour summarised already
    document = {"history": [{"state_id": 1, "response_at": (T0 + dt.timedelta(minutes=m)).isoformat(), "value": m}
                            for m in (10, 20)]}
    real_summarise, imported = rollup.summarise, []

    def summarise_then_import(rows):
        buckets = real_summarise(rows)
        if not imported:  # between the pass's read and its write, as another process would
            imported.append(True)
            counts = {"history": 0, "hourly": 0, "events": 0, "control_history": 0}
            with transaction.atomic():
                import_history(document, {1: device.state}, counts)
            assert counts["history"] == 2
        return buckets

    monkeypatch.setattr(rollup, "summarise", summarise_then_import)
    aggregate_pending(now=T0 + 8 * HOUR)
    assert imported
    monkeypatch.setattr(rollup, "summarise", real_summarise)
    aggregate_pending(now=T0 + 8 * HOUR)
    aggregate_pending(now=T0 + 9 * HOUR)
    assert stored(device.sensor) == {T0: (2, 10.0, 20.0, 30.0), T0 + 3 * HOUR: (1, 30.0, 30.0, 30.0),
                                     T0 + 5 * HOUR: (1, 50.0, 50.0, 50.0)}
    assert get_watermark() == SensorHistory.objects.order_by("-pk").values_list("pk", flat=True).first()
