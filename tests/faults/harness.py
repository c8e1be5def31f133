"""Helpers shared by the fault tests: run the live monitor as the worker would, wait for conditions."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

from hi.apps.monitor.context import WorkerContext
from hi.apps.sense.models import SensorHistory
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.services.hass.monitors import HassMonitor
from hi.simulator.hass import HassSimulator


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll a sync or async check until it is truthy: database state has nothing to await on."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def configure_hass(simulator: HassSimulator, allowlist: str = "") -> Integration:
    """The integration stored as configure + enable leave it, pointing at ``simulator``."""
    integration, _ = Integration.objects.update_or_create(
        integration_id="hass", defaults={"status": IntegrationStatus.ACTIVE, "config_version": 1})
    for key, value in {**simulator.integration_attributes(), "import_allowlist": allowlist}.items():
        IntegrationAttribute.objects.update_or_create(integration=integration, key=key, defaults={
            "value": value, "is_secret": key == "api_token"})
    return integration


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
        await asyncio.wait_for(self.task, 10)


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
