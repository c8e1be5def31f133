"""Resilient HTTP: ``HttpClient`` (sync, for views and the CLI) and ``AsyncHttpClient`` (the worker).

Both have one API and share one decision table (``_Policy``): pooled connections, explicit
timeouts, a ``User-Agent``, retries with full-jitter backoff for requests that are safe to repeat,
``Retry-After`` honoured up to a cap, a total retry budget, the integration's circuit breaker and
rate limiter, a response size cap, metrics, and errors mapped onto ``hi.integrations.exceptions``
with secrets redacted. No Django import: integrations pass their settings in. Usage::

    client = HttpClient("http://ha:8123", integration_id="hass", auth=BearerAuth(token),
                        timeouts=Timeouts(connect=5, read=settings.HI_HTTP_READ_TIMEOUT))
    states = client.get_json("/api/states", list[HassState])      # validated, or DataValidationError
    client.post_json("/api/services/light/turn_on", list[HassState], json={"entity_id": "light.x"})
    response = client.request("GET", "/api/")                      # an httpx.Response (2xx/3xx only)

    async with AsyncHttpClient(base_url, integration_id="weather", contact="me@example.org") as c:
        forecast = await c.get_json("/points/1,2", PointModel)
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from hi import __version__
from hi.integrations import exceptions as exc
from hi.utils.clock import SYSTEM_CLOCK, Clock
from hi.utils.redaction import RedactingFilter

from .breaker import CircuitBreaker, get_breaker
from .errors import RetryKind, describe, from_exception, from_status
from .metrics import ClientMetrics, get_metrics
from .ratelimit import TokenBucket
from .retry import RetryPolicy, is_idempotent
from .validation import DEFAULT_MAX_BYTES, parse_json

logger = logging.getLogger("hi.integrations.client")


def _redact_library_loggers() -> None:
    """httpx logs every request URL at INFO (with ``?token=`` values): mask at the logger itself,
    so the masking holds whatever handlers the process configures."""
    for name in ("httpx", "httpcore", "websockets", "hi.integrations.client"):
        library_logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in library_logger.filters):
            library_logger.addFilter(RedactingFilter())


_redact_library_loggers()
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Timeouts:
    """Connect and read timeouts in seconds (write defaults to read, pool to connect)."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    read: float = DEFAULT_READ_TIMEOUT
    write: float | None = None
    pool: float | None = None

    @classmethod
    def from_settings(cls, settings: Any, **overrides: float) -> Timeouts:
        """From an object carrying ``HI_HTTP_CONNECT_TIMEOUT``/``HI_HTTP_READ_TIMEOUT`` (Django's settings),
        so this module stays free of Django; ``overrides`` win (e.g. ``read=60`` for one integration)."""
        values = {"connect": float(getattr(settings, "HI_HTTP_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)),
                  "read": float(getattr(settings, "HI_HTTP_READ_TIMEOUT", DEFAULT_READ_TIMEOUT))}
        return cls(**{**values, **overrides})

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read,
                             write=self.write if self.write is not None else self.read,
                             pool=self.pool if self.pool is not None else self.connect)


def user_agent(contact: str | None = None) -> str:
    """``hi/<version> (+contact)``; NWS refuses requests without a contact."""
    return f"hi/{__version__} (+{contact})" if contact else f"hi/{__version__}"


class _Policy:
    """Everything the sync and async clients decide identically."""

    def __init__(self, integration_id: str, breaker: CircuitBreaker | None, metrics: ClientMetrics,
                 max_response_bytes: int | None, clock: Clock, rng: Callable[[float, float], float]) -> None:
        self.integration_id = integration_id
        self.breaker = breaker
        self.metrics = metrics
        self.max_response_bytes = max_response_bytes
        self.clock = clock
        self.rng = rng

    def admit(self) -> bool:
        """Ask the breaker; returns True when this call is its half-open trial."""
        if self.breaker is None:
            return False
        try:
            return self.breaker.before_call()
        except exc.CircuitOpenError:
            self.metrics.record_rejected()
            raise

    def next_delay(self, kind: RetryKind, retry_after: float | None, idempotent: bool, attempt: int,
                   started: float, policy: RetryPolicy, trial: bool) -> float | None:
        """Seconds to wait before retrying, or None to give up now."""
        if trial or attempt >= policy.max_attempts or kind is RetryKind.NEVER:
            return None
        if kind is not RetryKind.NOT_SENT and not idempotent:
            return None
        delay = policy.delay(attempt, retry_after, self.rng)
        if delay is None:
            return None
        if self.clock.monotonic() - started + delay > policy.budget:
            return None
        return delay

    def succeeded(self) -> None:
        if self.breaker is not None:
            self.breaker.record_success()

    def failed(self, error: exc.IntegrationError, attempts: int) -> None:
        """One exhausted series is one breaker failure; errors that prove the peer is up close it."""
        self.metrics.record_failure()
        if self.breaker is not None:
            if error.transient:
                before = self.breaker.trips
                self.breaker.record_failure(error.message)
                if self.breaker.trips != before:
                    self.metrics.record_trip()
                    logger.warning("%s: circuit opened after repeated failures", self.integration_id)
            else:
                self.breaker.record_success()
        logger.warning("%s: gave up after %d attempt(s): %s", self.integration_id, attempts, error.message)

    def retrying(self, error: exc.IntegrationError, request: httpx.Request, attempt: int, delay: float) -> None:
        self.metrics.record_retry()
        logger.info("%s: %s attempt %d failed (%s); retrying in %.2fs", self.integration_id,
                    describe(request), attempt, error.message, delay)

    def validated(self, model: Any, response: httpx.Response) -> Any:
        """The body checked against ``model``; a mismatch counts as a failure of this integration."""
        try:
            return parse_json(model, response.content, max_bytes=None, integration_id=self.integration_id)
        except exc.DataValidationError as invalid:
            self.metrics.record_failure()
            logger.warning("%s: %s answered data that does not fit: %s", self.integration_id,
                           describe(response.request), invalid.message)
            raise

    def too_large(self, size: int) -> exc.DataValidationError:
        return exc.DataValidationError(f"response of {size}+ bytes exceeds the {self.max_response_bytes}-byte limit",
                                       integration_id=self.integration_id)

    def declared_too_large(self, response: httpx.Response) -> int | None:
        length = response.headers.get("Content-Length")
        if self.max_response_bytes and length and length.isdigit() and int(length) > self.max_response_bytes:
            return int(length)
        return None


class _Series:
    """One request's attempts, judged identically by both clients (whose loops differ only in awaiting):
    the breaker's admission and half-open trial, the retry series and its budget, what an attempt's
    outcome means, and giving an unsettled trial back."""

    def __init__(self, policy: _Policy, request: httpx.Request, retry: RetryPolicy, idempotent: bool) -> None:
        self.policy = policy
        self.request = request
        self.retry = retry
        self.idempotent = idempotent
        self.trial = policy.admit()
        self.started = policy.clock.monotonic()
        self.attempt = 0
        self.settled = False

    def judge(self, response: httpx.Response) -> tuple[exc.IntegrationError | None, RetryKind, float | None]:
        return from_status(response, self.policy.integration_id, self.retry.retry_statuses)

    def judge_failure(self, failure: Exception) -> tuple[exc.IntegrationError | None, RetryKind, float | None]:
        return from_exception(failure, self.request, self.policy.integration_id, self.retry.retry_statuses)

    def next_delay(self, error: exc.IntegrationError | None, kind: RetryKind, retry_after: float | None) -> float | None:
        """None when the attempt succeeded; else the seconds to wait before the next one. Raises ``error``
        when the series gives up (not safe to repeat, out of attempts or budget, or a half-open trial)."""
        policy = self.policy
        if error is None:
            self.settled = True
            policy.succeeded()
            return None
        delay = policy.next_delay(kind, retry_after, self.idempotent, self.attempt, self.started, self.retry,
                                  self.trial)
        if delay is None:
            self.settled = True
            policy.failed(error, self.attempt)
            raise error
        policy.retrying(error, self.request, self.attempt, delay)
        return delay

    def close(self) -> None:
        """A half-open trial that neither succeeded nor failed (cancelled, an unexpected error) is given back."""
        if self.trial and not self.settled and self.policy.breaker is not None:
            self.policy.breaker.release_trial()


class _ClientOptions:
    """Constructor shared by both clients."""

    def __init__(self, base_url: str = "", *, integration_id: str, auth: httpx.Auth | None = None,
                 timeouts: Timeouts | None = None, retry: RetryPolicy | None = None,
                 breaker: CircuitBreaker | None = None, use_breaker: bool = True,
                 rate_limiter: TokenBucket | None = None, metrics: ClientMetrics | None = None,
                 headers: Mapping[str, str] | None = None, contact: str | None = None,
                 max_response_bytes: int | None = DEFAULT_MAX_BYTES, max_connections: int = 20,
                 clock: Clock = SYSTEM_CLOCK, rng: Callable[[float, float], float] = random.uniform,
                 verify: bool = True, follow_redirects: bool = False) -> None:
        self.integration_id = integration_id
        self.timeouts = timeouts or Timeouts()
        self.rate_limiter = rate_limiter
        self.metrics = metrics or get_metrics(integration_id)
        self.breaker = (breaker or get_breaker(integration_id)) if use_breaker else None
        self.retry = retry or RetryPolicy()
        self._policy = _Policy(integration_id, self.breaker, self.metrics, max_response_bytes, clock, rng)
        self._httpx_options: dict[str, Any] = {
            "base_url": base_url, "auth": auth, "timeout": self.timeouts.to_httpx(),
            "headers": {"User-Agent": user_agent(contact), **(headers or {})},
            "limits": httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            "verify": verify, "follow_redirects": follow_redirects,
        }

    def health_details(self) -> dict[str, Any]:
        """Breaker and metrics, for ``IntegrationGateway.health()`` details."""
        return {"breaker": self.breaker.snapshot() if self.breaker else None, "metrics": self.metrics.snapshot()}

    def _series(self, method: str, url: str, timeout: float | Timeouts | None, idempotent: bool | None,
                retry: RetryPolicy | None, **parts: Any) -> _Series:
        """The request built (building sends nothing, in either client) and its series admitted by the breaker."""
        safe = is_idempotent(method) if idempotent is None else idempotent
        request = self._client.build_request(method, url, **parts, **self._request_kwargs(timeout))  # type: ignore[attr-defined]
        return _Series(self._policy, request, retry or self.retry, safe)

    def _request_kwargs(self, timeout: float | Timeouts | None) -> dict[str, Any]:
        if timeout is None:
            return {}
        if isinstance(timeout, Timeouts):
            return {"timeout": timeout.to_httpx()}
        base = self.timeouts
        return {"timeout": Timeouts(base.connect, float(timeout), base.write, base.pool).to_httpx()}


class HttpClient(_ClientOptions):
    """Synchronous resilient client; see the module docstring. Thread-safe; close it (or use ``with``)."""

    def __init__(self, base_url: str = "", *, transport: httpx.BaseTransport | None = None, **options: Any) -> None:
        super().__init__(base_url, **options)
        self._client = httpx.Client(transport=transport, **self._httpx_options)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _read(self, response: httpx.Response) -> None:
        policy = self._policy
        declared = policy.declared_too_large(response)
        if declared is not None:
            response.close()
            raise policy.too_large(declared)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if policy.max_response_bytes and size > policy.max_response_bytes:
                response.close()
                raise policy.too_large(size)
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what httpx's own read() does, with our cap in the loop
        response.close()

    def request(self, method: str, url: str, *, params: Any = None, json: Any = None, data: Any = None,
                content: Any = None, files: Any = None, headers: Mapping[str, str] | None = None,
                timeout: float | Timeouts | None = None, idempotent: bool | None = None,
                retry: RetryPolicy | None = None) -> httpx.Response:
        """Send with retries; return the response (status < 400) with its body read, or raise."""
        series = self._series(method, url, timeout, idempotent, retry, params=params, json=json, data=data,
                              content=content, files=files, headers=headers)
        request = series.request
        try:
            while True:
                series.attempt += 1
                if self.rate_limiter is not None:
                    self.rate_limiter.acquire()
                began = time.perf_counter()
                try:
                    response = self._client.send(request, stream=True)
                    self._read(response)
                    error, kind, retry_after = series.judge(response)
                except (httpx.HTTPError, exc.IntegrationError) as failure:
                    error, kind, retry_after = series.judge_failure(failure)
                finally:
                    self.metrics.record_attempt(time.perf_counter() - began)
                delay = series.next_delay(error, kind, retry_after)
                if delay is None:
                    return response
                self._policy.clock.sleep(delay)
        finally:
            series.close()

    def request_json(self, method: str, url: str, model: Any = Any, **kwargs: Any) -> Any:
        """``request`` and validate the JSON body against ``model`` (a pydantic model, type or TypeAdapter)."""
        response = self.request(method, url, **kwargs)
        return self._policy.validated(model, response)

    def get_json(self, url: str, model: Any = Any, **kwargs: Any) -> Any:
        return self.request_json("GET", url, model, **kwargs)

    def post_json(self, url: str, model: Any = Any, **kwargs: Any) -> Any:
        return self.request_json("POST", url, model, **kwargs)


class AsyncHttpClient(_ClientOptions):
    """Asynchronous twin of ``HttpClient``: same constructor and methods, awaited."""

    def __init__(self, base_url: str = "", *, transport: httpx.AsyncBaseTransport | None = None,
                 **options: Any) -> None:
        super().__init__(base_url, **options)
        self._client = httpx.AsyncClient(transport=transport, **self._httpx_options)

    async def __aenter__(self) -> AsyncHttpClient:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _read(self, response: httpx.Response) -> None:
        policy = self._policy
        declared = policy.declared_too_large(response)
        if declared is not None:
            await response.aclose()
            raise policy.too_large(declared)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if policy.max_response_bytes and size > policy.max_response_bytes:
                await response.aclose()
                raise policy.too_large(size)
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what httpx's own aread() does, with our cap in the loop
        await response.aclose()

    async def request(self, method: str, url: str, *, params: Any = None, json: Any = None, data: Any = None,
                      content: Any = None, files: Any = None, headers: Mapping[str, str] | None = None,
                      timeout: float | Timeouts | None = None, idempotent: bool | None = None,
                      retry: RetryPolicy | None = None) -> httpx.Response:
        """Send with retries; return the response (status < 400) with its body read, or raise."""
        series = self._series(method, url, timeout, idempotent, retry, params=params, json=json, data=data,
                              content=content, files=files, headers=headers)
        request = series.request
        try:
            while True:
                series.attempt += 1
                if self.rate_limiter is not None:
                    await self.rate_limiter.aacquire()
                began = time.perf_counter()
                try:
                    response = await self._client.send(request, stream=True)
                    await self._read(response)
                    error, kind, retry_after = series.judge(response)
                except (httpx.HTTPError, exc.IntegrationError) as failure:
                    error, kind, retry_after = series.judge_failure(failure)
                finally:
                    self.metrics.record_attempt(time.perf_counter() - began)
                delay = series.next_delay(error, kind, retry_after)
                if delay is None:
                    return response
                await self._policy.clock.asleep(delay)
        finally:
            series.close()

    async def request_json(self, method: str, url: str, model: Any = Any, **kwargs: Any) -> Any:
        response = await self.request(method, url, **kwargs)
        return self._policy.validated(model, response)

    async def get_json(self, url: str, model: Any = Any, **kwargs: Any) -> Any:
        return await self.request_json("GET", url, model, **kwargs)

    async def post_json(self, url: str, model: Any = Any, **kwargs: Any) -> Any:
        return await self.request_json("POST", url, model, **kwargs)
