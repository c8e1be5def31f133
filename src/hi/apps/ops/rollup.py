"""Hourly min/mean/max of numeric sensor history, computed as hours complete.

Aggregation runs ahead of pruning: raw history is only ever deleted below the ``aggregated_through``
marker, so an hour is summarised before its readings go. Readings that arrive for an hour already
summarised (an integration back-filling more than ``LAG`` late) are not added to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from hi.apps.sense.models import Sensor, SensorHistory
from hi.utils.numbers import finite_number

from .models import OpsMarker, SensorHourly

AGGREGATED_THROUGH = "aggregated_through"
LAG = dt.timedelta(minutes=10)  # an hour is summarised this long after it ends, for stragglers
HOUR = dt.timedelta(hours=1)


def numeric(value: Any) -> float | None:
    """The reading as a finite number, or None (text, on/off states and booleans are not numeric)."""
    return finite_number(value)


def floor_hour(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(dt.UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def get_marker(name: str) -> dt.datetime | None:
    row = OpsMarker.objects.filter(name=name).values_list("at", flat=True).first()
    return row


def set_marker(name: str, at: dt.datetime) -> None:
    OpsMarker.objects.update_or_create(name=name, defaults={"at": at})


def summarise(rows: Iterable[tuple[dt.datetime, Any]]) -> dict[dt.datetime, list[float]]:
    """``{hour: [count, min, max, total]}`` over the numeric readings among ``rows``."""
    buckets: dict[dt.datetime, list[float]] = {}
    for at, value in rows:
        number = numeric(value)
        if number is None:
            continue
        hour = floor_hour(at)
        bucket = buckets.get(hour)
        if bucket is None:
            buckets[hour] = [1, number, number, number]
        else:
            bucket[0] += 1
            bucket[1] = min(bucket[1], number)
            bucket[2] = max(bucket[2], number)
            bucket[3] += number
    return buckets


def aggregate_range(start: dt.datetime, end: dt.datetime, sensor_ids: Iterable[int] | None = None) -> int:
    """(Re)compute the aggregates of the hours in ``[start, end)`` that have readings; returns hours written.

    One indexed read per sensor, outside any transaction; one short write per sensor with readings,
    replacing exactly the hours it recomputes — never an hour whose raw readings may be pruned already.
    """
    ids = list(sensor_ids) if sensor_ids is not None else list(Sensor.objects.values_list("id", flat=True))
    written = 0
    for sensor_id in ids:
        rows = SensorHistory.objects.filter(sensor_id=sensor_id, response_at__gte=start,
                                            response_at__lt=end).values_list("response_at", "value")
        buckets = summarise(rows.iterator(chunk_size=5000))
        if not buckets:
            continue
        hours = sorted(buckets)
        with transaction.atomic():
            SensorHourly.objects.filter(sensor_id=sensor_id, hour__gte=hours[0], hour__lte=hours[-1],
                                        hour__in=hours).delete()
            SensorHourly.objects.bulk_create([
                SensorHourly(sensor_id=sensor_id, hour=hour, count=int(b[0]), minimum=b[1], maximum=b[2], total=b[3])
                for hour, b in sorted(buckets.items())], batch_size=500)
        written += len(buckets)
    return written


def _earliest_history(sensor_ids: list[int]) -> dt.datetime | None:
    earliest: dt.datetime | None = None
    for sensor_id in sensor_ids:  # one index probe per sensor, not a scan of the whole table
        first = (SensorHistory.objects.filter(sensor_id=sensor_id).order_by("response_at")
                 .values_list("response_at", flat=True).first())
        if first is not None and (earliest is None or first < earliest):
            earliest = first
    return earliest


def aggregate_pending(now: dt.datetime | None = None, chunk: dt.timedelta = dt.timedelta(days=30),
                      should_stop: Callable[[], bool] = lambda: False,
                      between_chunks: Callable[[], None] = lambda: None) -> int:
    """Summarise every complete hour not yet summarised, a chunk of hours at a time; returns hours written."""
    now = now or timezone.now()
    limit = floor_hour(now - LAG)
    start = get_marker(AGGREGATED_THROUGH)
    sensor_ids = list(Sensor.objects.values_list("id", flat=True))
    if start is None:
        earliest = _earliest_history(sensor_ids)
        start = floor_hour(earliest) if earliest is not None else limit
    written = 0
    while start < limit and not should_stop():
        end = min(start + chunk, limit)
        written += aggregate_range(start, end, sensor_ids)
        set_marker(AGGREGATED_THROUGH, end)
        start = end
        between_chunks()
    if get_marker(AGGREGATED_THROUGH) is None:
        set_marker(AGGREGATED_THROUGH, limit)
    return written
