"""The client layer, wired for weather: one resilient HTTP client per source.

Each source gets its own breaker and metrics (NWS being down must not stop Open-Meteo) and a rate
limiter backed by the persisted request store, so every attempt — retries included — is counted
against the source's declared limits, across restarts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hi.integrations.client.breaker import CircuitBreaker
from hi.integrations.client.http import HttpClient, Timeouts
from hi.integrations.client.metrics import ClientMetrics
from hi.integrations.client.retry import RETRY_STATUSES, RetryPolicy
from hi.integrations.exceptions import RateLimitedError

from .sources.base import Now, RateLimit, SourceSpec
from .store import RequestStore

# Short series: a poll runs every minute anyway, and NWS's intermittent 500s deserve one retry too.
WEATHER_RETRY = RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=1.0, budget=3.0, retry_after_cap=5.0,
                            retry_statuses=RETRY_STATUSES | {500})


class BudgetExhausted(RateLimitedError):
    """Our own limit for a source says wait; no request was sent (not a failure of the source)."""


class PersistedLimiter:
    """Duck-types the client layer's TokenBucket: ``acquire`` admits a request or raises, never waits."""

    def __init__(self, store: RequestStore, source: str, limits: Sequence[RateLimit], clock: Now) -> None:
        self.store = store
        self.source = source
        self.limits = tuple(limits)
        self.clock = clock

    def acquire(self, block: bool | None = None) -> None:
        if not self.store.try_acquire(self.source, self.limits, self.clock()):
            raise BudgetExhausted(f"holding back requests to {self.source} to stay within its rate limit")

    async def aacquire(self) -> None:
        self.acquire()


class ClientTransport:
    """``Transport`` over ``HttpClient``; ``health_details()`` exposes the source's breaker and metrics."""

    def __init__(self, spec: SourceSpec, store: RequestStore, clock: Now,
                 timeouts: Timeouts | None = None, retry: RetryPolicy = WEATHER_RETRY) -> None:
        self.integration_id = f"weather:{spec.name}"
        self.breaker = CircuitBreaker(self.integration_id, failure_threshold=3, reset_timeout=120.0)
        self.metrics = ClientMetrics(self.integration_id)
        self._options = {"timeouts": timeouts or Timeouts(connect=5.0, read=20.0), "retry": retry,
                         "rate_limiter": PersistedLimiter(store, spec.name, spec.rate_limits, clock)}
        self._clients: dict[str, HttpClient] = {}

    def client_for(self, url: str) -> HttpClient:
        """Made on first use (most polls are answered from the cache); plain-http addresses (a simulator,
        a household mirror) get a client without a TLS context, which costs tens of milliseconds to build."""
        scheme = "https" if url.lower().startswith("https:") else "http"
        client = self._clients.get(scheme)
        if client is None:
            client = self._clients[scheme] = HttpClient(
                integration_id=self.integration_id, breaker=self.breaker, metrics=self.metrics,
                verify=scheme == "https", **self._options)
        return client

    def get_json(self, url: str, params: Mapping[str, str] | None, headers: Mapping[str, str]) -> Any:
        return self.client_for(url).get_json(url, Any, params=dict(params or {}), headers=dict(headers))

    def health_details(self) -> dict[str, Any]:
        return {"breaker": self.breaker.snapshot(), "metrics": self.metrics.snapshot()}

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
