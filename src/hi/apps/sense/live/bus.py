"""In-process publish/subscribe of committed state changes, feeding SSE streams and live views.

Publishing is thread-safe (the pipeline publishes from its worker thread after commit); each
async subscriber owns a bounded queue on its own event loop, so a slow reader never makes
memory grow: it receives one ``RESYNC`` marker instead and should re-read current values.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from hi.utils.singleton import shared

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StateChange:
    """One committed change of an EntityState's current value."""

    entity_id: int
    state_id: int
    integration_keys: tuple[str, ...]
    value: Any
    previous_value: Any
    timestamp: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the ``state`` server-sent event."""
        return {
            "entity_id": self.entity_id,
            "state_id": self.state_id,
            "integration_keys": list(self.integration_keys),
            "value": self.value,
            "timestamp": self.timestamp.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class LiveMessage:
    """Anything else committed that live readers show: an ``alert`` or a ``mode`` change (the SSE event name is ``kind``).

    Apps above the pipeline publish these on the same bus (and feed), so one stream carries everything.
    """

    kind: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


class _Resync:
    """Marker telling a subscriber it missed changes and must re-read current values."""

    def __repr__(self) -> str:
        return "RESYNC"


RESYNC = _Resync()
BusItem = StateChange | LiveMessage | _Resync
Published = StateChange | LiveMessage


class AsyncSubscription:
    """A bounded queue of changes for one async reader (an SSE connection, a live view)."""

    def __init__(self, bus: LiveBus, loop: asyncio.AbstractEventLoop, maxsize: int) -> None:
        self._bus = bus
        self._loop = loop
        self._queue: asyncio.Queue[BusItem] = asyncio.Queue(maxsize=maxsize)
        self.overflows = 0
        self.closed = False

    def _deliver(self, changes: tuple[Published, ...]) -> None:
        """Runs on the subscriber's loop; on overflow drops the backlog and leaves one RESYNC."""
        for change in changes:
            try:
                self._queue.put_nowait(change)
            except asyncio.QueueFull:
                self.overflows += 1
                while not self._queue.empty():
                    self._queue.get_nowait()
                self._queue.put_nowait(RESYNC)
                return

    def _deliver_threadsafe(self, changes: tuple[Published, ...]) -> bool:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._deliver(changes)
            return True
        try:
            self._loop.call_soon_threadsafe(self._deliver, changes)
        except RuntimeError:  # the subscriber's loop is closed: it is gone
            return False
        return True

    async def get(self, timeout: float | None = None) -> BusItem:
        """The next change (or RESYNC); raises ``TimeoutError`` after ``timeout`` seconds."""
        if timeout is None:
            return await self._queue.get()
        async with asyncio.timeout(timeout):
            return await self._queue.get()

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._bus._remove(self)

    def __aiter__(self) -> AsyncIterator[BusItem]:
        return self

    async def __anext__(self) -> BusItem:
        if self.closed:
            raise StopAsyncIteration
        return await self.get()

    async def __aenter__(self) -> AsyncSubscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class LiveBus:
    """Fan-out of StateChanges to every current subscriber; nothing is stored for late joiners."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[AsyncSubscription] = []
        self.published = 0

    def subscribe(self, maxsize: int = 1000) -> AsyncSubscription:
        """Subscribe from a coroutine; changes are delivered on the calling event loop."""
        subscription = AsyncSubscription(self, asyncio.get_running_loop(), maxsize)
        with self._lock:
            self._subscribers.append(subscription)
        return subscription

    def _remove(self, subscription: AsyncSubscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, changes: Iterable[Published]) -> None:
        """Hand ``changes`` to every subscriber; safe from any thread, never blocks on a reader."""
        batch = tuple(changes)
        if not batch:
            return
        with self._lock:
            subscribers = list(self._subscribers)
            self.published += len(batch)
        for subscriber in subscribers:
            if not subscriber._deliver_threadsafe(batch):
                logger.debug("dropping a live-bus subscriber whose event loop is closed")
                subscriber.close()


def get_live_bus() -> LiveBus:
    """The process-wide bus the pipeline publishes to and SSE listeners read."""
    return shared(LiveBus)
