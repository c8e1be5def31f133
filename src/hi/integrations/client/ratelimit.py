"""Client-side token bucket per integration, for APIs that publish request limits."""

from __future__ import annotations

import threading

from hi.integrations.exceptions import RateLimitedError
from hi.utils.clock import SYSTEM_CLOCK, Clock


class TokenBucket:
    """``rate`` tokens per second up to ``capacity``; each request takes one.

    ``acquire()`` (sync) waits for a token, or raises RateLimitedError when ``block=False``;
    ``await aacquire()`` always waits. Usage::

        bucket = TokenBucket(rate=10, capacity=10)   # 600/min with bursts of 10
        HttpClient(..., rate_limiter=bucket)
    """

    def __init__(self, rate: float, capacity: float | None = None, *, block: bool = True,
                 integration_id: str | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)
        self.block = block
        self.integration_id = integration_id
        self.clock = clock
        self._tokens = self.capacity
        self._updated = clock.monotonic()
        self._lock = threading.Lock()

    def _take(self) -> float:
        """Take a token if one is there (returns 0) or return the seconds until one will be."""
        with self._lock:
            now = self.clock.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate

    def acquire(self, block: bool | None = None) -> None:
        should_block = self.block if block is None else block
        while True:
            wait = self._take()
            if wait <= 0:
                return
            if not should_block:
                raise RateLimitedError("client-side rate limit reached", retry_after=wait,
                                       integration_id=self.integration_id)
            self.clock.sleep(wait)

    async def aacquire(self) -> None:
        while True:
            wait = self._take()
            if wait <= 0:
                return
            await self.clock.asleep(wait)


__all__ = ["TokenBucket"]
