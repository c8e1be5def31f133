"""The worker's implementation of ``hi.integrations.monitor.MonitorContext``.

A monitor (in a service) sees only the protocol; this class wires it to the sense pipeline, the
health store and the supervisor's stop signal.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

from hi.apps.sense.pipeline import get_pipeline
from hi.integrations import health
from hi.utils.clock import Clock
from hi.utils.redaction import redact

if TYPE_CHECKING:
    from hi.integrations.sensor_response import SensorResponse


class WorkerContext:
    """Given to ``IntegrationMonitor.run`` (satisfies the ``MonitorContext`` protocol).

    Every database touch goes through a thread (``sync_to_async``) so a monitor never blocks the loop.
    """

    def __init__(self, integration_id: str, attributes: Mapping[str, str], *,
                 config_version: int = 0, clock: Clock | None = None,
                 stop_event: asyncio.Event | None = None, logger: logging.Logger | None = None) -> None:
        self.integration_id = integration_id
        self.attributes: Mapping[str, str] = MappingProxyType(dict(attributes))
        self.config_version = config_version
        self.clock = clock or Clock()
        self.stop_event = stop_event or asyncio.Event()
        self.logger = logger or logging.getLogger(f"hi.monitor.{integration_id}")
        self.submitted = 0
        self.last_success_at: dt.datetime | None = None
        self.last_failure: str = ""

    @property
    def stopping(self) -> bool:
        """True once the supervisor wants this monitor to finish."""
        return self.stop_event.is_set()

    def now(self) -> dt.datetime:
        return self.clock.now()

    def monotonic(self) -> float:
        return self.clock.monotonic()

    async def submit(self, responses: Iterable[SensorResponse]) -> list[Any]:
        """Hand a batch of responses to the pipeline; returns the committed state changes."""
        batch = list(responses)
        if not batch:
            return []
        changes = await get_pipeline().aprocess(batch)
        self.submitted += len(batch)
        return list(changes or [])

    async def report_success(self, message: str = "") -> None:
        self.last_success_at = self.clock.now()
        self.last_failure = ""
        await sync_to_async(health.record_success)(self.integration_id, message)

    async def report_warning(self, message: str) -> None:
        await sync_to_async(health.record_warning)(self.integration_id, message)

    async def report_failure(self, exc: BaseException) -> None:
        self.last_failure = redact(exc)
        self.logger.warning("%s: %s", self.integration_id, self.last_failure)
        await sync_to_async(health.record_failure)(self.integration_id, exc)

    async def set_detail(self, key: str, value: Any) -> None:
        await sync_to_async(health.set_detail)(self.integration_id, key, value)

    async def heartbeat(self) -> None:
        await sync_to_async(health.heartbeat)(self.integration_id)

    async def sleep(self, seconds: float) -> bool:
        """Sleep, but return at once when stopping; True means 'stop now'."""
        return await self.clock.wait(seconds, self.stop_event)
