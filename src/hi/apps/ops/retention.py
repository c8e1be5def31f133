"""Pruning old history in small batches, so the worker never holds a long write lock.

Each batch selects at most ``batch`` primary keys through an index (a read: under WAL it blocks no
one), then deletes exactly those rows in one short transaction, then pauses so the ingest pipeline
can take the write lock. Nothing younger than a kind's retention is ever selected, and raw sensor
history is only deleted below the point up to which it has been summarised into hourly aggregates.
A retention of 0 days keeps that kind for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from hi.apps.control.models import ControllerHistory, ControlOutcome
from hi.apps.event.models import Event
from hi.apps.sense.models import Sensor, SensorHistory

from .config import prune_settings, retention_settings
from .models import SensorHourly
from .rollup import AGGREGATED_THROUGH, get_marker

logger = logging.getLogger("hi.ops.retention")


@dataclass
class PruneReport:
    """What one pruning pass removed, per kind, and how long it took."""

    deleted: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    seconds: float = 0.0
    cutoffs: dict[str, str] = field(default_factory=dict)
    stopped: bool = False

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


@dataclass
class _Batcher:
    batch: int
    pause: float
    should_stop: Callable[[], bool]
    report: PruneReport

    def drain(self, kind: str, *candidates: models.QuerySet) -> None:
        """Delete every row of ``candidates`` (querysets of one model), ``batch`` rows per transaction.

        Ids are gathered across querysets (one per sensor, say) until a batch is full, so a thousand
        sensors with a few old rows each cost a few transactions, not a thousand.
        """
        if not candidates:
            return
        model = candidates[0].model
        pending: list[Any] = []
        for queryset in candidates:
            while not self.should_stop():
                wanted = self.batch - len(pending)
                # pending only ever holds other querysets' rows: this one is re-read only after a flush
                ids = list(queryset.values_list("pk", flat=True)[:wanted])
                pending.extend(ids)
                if len(pending) >= self.batch:
                    self._delete(kind, model, pending)
                    pending = []
                if len(ids) < wanted:
                    break  # this queryset is empty now (or after the pending batch goes)
            if self.should_stop():
                self.report.stopped = True
                break
        if pending:
            self._delete(kind, model, pending)

    def _delete(self, kind: str, model: type[models.Model], ids: list[Any]) -> None:
        with transaction.atomic():
            model.objects.filter(pk__in=ids).delete()
        self.report.deleted[kind] = self.report.deleted.get(kind, 0) + len(ids)
        self.report.batches += 1
        if self.pause > 0:
            time.sleep(self.pause)  # let the ingest pipeline's transactions in


def cutoffs(now: dt.datetime | None = None) -> dict[str, dt.datetime | None]:
    """The instant before which each kind is pruned (None: kept for ever)."""
    now = now or timezone.now()
    result: dict[str, dt.datetime | None] = {}
    for name, setting in retention_settings().items():
        kind = name.removesuffix("_days")
        result[kind] = now - dt.timedelta(days=setting.value) if setting.value > 0 else None
    raw = result.get("sensor_history")
    if raw is not None:  # never delete readings that are not summarised yet
        through = get_marker(AGGREGATED_THROUGH)
        result["sensor_history"] = min(raw, through) if through is not None else None
    return result


def alarm_history(cut: dt.datetime) -> list[tuple[str, models.QuerySet]]:
    """Closed alerts (their alarms go with them) and security-mode changes, kept as long as events."""
    try:
        alert = apps.get_model("alarm", "Alert")
        mode_change = apps.get_model("alarm", "ModeChange")
    except LookupError:  # the alarm app is not installed
        return []
    return [("alerts", alert.objects.filter(closed_at__isnull=False, last_fired_at__lt=cut).order_by()),
            ("mode_changes", mode_change.objects.filter(at__lt=cut).order_by())]


def prune(now: dt.datetime | None = None, *, batch: int | None = None, pause: float | None = None,
          should_stop: Callable[[], bool] = lambda: False) -> PruneReport:
    """Delete what is older than each kind's retention; safe to stop and resume at any batch."""
    knobs = prune_settings()
    report = PruneReport()
    batcher = _Batcher(int(batch or knobs["batch"].value), knobs["pause"].value if pause is None else pause,
                       should_stop, report)
    started = time.monotonic()
    limits = cutoffs(now)
    report.cutoffs = {kind: at.isoformat() if at else "keep" for kind, at in limits.items()}
    sensor_ids = list(Sensor.objects.values_list("id", flat=True))
    if (cut := limits.get("sensor_history")) is not None:
        batcher.drain("sensor_history", *(  # per sensor, so each select walks the (sensor, time) index
            SensorHistory.objects.filter(sensor_id=sensor_id, response_at__lt=cut) for sensor_id in sensor_ids))
    if (cut := limits.get("aggregates")) is not None:
        batcher.drain("aggregates", *(SensorHourly.objects.filter(sensor_id=sensor_id, hour__lt=cut)
                                      for sensor_id in sensor_ids))
    if (cut := limits.get("events")) is not None:
        batcher.drain("events", Event.objects.filter(start__lt=cut, end__isnull=False).order_by())
        for kind, queryset in alarm_history(cut):  # alerts are kept as long as events
            batcher.drain(kind, queryset)
    if (cut := limits.get("control_history")) is not None:
        batcher.drain("control_history", *(  # walks the (outcome, requested_at) index
            ControllerHistory.objects.filter(outcome=outcome, requested_at__lt=cut).order_by()
            for outcome in ControlOutcome.values))
    report.seconds = time.monotonic() - started
    if report.total:
        logger.info("pruned %d rows in %d batches (%.1f s): %s", report.total, report.batches, report.seconds,
                    report.deleted)
    return report


# -- reclaiming space ----------------------------------------------------------------------------------
def sqlite_auto_vacuum() -> int | None:
    """0 none, 1 full, 2 incremental; None on other databases."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA auto_vacuum")
        return int(cursor.fetchone()[0])


def reclaim_space(pages_per_step: int = 2000, pause: float = 0.05,
                  should_stop: Callable[[], bool] = lambda: False) -> int:
    """Give free pages back to the file system (SQLite, incremental auto_vacuum); returns pages freed.

    Each ``incremental_vacuum`` step is a short write; PostgreSQL needs nothing here: its autovacuum
    makes deleted rows' space reusable, so the database stops growing rather than shrinking.
    """
    if sqlite_auto_vacuum() != 2:
        return 0
    freed = 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_size_limit = 67108864")  # a checkpoint then trims the WAL file
        while not should_stop():
            cursor.execute("PRAGMA freelist_count")
            free = int(cursor.fetchone()[0])
            if free == 0:
                break
            step = min(free, pages_per_step)
            cursor.execute(f"PRAGMA incremental_vacuum({int(step)})")
            cursor.fetchall()
            freed += step
            if pause > 0:
                time.sleep(pause)
        if not connection.in_atomic_block:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            cursor.fetchall()
    return freed
