"""The circuit breaker, alone and inside the HTTP client: open, refuse, one trial, recover."""

from __future__ import annotations

import pytest

from hi.integrations import exceptions as exc
from hi.integrations.client import (
    AsyncHttpClient,
    BreakerState,
    CircuitBreaker,
    FakeClock,
    HttpClient,
    RetryPolicy,
    Timeouts,
    get_breaker,
)
from hi.simulator.generic import GenericSimulator


def test_opens_after_threshold_consecutive_failures(clock: FakeClock) -> None:
    breaker = CircuitBreaker("x", failure_threshold=3, reset_timeout=30, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(exc.CircuitOpenError) as raised:
        breaker.before_call()
    assert raised.value.transient and raised.value.retry_at == clock.reading + 30


def test_a_success_resets_the_consecutive_count(clock: FakeClock) -> None:
    breaker = CircuitBreaker("x", failure_threshold=2, clock=clock)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def test_half_open_admits_exactly_one_trial(clock: FakeClock) -> None:
    breaker = CircuitBreaker("x", failure_threshold=1, reset_timeout=10, clock=clock)
    breaker.record_failure()
    clock.advance(10)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.before_call() is True
    with pytest.raises(exc.CircuitOpenError):
        breaker.before_call()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.before_call() is False


def test_failed_trial_reopens_for_a_full_timeout(clock: FakeClock) -> None:
    breaker = CircuitBreaker("x", failure_threshold=1, reset_timeout=10, clock=clock)
    breaker.record_failure()
    clock.advance(10)
    breaker.before_call()
    breaker.record_failure()
    snapshot = breaker.snapshot()
    assert snapshot["state"] == "open" and snapshot["opened_at"] == clock.reading
    assert snapshot["next_trial_at"] == clock.reading + 10 and snapshot["trips"] == 2


def test_registry_shares_one_breaker_per_integration() -> None:
    assert get_breaker("a") is get_breaker("a")
    assert get_breaker("a") is not get_breaker("b")


def _client_options(clock: FakeClock) -> dict:
    return {"integration_id": "brk", "clock": clock, "timeouts": Timeouts(connect=1, read=1),
            "retry": RetryPolicy(max_attempts=3, base_delay=0.1, budget=10),
            "breaker": CircuitBreaker("brk", failure_threshold=2, reset_timeout=30, clock=clock)}


def test_client_counts_one_exhausted_series_as_one_failure(sim: GenericSimulator, clock: FakeClock) -> None:
    sim.faults.set("error_burst", status=503)
    with HttpClient(sim.url, **_client_options(clock)) as client:
        with pytest.raises(exc.ServerError):
            client.get_json("/items")
        assert client.breaker.snapshot()["consecutive_failures"] == 1
        assert client.metrics.snapshot()["retries"] == 2
        with pytest.raises(exc.ServerError):
            client.get_json("/items")
        assert client.breaker.state is BreakerState.OPEN
        requests_before = len(sim.request_log)
        with pytest.raises(exc.CircuitOpenError):
            client.get_json("/items")
        assert len(sim.request_log) == requests_before, "an open breaker sends nothing"
        snapshot = client.health_details()
        assert snapshot["breaker"]["state"] == "open" and snapshot["metrics"]["breaker_trips"] == 1
        assert snapshot["metrics"]["rejected"] == 1


def test_client_recovers_through_a_single_trial_call(sim: GenericSimulator, clock: FakeClock) -> None:
    sim.faults.set("error_burst", status=503)
    with HttpClient(sim.url, **_client_options(clock)) as client:
        for _ in range(2):
            with pytest.raises(exc.ServerError):
                client.get_json("/items")
        clock.advance(30)
        before = len(sim.request_log)
        with pytest.raises(exc.ServerError):
            client.get_json("/items")
        assert len(sim.request_log) == before + 1, "the trial is one attempt, not a retry series"
        assert client.breaker.state is BreakerState.OPEN
        sim.faults.clear()
        clock.advance(30)
        assert client.get_json("/items")["items"]
        assert client.breaker.state is BreakerState.CLOSED


async def test_async_client_shares_the_breaker_and_recovers(asim: GenericSimulator, clock: FakeClock) -> None:
    asim.faults.set("error_burst", status=502)
    async with AsyncHttpClient(asim.url, **_client_options(clock)) as client:
        for _ in range(2):
            with pytest.raises(exc.ServerError):
                await client.get_json("/items")
        with pytest.raises(exc.CircuitOpenError):
            await client.get_json("/items")
        asim.faults.clear()
        clock.advance(31)
        assert (await client.get_json("/items"))["items"]
        assert client.breaker.state is BreakerState.CLOSED


def test_permanent_errors_do_not_open_the_breaker(sim: GenericSimulator, clock: FakeClock) -> None:
    sim.faults.set("unauthorized")
    with HttpClient(sim.url, **_client_options(clock)) as client:
        for _ in range(3):
            with pytest.raises(exc.AuthenticationError):
                client.get_json("/items")
        assert client.breaker.state is BreakerState.CLOSED


def test_snapshot_gives_wall_clock_times_for_health(clock: FakeClock) -> None:
    from datetime import datetime

    breaker = CircuitBreaker("x", failure_threshold=1, reset_timeout=60, clock=clock)
    assert breaker.snapshot()["opened_at_utc"] is None
    breaker.record_failure()
    snapshot = breaker.snapshot()
    opened = datetime.fromisoformat(snapshot["opened_at_utc"])
    trial = datetime.fromisoformat(snapshot["next_trial_at_utc"])
    assert (trial - opened).total_seconds() == 60 and snapshot["next_trial_in"] == 60
