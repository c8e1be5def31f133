"""The worker: supervises one monitor task per active integration, restarting crashes with backoff.

It follows the database (active integrations and their ``config_version``) every few seconds, and
wakes at once when an Integration is saved in this process, so lifecycle calls take effect quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection
from django.db.models.signals import post_save
from django.dispatch import receiver

from hi.apps.control.confirmation import sweep_control_confirmations
from hi.integrations import health
from hi.integrations.enums import IntegrationStatus
from hi.integrations.exceptions import IntegrationError
from hi.integrations.integration_factory import get_gateway, integration_ids
from hi.integrations.models import Integration
from hi.integrations.signals import integration_changed
from hi.utils.backoff import Backoff
from hi.utils.clock import Clock
from hi.utils.redaction import redact

from .context import WorkerContext
from .models import HEARTBEAT_INTERVAL, WorkerHeartbeat

logger = logging.getLogger("hi.worker")

_supervisors: weakref.WeakSet[Supervisor] = weakref.WeakSet()


@dataclass
class MonitorSlot:
    """What the supervisor knows about one integration it runs."""

    integration_id: str
    config_version: int
    task: asyncio.Task[None] | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    state: str = "starting"  # starting | running | backoff | idle | stopped
    restarts: int = 0
    last_error: str = ""
    activated: bool = False

    def describe(self) -> dict[str, Any]:
        return {"state": self.state, "config_version": self.config_version,
                "restarts": self.restarts, "last_error": self.last_error}


BackgroundTask = Callable[[Clock, asyncio.Event], Coroutine[Any, Any, None]]
_background_tasks: dict[str, BackgroundTask] = {}


def register_background_task(name: str, factory: BackgroundTask) -> None:
    """Run ``factory(clock, stop)`` beside the monitors for the worker's lifetime (apps above the worker use it)."""
    _background_tasks[name] = factory


class Supervisor:
    """Runs until ``stop()``; every integration's monitor lives in its own task."""

    def __init__(self, *, poll_interval: float = 3.0, heartbeat_interval: float = HEARTBEAT_INTERVAL,
                 sweep_interval: float = 15.0, backoff: Backoff | None = None,
                 stable_after: float = 60.0, stop_grace: float = 5.0, clock: Clock | None = None) -> None:
        self.poll_interval = poll_interval
        self.heartbeat_interval = heartbeat_interval
        self.sweep_interval = sweep_interval
        self.backoff = backoff or Backoff()
        self.stable_after = stable_after
        self.stop_grace = stop_grace
        self.clock = clock or Clock()
        self.slots: dict[str, MonitorSlot] = {}
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started_at = self.clock.now()
        self.reconciled = asyncio.Condition()
        self.reconcile_count = 0

    # -- public ----------------------------------------------------------------------------------
    async def run(self) -> None:
        """Supervise until stopped, then stop every monitor and mark this worker stopped."""
        self._loop = asyncio.get_running_loop()
        _supervisors.add(self)
        logger.info("worker %s started", self.worker_id)
        others = await sync_to_async(_other_live_workers)(self.worker_id)
        if others:
            logger.warning("another worker is running (%s): monitors will run twice", ", ".join(others))
        housekeeping = asyncio.create_task(self._housekeeping(), name="worker-housekeeping")
        extras = [asyncio.create_task(factory(self.clock, self._stop), name=f"worker-{name}")
                  for name, factory in list(_background_tasks.items())]
        try:
            while not self._stop.is_set():
                self._wake.clear()  # before reading: a change during the read wakes the next wait
                await self._reconcile_safely()
                await self._wait_for_change()
        finally:
            for task in (housekeeping, *extras):
                task.cancel()
            for task in (housekeeping, *extras):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await asyncio.gather(*(self._stop_slot(iid) for iid in list(self.slots)))
            await self._write_heartbeat(stopped=True)
            await sync_to_async(_close_connection)()
            _supervisors.discard(self)
            logger.info("worker %s stopped", self.worker_id)

    def stop(self) -> None:
        """Ask the supervisor to shut down (safe from a signal handler on the loop)."""
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Re-read the database now instead of at the next poll; safe from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def wait_reconciled(self, after: int, timeout: float = 10.0) -> None:
        """Wait until more than ``after`` reconcile passes completed (tests await this, not a delay)."""
        async with self.reconciled:
            async with asyncio.timeout(timeout):
                await self.reconciled.wait_for(lambda: self.reconcile_count > after)

    # -- reconciliation ------------------------------------------------------------------------
    async def _wait_for_change(self) -> None:
        if self._wake.is_set() or self._stop.is_set():
            return
        wake_task = asyncio.ensure_future(self._wake.wait())
        try:
            await self.clock.wait(self.poll_interval, _EventProxy(wake_task))
        finally:
            wake_task.cancel()

    async def _reconcile_safely(self) -> None:
        try:
            await self.reconcile()
        except Exception:  # a database hiccup must not end the worker; the next pass retries
            logger.exception("worker could not read the integrations")
        async with self.reconciled:
            self.reconcile_count += 1
            self.reconciled.notify_all()

    async def reconcile(self) -> None:
        before = set(self.slots)
        await self._reconcile_slots()
        if set(self.slots) != before:
            # which integrations this worker runs is what lets health call them unmonitored once it
            # dies; say so now, not at the next heartbeat
            await self._write_heartbeat()

    async def _reconcile_slots(self) -> None:
        wanted = dict(await sync_to_async(_active_integrations)())
        for integration_id in list(self.slots):
            slot = self.slots[integration_id]
            if integration_id not in wanted:
                logger.info("%s is no longer active: stopping its monitor", integration_id)
                await self._stop_slot(integration_id)
            elif wanted[integration_id] != slot.config_version:
                logger.info("%s configuration changed: restarting its monitor", integration_id)
                await self._stop_slot(integration_id)
        for integration_id, version in wanted.items():
            if integration_id not in self.slots and not self._stop.is_set():
                self._start_slot(integration_id, version)

    def _start_slot(self, integration_id: str, version: int) -> None:
        slot = MonitorSlot(integration_id, version)
        slot.task = asyncio.create_task(self._supervise(slot), name=f"monitor-{integration_id}")
        self.slots[integration_id] = slot

    async def _stop_slot(self, integration_id: str) -> None:
        """Stop the monitor (grace period, then cancel) and release what this process activated."""
        slot = self.slots.pop(integration_id, None)
        if slot is None or slot.task is None:
            return
        slot.stop_event.set()
        done, _ = await asyncio.wait({slot.task}, timeout=self.stop_grace)
        if not done:
            slot.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await slot.task
        slot.state = "stopped"
        if slot.activated:
            await sync_to_async(_deactivate)(integration_id)

    # -- one integration -----------------------------------------------------------------------
    async def _supervise(self, slot: MonitorSlot) -> None:
        """Run the integration's monitor; restart it with backoff whenever it raises or returns."""
        attempt = 0
        while not slot.stop_event.is_set():
            started = self.clock.monotonic()
            try:
                await self._run_once(slot)
                if slot.stop_event.is_set():
                    return
                if slot.state == "idle":
                    await slot.stop_event.wait()
                    return
                raise RuntimeError("the monitor stopped on its own")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if slot.stop_event.is_set():
                    return
                if self.clock.monotonic() - started >= self.stable_after:
                    attempt = 0
                attempt += 1
                slot.restarts += 1
                slot.last_error = redact(exc)
                slot.state = "backoff"
                delay = self.backoff.delay(attempt)
                logger.warning("%s monitor failed (%s); restarting in %.1f s", slot.integration_id,
                               slot.last_error, delay)
                with contextlib.suppress(Exception):
                    await sync_to_async(_record_failure)(slot.integration_id, exc)
                await self.clock.wait(delay, slot.stop_event)

    async def _run_once(self, slot: MonitorSlot) -> None:
        if not slot.activated:  # this process's gateway opens its resources, whoever enabled it
            await sync_to_async(_activate)(slot.integration_id)
            slot.activated = True
        loaded = await sync_to_async(_load_monitor)(slot.integration_id)
        if loaded is None:
            slot.state = "idle"
            return
        monitor, attributes = loaded
        context = WorkerContext(slot.integration_id, attributes, config_version=slot.config_version,
                               clock=self.clock, stop_event=slot.stop_event,
                               logger=logging.getLogger(f"hi.monitor.{slot.integration_id}"))
        slot.state = "running"
        await monitor.run(context)

    # -- housekeeping --------------------------------------------------------------------------
    async def _housekeeping(self) -> None:
        """Heartbeats for the worker and its running integrations, and the control-confirmation sweep."""
        last_sweep = float("-inf")
        while True:
            await self._write_heartbeat()
            for integration_id, slot in list(self.slots.items()):
                if slot.state == "running":
                    with contextlib.suppress(Exception):
                        await sync_to_async(_integration_heartbeat)(integration_id)
            if self.clock.monotonic() - last_sweep >= self.sweep_interval:
                last_sweep = self.clock.monotonic()
                try:
                    await sync_to_async(sweep_control_confirmations)()
                except Exception:
                    logger.exception("control confirmation sweep failed")
            await self.clock.wait(self.heartbeat_interval, self._stop)

    async def _write_heartbeat(self, stopped: bool = False) -> None:
        monitors = {iid: slot.describe() for iid, slot in self.slots.items()}
        try:
            await sync_to_async(_save_heartbeat)(self.worker_id, self._started_at, self.clock.now(),
                                                 monitors, stopped)
        except Exception:
            logger.exception("could not write the worker heartbeat")


class _EventProxy(asyncio.Event):
    """Adapts a pending ``wait()`` task to the Event interface ``Clock.wait`` expects."""

    def __init__(self, task: asyncio.Future[Any]) -> None:
        super().__init__()
        task.add_done_callback(lambda _t: self.set())


# -- synchronous helpers, run in a thread ------------------------------------------------------
def _active_integrations() -> list[tuple[str, int]]:
    close_old_connections()  # a long-lived worker must survive a database restart
    known = set(integration_ids())
    rows = Integration.objects.filter(status=IntegrationStatus.ACTIVE).values_list("integration_id",
                                                                                   "config_version")
    return [(iid, version) for iid, version in rows if iid in known]


def _load_monitor(integration_id: str) -> tuple[Any, dict[str, str]] | None:
    integration = Integration.objects.get(integration_id=integration_id)
    monitor = get_gateway(integration_id).get_monitor(integration)
    if monitor is None:
        return None
    return monitor, integration.attribute_values()


def _activate(integration_id: str) -> None:
    integration = Integration.objects.get(integration_id=integration_id)
    result = get_gateway(integration_id).activate(integration)
    if result.get("status") != "success":
        raise IntegrationError(result.get("message") or f"{integration_id} could not start",
                               integration_id=integration_id)


def _other_live_workers(worker_id: str) -> list[str]:
    """Workers that heartbeat recently (``hi run`` and ``hi worker`` on one database run monitors twice)."""
    try:
        rows = WorkerHeartbeat.objects.exclude(worker_id=worker_id).filter(stopped_at__isnull=True)
        return [row.worker_id for row in rows if row.is_alive()]  # a killed one on this host is dead at once
    except Exception:  # not migrated yet, or the database is away: the main loop will say so
        return []


def _close_connection() -> None:
    """Runs on the worker's database thread, so it closes that thread's connection."""
    connection.close()


def _deactivate(integration_id: str) -> None:
    try:
        integration = Integration.objects.filter(integration_id=integration_id).first()
        if integration is not None:
            get_gateway(integration_id).deactivate(integration)
    except Exception as exc:
        logger.warning("%s did not deactivate cleanly: %s", integration_id, redact(exc))


def _record_failure(integration_id: str, exc: BaseException) -> None:
    health.record_failure(integration_id, exc)


def _integration_heartbeat(integration_id: str) -> None:
    health.heartbeat(integration_id)


def _save_heartbeat(worker_id: str, started_at: Any, now: Any, monitors: dict, stopped: bool) -> None:
    hostname, _, pid = worker_id.rpartition(":")
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname, "pid": int(pid), "started_at": started_at, "heartbeat_at": now,
                  "monitors": monitors, "stopped_at": now if stopped else None},
    )


def notify_integrations_changed() -> None:
    """Wake every supervisor in this process to re-read the integrations (lifecycle calls use this)."""
    for supervisor in list(_supervisors):
        supervisor.wake()


@receiver(integration_changed, dispatch_uid="hi.worker.integration_changed")
def _integration_changed(sender: type, **kwargs: Any) -> None:
    """Lifecycle calls (UI, API, CLI) reach the supervisor at once, not at the next poll."""
    notify_integrations_changed()


# what ``reconcile`` reads; health writes (``update_fields`` without these) must not wake the worker
_RECONCILED_FIELDS = frozenset({"status", "config_version"})


@receiver(post_save, sender=Integration, dispatch_uid="hi.worker.integration_saved")
def _integration_saved(sender: type, instance: Integration, update_fields: frozenset[str] | None = None,
                       **kwargs: Any) -> None:
    """Integration saves made in this process reach the supervisor at once, not at the next poll."""
    if update_fields is None or not _RECONCILED_FIELDS.isdisjoint(update_fields):
        notify_integrations_changed()


async def run_worker(supervisor: Supervisor | None = None, install_signals: bool = True,
                     on_started: Callable[[], None] | None = None) -> None:
    """Entry point of ``hi worker``: supervise until SIGTERM or SIGINT, then stop cleanly."""
    import signal

    supervisor = supervisor or Supervisor()
    if install_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, supervisor.stop)
    if on_started is not None:
        on_started()
    from hi.apps.ops.maintenance import Maintenance

    maintenance = Maintenance(supervisor)  # aggregates, pruning, backups, systemd watchdog
    maintenance_task = asyncio.create_task(maintenance.run(), name="maintenance")
    try:
        await supervisor.run()
    finally:
        maintenance.stop()
        maintenance_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await maintenance_task
        from hi.apps.sense.pipeline import get_pipeline

        # The pipeline's thread holds its own database connection; close it with the worker.
        await asyncio.to_thread(get_pipeline().shutdown)
