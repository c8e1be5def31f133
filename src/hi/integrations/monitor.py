"""What the worker runs for an integration, and what it hands the running monitor.

Django-free contract types: a service implements ``IntegrationMonitor`` (or ``PeriodicMonitor``) and
talks to the hub only through the ``MonitorContext`` it is given. The worker's implementation of the
context lives in ``hi.apps.monitor.context``; services never need to import it.
"""

from __future__ import annotations

import abc
import asyncio
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .sensor_response import SensorResponse


class MonitorContext(Protocol):
    """Everything a running monitor may do: submit responses, report health, and sleep until stopped."""

    integration_id: str
    attributes: Mapping[str, str]  # read-only snapshot of the integration's settings
    config_version: int
    logger: logging.Logger
    stop_event: asyncio.Event

    @property
    def stopping(self) -> bool:
        """True once the supervisor wants the monitor to finish."""
        ...

    def now(self) -> dt.datetime:
        """Wall time on the context's (injectable) clock."""
        ...

    def monotonic(self) -> float:
        """Monotonic seconds on the context's clock (for measuring intervals)."""
        ...

    async def submit(self, responses: Iterable[SensorResponse]) -> list[Any]:
        """Hand a batch of responses to the sense pipeline; returns the committed state changes."""
        ...

    async def report_success(self, message: str = "") -> None:
        """The last poll or connection worked (health HEALTHY, failure count reset)."""
        ...

    async def report_warning(self, message: str) -> None:
        """Working, but degraded (a fallback source, stale data): WARNING unless already ERROR."""
        ...

    async def report_failure(self, exc: BaseException) -> None:
        """Count a failure (WARNING, then ERROR after several in a row or refused credentials)."""
        ...

    async def set_detail(self, key: str, value: Any) -> None:
        """Store one live health detail (link mode, which source serves what) shown with the health."""
        ...

    async def heartbeat(self) -> None:
        """Say the monitor is alive even when it has nothing to report."""
        ...

    async def sleep(self, seconds: float) -> bool:
        """Sleep, returning at once when stopping; True means 'stop now'."""
        ...


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
            began = context.monotonic()
            try:
                await self.poll(context)
            except Exception as exc:  # every failure is recorded; the loop goes on
                await context.report_failure(exc)
            else:
                await context.report_success()
            # Fixed rate: a poll's own duration does not push the next one back (latency ≤ one interval).
            await context.sleep(max(0.0, self.interval_seconds - (context.monotonic() - began)))
