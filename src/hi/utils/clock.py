"""The one clock: wall time, monotonic time, and waits — real by default, fake in tests.

Nothing that waits or measures time calls ``time``/``asyncio.sleep``/``timezone.now`` directly: the
client layer (retries, breaker, token expiry), the worker and monitors take a ``Clock``, so tests move
time instead of waiting for it. No Django import: protocol clients use it too.

- ``Clock`` (``SYSTEM_CLOCK``): real time.
- ``FakeClock``: moves only when told or when someone sleeps on it (a sleep returns at once having
  advanced time) — for code that must not wait at all (retry backoff, breaker reset).
- ``ManualClock``: moves only when a test calls ``advance``; ``wait`` blocks until then — for loops
  whose waiting a test wants to observe (the worker, monitors).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import threading
import time

_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


class Clock:
    """Real time."""

    def now(self) -> dt.datetime:
        """Aware UTC wall time."""
        return dt.datetime.now(dt.UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def wait(self, seconds: float, stop: asyncio.Event) -> bool:
        """Wait ``seconds`` or until ``stop`` is set; True when woken by ``stop``."""
        if stop.is_set():
            return True
        try:
            async with asyncio.timeout(max(0.0, seconds)):
                await stop.wait()
        except TimeoutError:
            return False
        return True


SYSTEM_CLOCK = Clock()


class FakeClock(Clock):
    """Moves only when told to or when someone sleeps on it; records every sleep.

    Tests use it to make backoff, breaker reset and token expiry instantaneous and exact.
    ``reading`` is the monotonic value; ``now()`` is a fixed epoch plus the time moved.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.start = start
        self.reading = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        return _EPOCH + dt.timedelta(seconds=self.monotonic() - self.start)

    def monotonic(self) -> float:
        with self._lock:
            return self.reading

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.reading += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.reading += max(0.0, seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)

    async def wait(self, seconds: float, stop: asyncio.Event) -> bool:
        if stop.is_set():
            return True
        await self.asleep(seconds)
        return stop.is_set()


class ManualClock(Clock):
    """Moves only when a test calls ``advance``; waiters wake when their time comes."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._start = start or _EPOCH
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._counter = itertools.count()
        self.sleep_calls: list[float] = []
        self._sleep_started = asyncio.Condition()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    def sleep(self, seconds: float) -> None:
        raise RuntimeError("ManualClock only waits asynchronously (wait/asleep); use FakeClock for sync code")

    async def asleep(self, seconds: float) -> None:
        await self.wait(seconds, asyncio.Event())

    async def wait(self, seconds: float, stop: asyncio.Event) -> bool:
        if stop.is_set():
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._counter), future))
        self.sleep_calls.append(seconds)
        async with self._sleep_started:
            self._sleep_started.notify_all()
        stop_wait = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({future, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_wait.cancel()
        return stop.is_set()

    async def wait_for_sleepers(self, count: int, timeout: float = 5.0) -> None:
        """Block until ``count`` waits have been requested in total (what a test awaits, not a delay)."""
        async with self._sleep_started:
            async with asyncio.timeout(timeout):
                await self._sleep_started.wait_for(lambda: len(self.sleep_calls) >= count)

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every waiter whose deadline has passed."""
        self._elapsed += seconds
        while self._sleepers and self._sleepers[0][0] <= self._elapsed:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
