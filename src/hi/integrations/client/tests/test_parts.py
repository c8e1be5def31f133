"""The small parts on their own: retry policy, Retry-After, token bucket, validation, metrics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter

from hi.integrations import exceptions as exc
from hi.integrations.client import (
    ClientMetrics,
    FakeClock,
    HttpClient,
    RetryPolicy,
    Timeouts,
    TokenBucket,
    decode_json,
    is_idempotent,
    parse,
    parse_json,
    parse_retry_after,
    user_agent,
)
from hi.utils.redaction import redact


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    ceilings = [policy.backoff(attempt, lambda low, high: high) for attempt in range(1, 6)]
    assert ceilings == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.backoff(3, lambda low, high: low) == 0.0


def test_retry_after_within_the_cap_is_obeyed_and_beyond_it_gives_up() -> None:
    policy = RetryPolicy(retry_after_cap=30)
    assert policy.delay(1, 12.0) == 12.0
    assert policy.delay(1, 31.0) is None


def test_parse_retry_after_seconds_and_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None and parse_retry_after("") is None


def test_idempotent_methods() -> None:
    assert all(is_idempotent(m) for m in ("GET", "head", "PUT", "DELETE", "OPTIONS"))
    assert not is_idempotent("POST") and not is_idempotent("PATCH")


def test_user_agent_names_version_and_contact() -> None:
    assert user_agent().startswith("hi/0.") and user_agent("a@b.c").endswith("(+a@b.c)")


def test_token_bucket_allows_a_burst_then_waits_on_the_clock(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=2, capacity=3, clock=clock)
    for _ in range(3):
        bucket.acquire()
    assert clock.sleeps == []
    bucket.acquire()
    assert clock.sleeps == [0.5]


def test_token_bucket_can_refuse_instead_of_waiting(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=1, capacity=1, block=False, clock=clock, integration_id="x")
    bucket.acquire()
    with pytest.raises(exc.RateLimitedError) as raised:
        bucket.acquire()
    assert raised.value.retry_after == 1.0 and raised.value.transient
    clock.advance(1.0)
    bucket.acquire()


async def test_token_bucket_async_waits(clock: FakeClock) -> None:
    bucket = TokenBucket(rate=10, capacity=1, clock=clock)
    await bucket.aacquire()
    await bucket.aacquire()
    assert clock.sleeps == [pytest.approx(0.1)]


class Monitor(BaseModel):
    Id: int
    Name: str


class Wrapped(BaseModel):
    Monitor: Monitor


class Monitors(BaseModel):
    monitors: list[Wrapped]


def test_validation_error_names_the_field_path() -> None:
    data = {"monitors": [{"Monitor": {"Id": str(n), "Name": "m"}} for n in range(3)]
            + [{"Monitor": {"Id": "x", "Name": "m"}}]}
    with pytest.raises(exc.DataValidationError) as raised:
        parse(Monitors, data, integration_id="zm")
    assert raised.value.field == "monitors.3.Monitor.Id"
    assert "monitors.3.Monitor.Id" in str(raised.value) and raised.value.integration_id == "zm"


def test_missing_field_is_named_too() -> None:
    with pytest.raises(exc.DataValidationError) as raised:
        parse(list[Monitor], [{"Id": 1}])
    assert raised.value.field == "0.Name"


def test_parse_accepts_types_and_type_adapters() -> None:
    assert parse(list[int], ["1", 2]) == [1, 2]
    assert parse(TypeAdapter(dict[str, int]), {"a": "3"}) == {"a": 3}


@pytest.mark.parametrize("body", [b"<html>oops</html>", b'{"monitors": [', b"", b"   ", b"\xff\xfe"])
def test_non_json_and_truncated_bodies_are_data_validation_errors(body: bytes) -> None:
    with pytest.raises(exc.DataValidationError):
        decode_json(body)


def test_size_cap_on_payloads() -> None:
    with pytest.raises(exc.DataValidationError, match="limit"):
        parse_json(dict, b'{"a": "' + b"x" * 100 + b'"}', max_bytes=50)


def test_metrics_percentiles_from_a_bounded_reservoir() -> None:
    metrics = ClientMetrics("m", reservoir_size=100)
    for ms in range(1, 1001):
        metrics.record_attempt(ms / 1000)
    snapshot = metrics.snapshot()
    assert snapshot["requests"] == 1000
    assert len(metrics._latency._samples) == 100
    p = snapshot["latency_ms"]
    assert p["p50"] <= p["p95"] <= p["p99"] and 200 <= p["p50"] <= 800


def test_metrics_snapshot_when_empty() -> None:
    assert ClientMetrics("m").snapshot()["latency_ms"] == {"p50": None, "p95": None, "p99": None}


def test_redaction_masks_tokens_in_urls_and_headers() -> None:
    text = "GET http://zm/api/monitors.json?token=abc.def-123&x=1 Authorization: Bearer eyJhbGciOi"
    cleaned = redact(text)
    assert "abc.def-123" not in cleaned and "eyJhbGciOi" not in cleaned and "x=1" in cleaned


def test_fake_clock_async_sleep_yields(clock: FakeClock) -> None:
    asyncio.run(clock.asleep(2))
    assert clock.reading == 1002.0


def test_timeouts_from_settings_with_overrides() -> None:
    class Settings:
        HI_HTTP_READ_TIMEOUT = 12.0
        HI_HTTP_CONNECT_TIMEOUT = 3.0

    assert Timeouts.from_settings(Settings()) == Timeouts(connect=3.0, read=12.0)
    assert Timeouts.from_settings(Settings(), read=60.0).read == 60.0
    assert Timeouts.from_settings(object()) == Timeouts(connect=5.0, read=30.0)


def test_undecodable_body_is_a_data_validation_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip at all", headers={"Content-Encoding": "gzip"})

    with HttpClient("http://x", integration_id="decode", transport=httpx.MockTransport(answer)) as client, \
            pytest.raises(exc.DataValidationError):
        client.get_json("/")


def test_no_django_import_in_the_client_layer() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    import hi

    src = str(Path(hi.__file__).resolve().parent.parent)
    code = ("import sys, hi.integrations.client; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": src}
    assert subprocess.run([sys.executable, "-c", code], check=False, env=env).returncode == 0


def test_client_waits_for_its_rate_limiter(clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True})

    bucket = TokenBucket(rate=2, capacity=1, clock=clock)
    with HttpClient("http://x", integration_id="limited", transport=httpx.MockTransport(answer),
                    rate_limiter=bucket, clock=clock) as client:
        for _ in range(3):
            assert client.get_json("/") == {"ok": True}
    assert clock.sleeps == [0.5, 0.5]


def test_a_login_answered_with_a_redirect_is_a_request_error_not_a_success() -> None:
    login = httpx.Request("POST", "http://x/login")

    class RedirectedLogin(httpx.Auth):
        def auth_flow(self, request: httpx.Request):  # type: ignore[override]
            raise httpx.HTTPStatusError("redirected", request=login,
                                        response=httpx.Response(302, request=login))
            yield request

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": True})

    with HttpClient("http://x", integration_id="login-redirect", transport=httpx.MockTransport(answer),
                    auth=RedirectedLogin(), use_breaker=False) as client, \
            pytest.raises(exc.RequestError) as raised:
        client.get_json("/")
    assert raised.value.status_code == 302 and "/login" in raised.value.message
