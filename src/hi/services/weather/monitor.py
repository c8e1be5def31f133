"""The weather monitor: one poll a minute — refresh, merge, submit responses, record who is serving."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import connection

from hi.integrations.exceptions import IntegrationConnectionError
from hi.integrations.monitor import PeriodicMonitor
from hi.integrations.timeouts import configured as configured_timeouts

from .config import WeatherSettings
from .converter import snapshot_responses
from .db_store import DatabaseStore
from .health import is_degraded, open_alert_events, weather_detail
from .transport import ClientTransport

if TYPE_CHECKING:
    from hi.integrations.monitor import MonitorContext

    from .service import WeatherService, WeatherSnapshot

T = TypeVar("T")


class WeatherMonitor(PeriodicMonitor):
    """Polls every ``interval_seconds``; a poll where every source failed still submits the stale data."""

    name = "weather"
    interval_seconds = 60.0

    def __init__(self, on_snapshot: Callable[[WeatherSnapshot, WeatherService], None] | None = None) -> None:
        self.on_snapshot = on_snapshot
        self.service: WeatherService | None = None
        self.settings: WeatherSettings | None = None
        self.last_snapshot: WeatherSnapshot | None = None
        self._executor: ThreadPoolExecutor | None = None

    def start(self, context: MonitorContext) -> WeatherService:
        """Build the service from the context's attributes, on the context's clock and the database store."""
        self.settings = WeatherSettings.from_attributes(context.attributes)
        store = DatabaseStore()
        timeouts = configured_timeouts()  # HI_HTTP_CONNECT_TIMEOUT / HI_HTTP_READ_TIMEOUT
        self.service = self.settings.build_service(
            store, clock=context.now,
            transport_factory=lambda spec: ClientTransport(spec, store, context.now, timeouts=timeouts))
        return self.service

    async def _off_loop(self, fn: Callable[[], T]) -> T:
        """Blocking work (HTTP with retries, the store) on the monitor's own thread, never the shared
        sync thread, so a slow source cannot hold up other integrations' database work."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weather")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def stop(self) -> None:
        """Close the service's clients and the thread's database connection."""
        if self.service is not None:
            self.service.close()
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.get_running_loop().run_in_executor(executor, lambda: connection.close())
            executor.shutdown(wait=False)

    async def run(self, context: MonitorContext) -> None:
        service = self.start(context)
        try:
            while True:
                self.last_snapshot = None
                try:
                    await self.refresh(context)
                except Exception as exc:  # recorded; the loop goes on
                    failed = True
                    await context.report_failure(exc)
                else:
                    failed = False
                await self.report_health(context, service, failed)
                if await context.sleep(self.interval_seconds):
                    return
        finally:
            await self.stop()

    async def report_health(self, context: MonitorContext, service: WeatherService, failed: bool) -> None:
        """Say which source serves each value; a failed poll keeps what ``report_failure`` said, and a
        degraded one (a failing source, stale data) is a warning, not healthy."""
        snapshot = self.last_snapshot
        if snapshot is not None:
            await context.set_detail("weather", weather_detail(snapshot, service.health_details()))
        if failed:
            return
        summary = snapshot.summary() if snapshot is not None else ""
        await context.report_success(summary)
        if snapshot is not None and is_degraded(snapshot):
            await context.report_warning(summary)

    async def poll(self, context: MonitorContext) -> None:
        await self.refresh(context)

    async def refresh(self, context: MonitorContext) -> WeatherSnapshot:
        """One poll; raises (after submitting what it has) only when no source is working."""
        assert self.service is not None and self.settings is not None
        snapshot = await self._off_loop(self.service.refresh)
        open_alerts: dict[str, dict[str, Any]] = await sync_to_async(open_alert_events)()
        await context.submit(snapshot_responses(snapshot, self.settings.units, open_alerts))
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot, self.service)
        self.last_snapshot = snapshot
        if not any(status.state == "ok" for status in snapshot.sources.values()):
            raise IntegrationConnectionError(f"every weather source is failing; {snapshot.summary()}")
        return snapshot
