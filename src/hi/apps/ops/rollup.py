"""Hourly min/mean/max of numeric sensor history, computed as hours complete.

Aggregation runs ahead of pruning: raw history is only ever deleted below the ``aggregated_through``
marker, so an hour is summarised before its readings go. Two markers make every reading count
exactly once: ``aggregated_through`` (hours before it are summarised) and ``aggregated_id`` (the
history row ids read so far). A reading that arrives for an hour already summarised (an integration
back-filling, a device that was offline, more than ``LAG`` late) has an id above ``aggregated_id``
and a time below ``aggregated_through``: the next pass folds it into its hour, in the transaction
that advances ``aggregated_id``, and pruning never deletes a row above that id, so no late reading
is lost to the aggregates even when its hour's other readings are pruned already.

A pass reads outside transactions, so ``hi import`` (which counts the history it brings in itself)
could slip between a pass's read and its write: every import bumps ``history_generation``, and every
write of a pass first checks, under a lock, that the generation is the one the pass began with. If
not, the pass stops (``HistoryImported``) and the next one starts over from the markers as they are.

Known limit, PostgreSQL only: ids come from a sequence before commit, so a late reading whose batch
is still committing while a pass reads the newest id (with a higher id already visible) falls below
``aggregated_id`` unread and is missing from its hour's aggregate. SQLite hands out ids in commit order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from hi.apps.sense.models import Sensor, SensorHistory
from hi.utils.numbers import finite_number

from .models import OpsMarker, SensorHourly

logger = logging.getLogger("hi.ops.rollup")

AGGREGATED_THROUGH = "aggregated_through"
AGGREGATED_ID = "aggregated_id"
HISTORY_GENERATION = "history_generation"
LATE_CHUNK = 20_000  # history ids read per late-reading transaction
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


def get_watermark() -> int | None:
    """The highest history row id whose reading is in the aggregates (or waits for its hour): None if unset."""
    return OpsMarker.objects.filter(name=AGGREGATED_ID).values_list("number", flat=True).first()


def set_watermark(value: int) -> None:
    OpsMarker.objects.update_or_create(name=AGGREGATED_ID, defaults={"at": timezone.now(), "number": value})


class HistoryImported(Exception):
    """History was imported after this pass read it: what it read is stale, so it must not be written."""


def _generation_marker(lock: bool) -> OpsMarker:
    rows = OpsMarker.objects.select_for_update() if lock else OpsMarker.objects
    marker, _ = rows.get_or_create(name=HISTORY_GENERATION, defaults={"at": timezone.now(), "number": 0})
    return marker


def history_generation() -> int:
    """How many imports of history this hub has taken (the row is made here, so later imports lock it)."""
    return _generation_marker(lock=False).number or 0


def bump_history_generation() -> None:
    """Called in the import's transaction before it reads any marker: holds the lock until it commits."""
    marker = _generation_marker(lock=True)
    marker.number = (marker.number or 0) + 1
    marker.at = timezone.now()
    marker.save(update_fields=["number", "at"])


@contextlib.contextmanager
def guarded_write(generation: int | None) -> Iterator[None]:
    """A transaction for one write of a pass, refused if history was imported since the pass began."""
    with transaction.atomic():
        if generation is not None and _generation_marker(lock=True).number != generation:
            raise HistoryImported
        yield


def newest_history_id() -> int:
    return SensorHistory.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def merge_buckets(sensor_id: int, buckets: dict[dt.datetime, list[float]]) -> None:
    """Add readings' buckets to the stored hours of one sensor (creating the hours it lacks)."""
    stored = {row.hour: row for row in SensorHourly.objects.filter(sensor_id=sensor_id, hour__in=list(buckets))}
    changed, created = [], []
    for hour, (count, low, high, total) in buckets.items():
        row = stored.get(hour)
        if row is None:
            created.append(SensorHourly(sensor_id=sensor_id, hour=hour, count=int(count), minimum=low, maximum=high,
                                        total=total))
            continue
        row.count += int(count)
        row.minimum, row.maximum, row.total = min(row.minimum, low), max(row.maximum, high), row.total + total
        changed.append(row)
    SensorHourly.objects.bulk_update(changed, ["count", "minimum", "maximum", "total"], batch_size=500)
    SensorHourly.objects.bulk_create(created, batch_size=500)


def fold_late(through: dt.datetime, upto_id: int, should_stop: Callable[[], bool] = lambda: False,
              chunk: int = LATE_CHUNK, generation: int | None = None) -> int:
    """Fold readings stored since the last pass for hours before ``through`` into those hours; returns readings.

    Reads new rows by id range (an index walk over what arrived since the last pass), then adds the
    late ones to their hours and advances the id marker in the same transaction: a crash in between
    leaves both as they were, so nothing is counted twice.
    """
    start = get_watermark() or 0
    folded = 0
    while start < upto_id and not should_stop():
        end = min(start + chunk, upto_id)
        late = (SensorHistory.objects.filter(pk__gt=start, pk__lte=end, response_at__lt=through).order_by()
                .values_list("sensor_id", "response_at", "value"))
        per_sensor: dict[int, list[tuple[dt.datetime, Any]]] = {}
        for sensor_id, at, value in late.iterator(chunk_size=5000):
            per_sensor.setdefault(sensor_id, []).append((at, value))
        summaries = {sensor_id: summarise(rows) for sensor_id, rows in per_sensor.items()}
        with guarded_write(generation):
            for sensor_id, buckets in summaries.items():
                if buckets:
                    merge_buckets(sensor_id, buckets)
            set_watermark(end)
        folded += sum(len(rows) for rows in per_sensor.values())
        start = end
    return folded


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


def aggregate_range(start: dt.datetime, end: dt.datetime, sensor_ids: Iterable[int] | None = None,
                    upto_id: int | None = None, generation: int | None = None) -> int:
    """(Re)compute the aggregates of the hours in ``[start, end)`` that have readings; returns hours written.

    One indexed read per sensor, outside any transaction; one short write per sensor with readings,
    replacing exactly the hours it recomputes — never an hour whose raw readings may be pruned already.
    Only rows up to ``upto_id`` count: later ones are folded in by the next pass as late readings.
    """
    ids = list(sensor_ids) if sensor_ids is not None else list(Sensor.objects.values_list("id", flat=True))
    written = 0
    for sensor_id in ids:
        rows = SensorHistory.objects.filter(sensor_id=sensor_id, response_at__gte=start, response_at__lt=end)
        if upto_id is not None:
            rows = rows.filter(pk__lte=upto_id)
        rows = rows.values_list("response_at", "value")
        buckets = summarise(rows.iterator(chunk_size=5000))
        if not buckets:
            continue
        hours = sorted(buckets)
        with guarded_write(generation):
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
    """Fold late readings in, then summarise every complete hour not yet summarised, a chunk of hours at
    a time; returns hours written (late readings change hours already counted)."""
    now = now or timezone.now()
    limit = floor_hour(now - LAG)
    generation = history_generation()  # before any marker is read: an import after this stops the pass
    written = 0
    try:
        start = get_marker(AGGREGATED_THROUGH)
        newest = newest_history_id()
        if start is None or get_watermark() is None:
            with guarded_write(generation):  # nothing summarised yet, or a hub from before the id marker
                set_watermark(newest)
        else:
            fold_late(start, newest, should_stop, generation=generation)
        upto_id = get_watermark()
        sensor_ids = list(Sensor.objects.values_list("id", flat=True))
        if start is None:
            earliest = _earliest_history(sensor_ids)
            start = floor_hour(earliest) if earliest is not None else limit
        while start < limit and not should_stop():
            end = min(start + chunk, limit)
            written += aggregate_range(start, end, sensor_ids, upto_id, generation=generation)
            with guarded_write(generation):
                set_marker(AGGREGATED_THROUGH, end)
            start = end
            between_chunks()
        if get_marker(AGGREGATED_THROUGH) is None:
            with guarded_write(generation):
                set_marker(AGGREGATED_THROUGH, limit)
    except HistoryImported:
        logger.info("history was imported while aggregating: this pass stops, the next one starts over")
    return written
