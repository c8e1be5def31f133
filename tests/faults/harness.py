"""Helpers shared by the fault tests: run the live monitor as the worker would, wait for conditions
(``configure`` and ``eventually`` are the Home Assistant tests' own, from ``hi.services.hass.testing``)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

from asgiref.sync import sync_to_async

from hi.apps.monitor.context import WorkerContext
from hi.apps.sense.models import SensorHistory
from hi.services.hass.monitors import HassMonitor
from hi.services.hass.testing import eventually
from hi.simulator.hass import HassSimulator


class LiveHass:
    """The Home Assistant monitor running on this loop, as the worker runs it."""

    def __init__(self, simulator: HassSimulator, attributes: dict[str, str] | None = None, **options: Any) -> None:
        self.monitor = HassMonitor(**options)
        self.context = WorkerContext("hass", attributes or simulator.integration_attributes())
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> LiveHass:
        self.task = asyncio.create_task(self.monitor.run(self.context))
        await eventually(lambda: self.monitor.snapshots >= 1 and self.monitor.mode == "websocket")
        return self

    async def stop(self) -> None:
        self.context.stop_event.set()
        assert self.task is not None
        async with asyncio.timeout(10):
            await self.task


@sync_to_async
def history_of(name: str) -> list[tuple[Any, Any]]:
    """(time, value) of every history row of one hass sensor, oldest first."""
    rows = SensorHistory.objects.filter(sensor__integration_id="hass", sensor__integration_name=name)
    return sorted(rows.values_list("response_at", "value"))


@sync_to_async
def duplicate_history_rows() -> int:
    """How many history rows repeat another one's sensor, time and value."""
    rows = SensorHistory.objects.values_list("sensor_id", "response_at", "value")
    # a value may be a list (a weather forecast): compared as its JSON
    counts = Counter((sensor, at, json.dumps(value, sort_keys=True)) for sensor, at, value in rows)
    return sum(n - 1 for n in counts.values() if n > 1)
