"""What the worker runs for an integration: a periodic poll or a long-lived connection."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import MonitorContext


class IntegrationMonitor(abc.ABC):
    """Runs until cancelled; raise to be restarted by the supervisor with backoff."""

    name: str = "monitor"

    @abc.abstractmethod
    async def run(self, context: MonitorContext) -> None: ...


class PeriodicMonitor(IntegrationMonitor):
    """Calls ``poll`` every ``interval_seconds`` until stopped; a failing poll is counted, not fatal."""

    interval_seconds: float = 10.0

    @abc.abstractmethod
    async def poll(self, context: MonitorContext) -> None: ...

    async def run(self, context: MonitorContext) -> None:
        while not context.stopping:
            began = context.clock.monotonic()
            try:
                await self.poll(context)
            except Exception as exc:  # every failure is recorded; the loop goes on
                await context.report_failure(exc)
            else:
                await context.report_success()
            # Fixed rate: a poll's own duration does not push the next one back (latency ≤ one interval).
            await context.sleep(max(0.0, self.interval_seconds - (context.clock.monotonic() - began)))
