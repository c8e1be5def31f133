"""Per-integration request metrics with bounded memory, for the integration's health details."""

from __future__ import annotations

import random
import threading
from typing import Any


class LatencyReservoir:
    """Uniform sample of at most ``size`` latencies (Vitter's algorithm R): memory stays fixed forever."""

    def __init__(self, size: int = 1024, rng: random.Random | None = None) -> None:
        self.size = size
        self.count = 0
        self._samples: list[float] = []
        self._rng = rng or random.Random()

    def add(self, value: float) -> None:
        self.count += 1
        if len(self._samples) < self.size:
            self._samples.append(value)
            return
        slot = self._rng.randrange(self.count)
        if slot < self.size:
            self._samples[slot] = value

    def percentiles(self, *points: float) -> dict[float, float | None]:
        if not self._samples:
            return {p: None for p in points}
        ordered = sorted(self._samples)
        last = len(ordered) - 1
        return {p: ordered[min(last, round(p / 100 * last))] for p in points}


class ClientMetrics:
    """Counters and latency of one integration's calls; ``snapshot()`` is JSON-ready."""

    def __init__(self, integration_id: str = "", reservoir_size: int = 1024) -> None:
        self.integration_id = integration_id
        self._lock = threading.Lock()
        self.requests = 0
        self.failures = 0
        self.retries = 0
        self.breaker_trips = 0
        self.rejected = 0
        self.reconnects = 0
        self._latency = LatencyReservoir(reservoir_size)

    def record_attempt(self, seconds: float) -> None:
        with self._lock:
            self.requests += 1
            self._latency.add(seconds)

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_trip(self) -> None:
        with self._lock:
            self.breaker_trips += 1

    def record_rejected(self) -> None:
        """A call refused locally (breaker open) without touching the network."""
        with self._lock:
            self.rejected += 1

    def record_reconnect(self) -> None:
        with self._lock:
            self.reconnects += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            pct = self._latency.percentiles(50, 95, 99)
            return {
                "requests": self.requests,
                "failures": self.failures,
                "retries": self.retries,
                "breaker_trips": self.breaker_trips,
                "rejected": self.rejected,
                "reconnects": self.reconnects,
                "latency_ms": {f"p{int(k)}": None if v is None else round(v * 1000, 3) for k, v in pct.items()},
            }


_registry: dict[str, ClientMetrics] = {}
_registry_lock = threading.Lock()


def get_metrics(integration_id: str) -> ClientMetrics:
    """The metrics of an integration, shared by all its clients."""
    with _registry_lock:
        metrics = _registry.get(integration_id)
        if metrics is None:
            metrics = _registry[integration_id] = ClientMetrics(integration_id)
        return metrics


def reset_metrics() -> None:
    with _registry_lock:
        _registry.clear()
