"""The one backoff formula: exponential, capped, with a chosen amount of jitter.

Used by the client layer's retries and WebSocket reconnects (full jitter: many clients must not
retry in step), the worker's monitor restarts (half jitter) and the live bridge's database retries
(no jitter: one task per process).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

Uniform = Callable[[float, float], float]  # random.uniform, or a test's fixed choice


@dataclass(frozen=True)
class Backoff:
    """Before retry ``attempt`` (counting from 1): ``base * 2**(attempt - 1)`` capped at ``maximum``,
    then drawn from ``[floor * ceiling, ceiling]`` — ``floor`` 0 is full jitter, 1 is none."""

    base: float = 1.0
    maximum: float = 60.0
    floor: float = 0.5
    rng: Uniform = random.uniform

    def ceiling(self, attempt: int) -> float:
        return min(self.maximum, self.base * (2 ** (min(max(1, attempt), 64) - 1)))

    def delay(self, attempt: int, rng: Uniform | None = None) -> float:
        ceiling = self.ceiling(attempt)
        if self.floor >= 1.0:
            return ceiling
        return (rng or self.rng)(ceiling * self.floor, ceiling)
