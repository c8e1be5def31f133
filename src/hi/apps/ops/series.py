"""Chart series over any range: raw readings for short ranges, hourly aggregates for long ones.

A year of a sensor that reports every 10 s is three million readings; its chart reads at most 8,760
hourly rows (plus the readings of the hour not yet summarised) and merges them into at most
``max_points`` buckets, each keeping the mean as the line and the min/max as its band.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from hi.apps.sense.models import SensorHistory

from .models import SensorHourly
from .rollup import AGGREGATED_THROUGH, HOUR, floor_hour, get_marker, summarise

RAW_UP_TO = dt.timedelta(hours=24)  # ranges up to this long chart every reading


@dataclass(frozen=True)
class Bucket:
    """One chart point: a period's start, its mean, min and max, and how many readings it holds."""

    at: dt.datetime
    mean: float
    minimum: float
    maximum: float
    count: int


def use_aggregates(since: dt.datetime, until: dt.datetime) -> bool:
    return until - since > RAW_UP_TO


def _merge(hours: list[tuple[dt.datetime, int, float, float, float]], width: int) -> list[Bucket]:
    """Merge hourly rows (sorted) into buckets ``width`` hours wide, exactly (sums and counts, not means)."""
    buckets: list[Bucket] = []
    current: list = []
    for hour, count, low, high, total in hours:
        epoch_hours = int(hour.timestamp() // 3600)
        start = epoch_hours - epoch_hours % width
        if current and current[0] == start:
            current[1] += count
            current[2] = min(current[2], low)
            current[3] = max(current[3], high)
            current[4] += total
        else:
            if current:
                buckets.append(_bucket(current))
            current = [start, count, low, high, total]
    if current:
        buckets.append(_bucket(current))
    return buckets


def _bucket(acc: list) -> Bucket:
    start, count, low, high, total = acc
    return Bucket(dt.datetime.fromtimestamp(start * 3600, dt.UTC), total / count, low, high, int(count))


def aggregated_series(state_id: int, since: dt.datetime, until: dt.datetime, max_points: int) -> list[Bucket]:
    """Buckets covering ``[since, until)`` for one entity state's numeric sensors."""
    through = get_marker(AGGREGATED_THROUGH) or floor_hour(since)
    through = max(min(through, until), floor_hour(since))
    first_hour = floor_hour(since)
    rows: dict[dt.datetime, list[float]] = {}
    stored = (SensorHourly.objects.filter(sensor__entity_state_id=state_id, hour__gte=first_hour, hour__lt=through)
              .values_list("hour", "count", "minimum", "maximum", "total"))
    for hour, count, low, high, total in stored:
        _add(rows, hour, count, low, high, total)
    tail = (SensorHistory.objects.filter(sensor__entity_state_id=state_id, response_at__gte=max(through, since),
                                         response_at__lt=until).values_list("response_at", "value"))
    for hour, (count, low, high, total) in summarise(tail.iterator(chunk_size=5000)).items():
        _add(rows, hour, count, low, high, total)
    hours = sorted((hour, int(v[0]), v[1], v[2], v[3]) for hour, v in rows.items())
    span_hours = max(1, math.ceil((until - first_hour) / HOUR))
    width = max(1, math.ceil(span_hours / max(1, max_points)))
    return _merge(hours, width)


def _add(rows: dict[dt.datetime, list[float]], hour: dt.datetime, count: float, low: float, high: float,
         total: float) -> None:
    """Combine rows of one hour (a state may have several sensors)."""
    hour = floor_hour(hour)
    row = rows.get(hour)
    if row is None:
        rows[hour] = [count, low, high, total]
    else:
        row[0] += count
        row[1] = min(row[1], low)
        row[2] = max(row[2], high)
        row[3] += total
