"""Retry policy: which failures are worth another attempt, and how long to wait before it.

A small explicit loop (in ``http.py``) driven by this policy was chosen over tenacity: the loop
must also feed the breaker (one exhausted series = one failure), count retries in metrics, honour
``Retry-After`` against a total budget and share one decision table between the sync and async
clients; expressing that through tenacity's callbacks was longer and harder to read.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hi.utils.backoff import Backoff

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, backoff shape, ``Retry-After`` cap and a total time budget (seconds)."""

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    budget: float = 20.0
    retry_after_cap: float = 30.0
    retry_statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def backoff(self, attempt: int, rng: Callable[[float, float], float] = random.uniform) -> float:
        """Full-jitter exponential backoff before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        return Backoff(self.base_delay, self.max_delay, floor=0.0).delay(attempt, rng)

    def delay(self, attempt: int, retry_after: float | None,
              rng: Callable[[float, float], float] = random.uniform) -> float | None:
        """Seconds to wait before the next attempt, or None when the server asked for longer than the cap."""
        if retry_after is not None:
            if retry_after > self.retry_after_cap:
                return None
            return max(0.0, retry_after)
        return self.backoff(attempt, rng)


NO_RETRY = RetryPolicy(max_attempts=1)


def is_idempotent(method: str) -> bool:
    """Methods that may be repeated safely (RFC 9110 §9.2.2)."""
    return method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())
