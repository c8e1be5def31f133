"""Hourly aggregates equal a direct computation over the raw readings, and charts read them for long ranges."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest
from django.test import Client

from hi.apps.access.testing import make_user
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.ops.models import SensorHourly
from hi.apps.ops.rollup import AGGREGATED_THROUGH, aggregate_pending, aggregate_range, get_marker, numeric
from hi.apps.ops.series import aggregated_series
from hi.apps.sense.models import Sensor, SensorHistory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)


def fill(sensor: Sensor, hours: int, every_s: int, rng: random.Random, start: dt.datetime = T0,
         noise: bool = True) -> list[tuple[dt.datetime, object]]:
    """Readings every ``every_s`` seconds; some text and on/off values mixed in, which must be ignored."""
    rows = []
    for n in range(hours * 3600 // every_s):
        at = start + dt.timedelta(seconds=n * every_s)
        value: object = round(rng.uniform(-10, 30), 2)
        if noise and n % 17 == 0:
            value = rng.choice(["unavailable", "on", True, None, "21.5"])
        rows.append((at, value))
    SensorHistory.objects.bulk_create([SensorHistory(sensor=sensor, response_at=at, value=v) for at, v in rows])
    return rows


def direct(rows: list[tuple[dt.datetime, object]]) -> dict[dt.datetime, tuple[int, float, float, float]]:
    """The expected aggregates, computed the obvious way."""
    by_hour: dict[dt.datetime, list[float]] = {}
    for at, value in rows:
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = float(value)
        except ValueError:
            continue
        by_hour.setdefault(at.replace(minute=0, second=0, microsecond=0), []).append(number)
    return {h: (len(v), min(v), max(v), statistics.fmean(v)) for h, v in by_hour.items()}


def test_numeric_accepts_numbers_and_numeric_text_only():
    assert numeric(3) == 3.0 and numeric("21.5") == 21.5 and numeric(" 4 ") == 4.0
    assert numeric(True) is None and numeric("on") is None and numeric(None) is None
    assert numeric(float("nan")) is None and numeric({"a": 1}) is None


def test_aggregates_equal_direct_computation():
    device = make_device("thermo", S.TEMPERATURE)
    rows = fill(device.sensor, hours=5, every_s=70, rng=random.Random(7))
    written = aggregate_range(T0, T0 + dt.timedelta(hours=5))
    expected = direct(rows)
    stored = {h.hour: (h.count, h.minimum, h.maximum, h.mean) for h in SensorHourly.objects.all()}
    assert written == 5 and set(stored) == set(expected)
    for hour, (count, low, high, mean) in expected.items():
        got = stored[hour]
        assert got[:3] == (count, low, high)
        assert got[3] == pytest.approx(mean, rel=1e-12)


def test_aggregating_twice_changes_nothing():
    device = make_device("thermo", S.TEMPERATURE)
    fill(device.sensor, hours=2, every_s=600, rng=random.Random(1))
    aggregate_range(T0, T0 + dt.timedelta(hours=2))
    first = list(SensorHourly.objects.values_list("hour", "count", "minimum", "maximum", "total"))
    aggregate_range(T0, T0 + dt.timedelta(hours=2))
    assert list(SensorHourly.objects.values_list("hour", "count", "minimum", "maximum", "total")) == first


def test_pending_hours_are_summarised_up_to_the_lag_and_the_marker_follows():
    device = make_device("thermo", S.TEMPERATURE)
    fill(device.sensor, hours=30, every_s=900, rng=random.Random(2), noise=False)
    now = T0 + dt.timedelta(hours=30, minutes=5)  # hour 29 ended 5 minutes ago: inside the lag
    written = aggregate_pending(now=now, chunk=dt.timedelta(hours=7))
    assert written == 29
    assert get_marker(AGGREGATED_THROUGH) == T0 + dt.timedelta(hours=29)
    assert aggregate_pending(now=now) == 0
    assert aggregate_pending(now=now + dt.timedelta(minutes=10)) == 1


def test_no_history_sets_the_marker_to_now():
    now = T0 + dt.timedelta(minutes=30)
    assert aggregate_pending(now=now) == 0
    assert get_marker(AGGREGATED_THROUGH) == T0  # (T0 + 30 min - lag) floored to the hour


def test_aggregated_series_matches_raw_across_the_marker_and_merges_buckets():
    device = make_device("thermo", S.TEMPERATURE)
    rows = fill(device.sensor, hours=48, every_s=300, rng=random.Random(3))
    aggregate_pending(now=T0 + dt.timedelta(hours=20))  # hours 0..18 summarised, the rest read raw
    buckets = aggregated_series(device.state.id, T0, T0 + dt.timedelta(hours=48), max_points=12)
    assert len(buckets) == 12  # 48 hours in buckets of 4
    for bucket in buckets:
        inside = [(at, v) for at, v in rows if bucket.at <= at < bucket.at + dt.timedelta(hours=4)]
        merged = direct([(bucket.at, v) for _at, v in inside])[bucket.at]
        assert (bucket.count, bucket.minimum, bucket.maximum) == merged[:3]
        assert bucket.mean == pytest.approx(merged[3], rel=1e-12)


def test_year_chart_uses_aggregates():
    from django.utils import timezone

    user = make_user("alice", password="correct horse battery")
    client = Client()
    client.force_login(user)
    device = make_device("thermo", S.TEMPERATURE, value=20.0)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=6)
    fill(device.sensor, hours=6, every_s=600, rng=random.Random(4), start=start, noise=False)
    aggregate_pending()
    response = client.get(f"/entities/{device.entity.id}/history.json?state={device.state.id}&period=1y")
    assert response.status_code == 200, response.content[:200]
    body = response.json()
    assert body["aggregated"] is True
    assert {"min", "max"} <= set(body["points"][0])
    assert len(body["points"]) <= 2000
