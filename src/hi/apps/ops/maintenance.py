"""The worker's maintenance: hourly aggregates, pruning, giving space back, the query planner's
statistics (at start and every pass: ``statistics.py``), scheduled backups, and the systemd watchdog, which is fed only while the worker's heartbeat is fresh.

Every database step runs in its own thread (its own connection), never on the thread the worker's
other synchronous calls share, and works in small transactions, so ingest keeps flowing meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone

from .config import backup_settings, prune_settings
from .sdnotify import notify, watchdog_interval

logger = logging.getLogger("hi.ops.maintenance")
BACKUP_REFUSED = "backup_refused"  # OpsMarker: the last scheduled backup was refused (cleared by the next one)


def maintenance_pass(stop: threading.Event | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """One pass: aggregate complete hours, prune, reclaim space, refresh statistics, back up when due.

    Runs in a thread."""
    from .retention import prune, reclaim_space
    from .rollup import aggregate_pending
    from .statistics import refresh_statistics

    stop = stop or threading.Event()
    pause = prune_settings()["pause"].value
    close_old_connections()
    try:
        hours = aggregate_pending(now=now, should_stop=stop.is_set, between_chunks=lambda: stop.wait(pause))
        report = prune(now=now, should_stop=stop.is_set)
        freed = reclaim_space(keep=0.05, should_stop=stop.is_set) if report.total else 0
        statistics = None if stop.is_set() else refresh_statistics()
        backup = None if stop.is_set() else scheduled_backup_if_due(now)
        return {"aggregated_hours": hours, "pruned": report.deleted, "freed_pages": freed,
                "statistics": statistics, "backup": str(backup) if backup else None}
    finally:
        connection.close()


def scheduled_backup_if_due(now: dt.datetime | None = None) -> Any:
    """Take a backup into the backup dir when the newest one is older than the interval; rotate."""
    knobs = backup_settings()
    hours = knobs["interval_hours"].value
    if hours <= 0:
        return None
    from .backup import create_backup, newest_backup, rotate
    from .config import backup_dir
    from .diskspace import NotEnoughSpace
    from .models import OpsMarker

    now = now or timezone.now()
    directory = backup_dir()
    newest = newest_backup(directory)
    if newest is not None and now - newest[1] < dt.timedelta(hours=hours):
        return None
    try:
        path = create_backup(directory=directory)
    except NotEnoughSpace as exc:  # shown on the Settings page and by hi doctor, not only logged
        OpsMarker.objects.update_or_create(name=BACKUP_REFUSED, defaults={"at": timezone.now(), "note": str(exc)})
        logger.warning("scheduled backup refused: %s", exc)
        return None
    OpsMarker.objects.filter(name=BACKUP_REFUSED).delete()
    rotate(directory, keep=max(1, int(knobs["keep"].value)))
    logger.info("scheduled backup written: %s", path)
    return path


def backup_refused() -> tuple[dt.datetime, str] | None:
    """When the last scheduled backup was refused for lack of disk space, and the sentence saying why."""
    from .models import OpsMarker

    marker = OpsMarker.objects.filter(name=BACKUP_REFUSED).first()
    return None if marker is None else (marker.at, marker.note)


class Maintenance:
    """Runs beside the supervisor for as long as the worker runs."""

    def __init__(self, supervisor: Any, first_delay: float = 60.0) -> None:
        self.supervisor = supervisor
        self.first_delay = first_delay
        self._stop = asyncio.Event()
        self._thread_stop = threading.Event()
        self.started = asyncio.Event()  # set once the start's statistics refresh is over (tests await it)

    def stop(self) -> None:
        self._stop.set()
        self._thread_stop.set()

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._passes(), name="maintenance")]
        interval = watchdog_interval()
        notify("READY=1")
        if interval is not None:
            tasks.append(asyncio.create_task(self._watchdog(interval), name="watchdog"))
        try:
            await asyncio.gather(*tasks)
        finally:
            self.stop()
            for task in tasks:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _passes(self) -> None:
        clock = self.supervisor.clock
        try:  # at once, not after the first delay: a restored or upgraded database may have no statistics yet
            await asyncio.to_thread(_refresh_statistics_now)
        except Exception:
            logger.exception("refreshing the query planner's statistics failed; the next pass retries")
        self.started.set()
        if await clock.wait(self.first_delay, self._stop):
            return
        while not self._stop.is_set():
            try:
                result = await asyncio.to_thread(maintenance_pass, self._thread_stop)
                logger.debug("maintenance: %s", result)
            except Exception:
                logger.exception("maintenance pass failed; the next one retries")
            if await clock.wait(prune_settings()["interval"].value, self._stop):
                return

    async def _watchdog(self, interval: float) -> None:
        """Tell systemd we are alive only while this worker's heartbeat row keeps being refreshed."""
        stale_after = max(3 * self.supervisor.heartbeat_interval, 30.0)
        while not self._stop.is_set():
            if await asyncio.to_thread(_heartbeat_fresh, self.supervisor.worker_id, stale_after):
                notify("WATCHDOG=1")
            else:
                logger.warning("worker heartbeat is stale: not feeding the systemd watchdog")
            if await self.supervisor.clock.wait(interval, self._stop):
                return


def _refresh_statistics_now() -> None:
    from .statistics import refresh_statistics

    close_old_connections()
    try:
        logger.debug("statistics at start: %s", refresh_statistics())
    finally:
        connection.close()


def _heartbeat_fresh(worker_id: str, stale_after: float) -> bool:
    from hi.apps.monitor.models import WorkerHeartbeat

    try:
        row = WorkerHeartbeat.objects.filter(worker_id=worker_id).first()
        return row is not None and row.is_alive(stale_after=stale_after)
    except Exception:
        return False
    finally:
        connection.close()
