"""Chart series over any range: raw readings for short ranges, hourly aggregates for long ones.

A year of a sensor that reports every 10 s is three million readings; its chart reads at most 8,760
hourly rows (plus the readings of the hour not yet summarised) and merges them into at most
``max_points`` buckets, each keeping the mean as the line and the min/max as its band.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import connection

from hi.apps.sense.models import Sensor, SensorHistory

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


def _stored_buckets(sensor_ids: list[int], start: dt.datetime, end: dt.datetime, width: int) -> dict[int, list]:
    """Stored hours merged into ``width``-hour buckets by the database: at most a few thousand rows come back.

    ``{bucket number (hours since the epoch // width): [count, min, max, total]}``.
    """
    if not sensor_ids or start >= end:
        return {}
    seconds = 3600 * width
    if connection.vendor == "sqlite":  # Django keeps SQLite datetimes as UTC text, which strftime reads
        bucket = f"CAST(strftime('%%s', hour) AS INTEGER) / {seconds}"
    else:
        bucket = f"FLOOR(EXTRACT(EPOCH FROM hour) / {seconds})"
    table = connection.ops.quote_name(SensorHourly._meta.db_table)
    marks = ", ".join(["%s"] * len(sensor_ids))
    sql = (f"SELECT {bucket} AS b, SUM(count), MIN(minimum), MAX(maximum), SUM(total) FROM {table} "
           f"WHERE sensor_id IN ({marks}) AND hour >= %s AND hour < %s GROUP BY b")
    params = [*sensor_ids, connection.ops.adapt_datetimefield_value(start),
              connection.ops.adapt_datetimefield_value(end)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(b): [int(count), low, high, total] for b, count, low, high, total in cursor.fetchall()}


def aggregated_series(state_id: int, since: dt.datetime, until: dt.datetime, max_points: int) -> list[Bucket]:
    """Buckets covering ``[since, until)`` for one entity state's numeric sensors."""
    through = get_marker(AGGREGATED_THROUGH) or floor_hour(since)
    through = max(min(through, until), floor_hour(since))
    first_hour = floor_hour(since)
    span_hours = max(1, math.ceil((until - first_hour) / HOUR))
    width = max(1, math.ceil(span_hours / max(1, max_points)))
    sensor_ids = list(Sensor.objects.filter(entity_state_id=state_id).values_list("id", flat=True))
    buckets = _stored_buckets(sensor_ids, first_hour, through, width)
    tail = (SensorHistory.objects.filter(sensor_id__in=sensor_ids, response_at__gte=max(through, since),
                                         response_at__lt=until).order_by().values_list("response_at", "value"))
    for hour, (count, low, high, total) in summarise(tail.iterator(chunk_size=5000)).items():
        key = int(hour.timestamp() // 3600) // width
        _add(buckets, key, count, low, high, total)
    seconds = 3600 * width
    return [Bucket(dt.datetime.fromtimestamp(key * seconds, dt.UTC), total / count, low, high, int(count))
            for key, (count, low, high, total) in sorted(buckets.items())]


def _add(rows: dict[int, list], key: int, count: float, low: float, high: float, total: float) -> None:
    """Combine into one bucket (hours of several sensors, or stored hours and fresh ones)."""
    row = rows.get(key)
    if row is None:
        rows[key] = [count, low, high, total]
    else:
        row[0] += count
        row[1] = min(row[1], low)
        row[2] = max(row[2], high)
        row[3] += total
