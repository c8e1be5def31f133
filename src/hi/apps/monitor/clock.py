"""Time as monitors see it: real by default, a manual clock in tests so nothing waits for real."""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import time

from django.utils import timezone


class Clock:
    """Wall time, monotonic time and a stoppable sleep."""

    def now(self) -> dt.datetime:
        return timezone.now()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float, stop: asyncio.Event) -> bool:
        """Wait ``seconds`` or until ``stop`` is set; return True when woken by ``stop``."""
        if stop.is_set():
            return True
        try:
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            return False
        return True


class ManualClock(Clock):
    """A clock that only moves when a test calls ``advance``; sleepers wake when their time comes."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._start = start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self._elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._counter = itertools.count()
        self.sleep_calls: list[float] = []
        self._sleep_started = asyncio.Condition()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    async def sleep(self, seconds: float, stop: asyncio.Event) -> bool:
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
        """Block until ``count`` sleeps have been requested in total (what a test awaits, not a delay)."""
        async with self._sleep_started:
            await asyncio.wait_for(self._sleep_started.wait_for(lambda: len(self.sleep_calls) >= count), timeout)

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has passed."""
        self._elapsed += seconds
        while self._sleepers and self._sleepers[0][0] <= self._elapsed:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
