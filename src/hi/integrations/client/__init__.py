"""The resilient client layer every integration talks to the outside through.

Public API (stable; changes are additive only)
=============================================

HTTP — ``HttpClient`` (sync) and ``AsyncHttpClient`` (async) share one constructor and method set::

    HttpClient(base_url, *, integration_id, auth=None, timeouts=Timeouts(connect=5, read=30),
               retry=RetryPolicy(), breaker=None (→ the integration's shared breaker), use_breaker=True,
               rate_limiter=None, metrics=None (→ shared per integration), headers=None,
               contact=None (User-Agent "hi/<version> (+contact)"), max_response_bytes=32 MiB,
               max_connections=20, clock=SYSTEM_CLOCK, transport=None, verify=True)
    .request(method, url, *, params, json, data, content, files, headers,
             timeout=None (float = read timeout, or Timeouts), idempotent=None, retry=None) -> httpx.Response
    .request_json(method, url, model, **same) -> validated model     (model: pydantic model/type/TypeAdapter)
    .get_json(url, model, **kw) / .post_json(url, model, **kw)
    .health_details() -> {"breaker": {...}, "metrics": {...}}        (put into IntegrationGateway.health())
    .close() / ``with``;   async: ``await .aclose()`` / ``async with``

  Timeouts: ``Timeouts.from_settings(django.conf.settings, read=...)`` reads ``HI_HTTP_CONNECT_TIMEOUT`` /
  ``HI_HTTP_READ_TIMEOUT`` (default 5 s / 30 s) — the integration passes them in (``hi.integrations.timeouts
  .configured()`` does that); this package never imports Django. A timeout error says how long it waited.

  Errors (``hi.integrations.exceptions``): refused/reset → IntegrationConnectionError, timeouts → IntegrationTimeoutError,
  5xx → ServerError (all transient); 401/403 → AuthenticationError; 429 → RateLimitedError(retry_after);
  other 4xx → RequestError(status_code); bad/oversized body → DataValidationError(field=...);
  breaker open → CircuitOpenError(retry_at). Retries: idempotent methods (or ``idempotent=True``) on
  connection failures and 408/429/502/503/504; requests that never reached the server always.

Auth (``httpx.Auth`` objects, work with both clients): ``BearerAuth`` (a fixed token),
``TokenLoginAuth`` (+ ``Token``, ``query_param``, ``bearer_header``; log in for an expiring token).

Resilience parts: ``RetryPolicy``, ``CircuitBreaker`` / ``get_breaker`` / ``reset_breakers``,
``TokenBucket``, ``ClientMetrics`` / ``get_metrics`` / ``reset_metrics``,
``Clock`` (``hi.utils.clock``; ``SYSTEM_CLOCK`` is real time) / ``FakeClock`` (tests).

Validation: ``parse(model, data)``, ``decode_json(bytes)``, ``parse_json(model, bytes)``.

WebSocket: ``WebSocketClient(url, *, integration_id, on_message, authenticate, on_connect, resync,
on_auth_failed, ping, ping_interval, ping_timeout, max_size, queue_size, ...)`` with ``start()``,
``stop()``, ``wait_connected()``, ``send_json()``, ``recv_json()`` (in ``authenticate``),
``send_command(payload) -> response``, ``snapshot()``; ``WsState``; ``protocol_ping``.

Recipes
-------
- ``test_connection`` with settings not yet saved: ``HttpClient(url, integration_id=..., use_breaker=False,
  retry=NO_RETRY, timeouts=Timeouts(connect=t, read=t))`` so a breaker opened by old settings cannot refuse it.
- Retry 500s too (NWS): ``RetryPolicy(retry_statuses=RETRY_STATUSES | {500})``.
- Health: ``HealthReport(..., details=client.health_details())``; ``breaker.snapshot()`` has ``state``,
  ``opened_at_utc``, ``next_trial_at_utc``, ``next_trial_in``; use ``error.message`` (already redacted).
- Tests: ``clock=FakeClock()`` makes backoff, ``Retry-After``, breaker timeouts and token expiry instant;
  ``reset_breakers()`` / ``reset_metrics()`` between tests; the simulators' ``faults`` drive failures.
"""

from hi.utils.clock import SYSTEM_CLOCK, Clock, FakeClock

from .auth import BearerAuth, Token, TokenLoginAuth, bearer_header, query_param
from .breaker import BreakerState, CircuitBreaker, get_breaker, reset_breakers
from .http import AsyncHttpClient, HttpClient, Timeouts, user_agent
from .metrics import ClientMetrics, get_metrics, reset_metrics
from .ratelimit import TokenBucket
from .retry import NO_RETRY, RETRY_STATUSES, RetryPolicy, is_idempotent, parse_retry_after
from .validation import decode_json, parse, parse_json
from .websocket import WebSocketClient, WsState, protocol_ping

__all__ = [
    "NO_RETRY", "RETRY_STATUSES", "SYSTEM_CLOCK", "AsyncHttpClient", "BearerAuth", "BreakerState", "CircuitBreaker",
    "ClientMetrics", "Clock", "FakeClock", "HttpClient", "RetryPolicy",
    "Timeouts", "Token", "TokenBucket", "TokenLoginAuth", "WebSocketClient", "WsState", "bearer_header",
    "decode_json", "get_breaker", "get_metrics", "is_idempotent", "parse", "parse_json",
    "parse_retry_after", "protocol_ping", "query_param", "reset_breakers", "reset_metrics", "user_agent",
]
