"""Where cached answers and request times live: in memory for tests, in the database in production.

The fetcher only sees ``RequestStore``; the database version (``db_store.py``) is what makes a
restart remember both the last good data and how many requests each source has recently had.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .sources.base import RateLimit


@dataclass(frozen=True)
class CachedPayload:
    payload: Any
    fetched_at: dt.datetime


class RequestStore(Protocol):
    def load(self, source: str, key: str) -> CachedPayload | None: ...

    def save(self, source: str, key: str, payload: Any, fetched_at: dt.datetime) -> None: ...

    def try_acquire(self, source: str, limits: Sequence[RateLimit], now: dt.datetime) -> bool:
        """Record one request for ``source`` if every limit allows it; False (nothing recorded) if not."""
        ...


def admit(history: list[float], limits: Sequence[RateLimit], now: float) -> list[float] | None:
    """Sliding-window check: the pruned history plus ``now`` if admitted, else None."""
    longest = max((limit.per_seconds for limit in limits), default=0.0)
    recent = [stamp for stamp in history if stamp > now - longest]
    for limit in limits:
        if sum(1 for stamp in recent if stamp > now - limit.per_seconds) >= limit.max_requests:
            return None
    return [*recent, now]


class MemoryStore:
    """A RequestStore that forgets on restart (tests of the Django-free core use it)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], CachedPayload] = {}
        self._requests: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def load(self, source: str, key: str) -> CachedPayload | None:
        return self._cache.get((source, key))

    def save(self, source: str, key: str, payload: Any, fetched_at: dt.datetime) -> None:
        self._cache[(source, key)] = CachedPayload(payload, fetched_at)

    def try_acquire(self, source: str, limits: Sequence[RateLimit], now: dt.datetime) -> bool:
        with self._lock:
            admitted = admit(self._requests.get(source, []), limits, now.timestamp())
            if admitted is None:
                return False
            self._requests[source] = admitted
            return True
