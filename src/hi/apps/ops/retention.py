"""Pruning old history in small batches, so the worker never holds a long write lock.

Append-only logs (sensor and control history) are swept in primary-key order, which is arrival
order: a batch of old rows then sits on a few neighbouring table pages, so one short transaction
dirties a few dozen pages instead of one page per row (a per-sensor walk through the time index
touches rows that lie all over the table: ~2,000 scattered pages, 8 MB of WAL, per 2,000-row batch).
Each batch's candidates are read first (a read: under WAL it blocks no one), then deleted in one
short transaction, then the pruner waits so the ingest pipeline gets the write lock: at least
``pause``, and long enough that the pruner holds the lock at most ``duty`` of the time. Rows the
sweep cannot reach in order (history back-filled later, rows behind a stretch of young ones) are
found afterwards through each model's time index. Nothing younger than a kind's retention is ever
selected, and raw sensor history is only deleted below the point up to which it has been summarised
into hourly aggregates. A retention of 0 days keeps that kind for ever.
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
from .pacing import Pacer
from .rollup import AGGREGATED_THROUGH, get_marker, get_watermark

logger = logging.getLogger("hi.ops.retention")


@dataclass
class PruneReport:
    """What one pruning pass removed, per kind, how long it took and how long it held the write lock."""

    deleted: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    seconds: float = 0.0
    busy: float = 0.0  # seconds holding the write lock (inside delete transactions)
    cutoffs: dict[str, str] = field(default_factory=dict)
    stopped: bool = False

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


@dataclass
class _Batcher:
    batch: int
    pacer: Pacer
    should_stop: Callable[[], bool]
    report: PruneReport

    def sweep(self, kind: str, model: type[models.Model], time_field: str, cut: dt.datetime,
              max_pk: int | None = None) -> None:
        """Delete the rows older than ``cut`` in primary-key order, until a batch-sized stretch holds none.

        Reads ``batch`` rows' keys and whether each is old (no lock), then deletes the old ones of
        that key range in one transaction. Stops at the first stretch with no old rows: beyond it
        history is young, and the stragglers are left to the index walk that follows. Rows above
        ``max_pk`` are never touched.
        """
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        column = connection.ops.quote_name(model._meta.get_field(time_field).column)
        bound = connection.ops.adapt_datetimefield_value(cut)
        last: Any = None
        while not self._stopping():
            with connection.cursor() as cursor:
                where = f"WHERE {pk} > %s " if last is not None else ""
                cursor.execute(f"SELECT {pk}, CASE WHEN {column} < %s THEN 1 ELSE 0 END FROM {table} {where}"
                               f"ORDER BY {pk} LIMIT %s", [bound, *([last] if last is not None else []), self.batch])
                rows = cursor.fetchall()
            old = [key for key, is_old in rows if is_old and (max_pk is None or key <= max_pk)]
            if not old:
                return
            sql = f"DELETE FROM {table} WHERE {pk} >= %s AND {pk} <= %s AND {column} < %s"
            params = [old[0], old[-1], bound]

            def delete(cursor: Any, sql: str = sql, params: list = params) -> int:
                cursor.execute(sql, params)
                return cursor.rowcount

            self._write(kind, delete)
            last = rows[-1][0]

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
            while not self._stopping():
                wanted = self.batch - len(pending)
                # pending only ever holds other querysets' rows: this one is re-read only after a flush
                ids = list(queryset.values_list("pk", flat=True)[:wanted])
                pending.extend(ids)
                if len(pending) >= self.batch:
                    self._delete(kind, model, pending)
                    pending = []
                if len(ids) < wanted:
                    break  # this queryset is empty now (or after the pending batch goes)
            if self.report.stopped:
                break
        if pending:
            self._delete(kind, model, pending)

    def _stopping(self) -> bool:
        if self.should_stop():
            self.report.stopped = True
        return self.report.stopped

    def _delete(self, kind: str, model: type[models.Model], ids: list[Any]) -> None:
        # counts this model's rows only, not what cascades with them (an alert's alarms)
        self._write(kind, lambda cursor: model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0))

    def _write(self, kind: str, work: Callable[[Any], int]) -> None:
        """One short transaction; counts what it deleted, then lets the ingest pipeline in."""
        with transaction.atomic(), connection.cursor() as cursor:
            began = time.monotonic()  # the write lock is ours from here (BEGIN IMMEDIATE) to the commit
            deleted = int(work(cursor))
        busy = time.monotonic() - began
        self.report.busy += busy
        if deleted:
            self.report.deleted[kind] = self.report.deleted.get(kind, 0) + deleted
        self.report.batches += 1
        self.pacer.after(busy)


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
          duty: float | None = None, should_stop: Callable[[], bool] = lambda: False) -> PruneReport:
    """Delete what is older than each kind's retention; safe to stop and resume at any batch."""
    knobs = prune_settings()
    report = PruneReport()
    pacer = Pacer(knobs["pause"].value if pause is None else pause, knobs["duty"].value if duty is None else duty,
                  should_stop)
    batcher = _Batcher(int(batch or knobs["batch"].value), pacer, should_stop, report)
    started = time.monotonic()
    limits = cutoffs(now)
    report.cutoffs = {kind: at.isoformat() if at else "keep" for kind, at in limits.items()}
    sensor_ids = list(Sensor.objects.values_list("id", flat=True))
    if (cut := limits.get("sensor_history")) is not None:
        counted = get_watermark()  # rows above it are not in the aggregates yet (late readings): they wait
        batcher.sweep("sensor_history", SensorHistory, "response_at", cut, max_pk=counted)
        old = SensorHistory.objects.filter(response_at__lt=cut)
        if counted is not None:
            old = old.filter(pk__lte=counted)
        batcher.drain("sensor_history", *(  # per sensor, so each select walks the (sensor, time) index
            old.filter(sensor_id=sensor_id) for sensor_id in sensor_ids))
    if (cut := limits.get("aggregates")) is not None:
        batcher.drain("aggregates", *(SensorHourly.objects.filter(sensor_id=sensor_id, hour__lt=cut)
                                      for sensor_id in sensor_ids))
    if (cut := limits.get("events")) is not None:
        batcher.drain("events", Event.objects.filter(start__lt=cut, end__isnull=False).order_by())
        for kind, queryset in alarm_history(cut):  # alerts are kept as long as events
            batcher.drain(kind, queryset)
    if (cut := limits.get("control_history")) is not None:
        batcher.sweep("control_history", ControllerHistory, "requested_at", cut)
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


def reclaim_space(pages_per_step: int = 500, pause: float = 0.05, duty: float | None = None, keep: float = 0.0,
                  should_stop: Callable[[], bool] = lambda: False) -> int:
    """Give free pages back to the file system (SQLite, incremental auto_vacuum); returns pages freed.

    Each ``incremental_vacuum`` step is a short write transaction (it moves pages from the end of
    the file into the holes, so every step is written to the WAL), paced like the pruner's deletes.
    ``keep`` leaves that share of the file free: ingest reuses free pages, so a steady hub that prunes
    as much as it writes neither grows nor churns pages in and out of the file. PostgreSQL needs
    nothing here: its autovacuum makes deleted rows' space reusable, so the database stops growing.
    """
    if sqlite_auto_vacuum() != 2:
        return 0
    pacer = Pacer(pause, prune_settings()["duty"].value if duty is None else duty, should_stop)
    freed = 0
    with connection.cursor() as cursor:
        reserve = int(_page_count(cursor) * keep)
        while not should_stop():
            cursor.execute("PRAGMA freelist_count")
            step = min(int(cursor.fetchone()[0]) - reserve, pages_per_step)
            if step <= 0:
                break
            before = _page_count(cursor)
            began = time.monotonic()
            cursor.execute(f"PRAGMA incremental_vacuum({int(step)})")
            cursor.fetchall()
            pacer.after(time.monotonic() - began)
            given_back = before - _page_count(cursor)  # what the file lost, not what was asked for
            if given_back <= 0:
                break  # nothing moved (another writer took the free pages): try again next pass
            freed += given_back
    return freed


def _page_count(cursor: Any) -> int:
    cursor.execute("PRAGMA page_count")
    return int(cursor.fetchone()[0])
