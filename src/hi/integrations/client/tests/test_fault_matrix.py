"""Each simulator fault against both HTTP clients: the right exception, transient flag and retry count.

Real loopback sockets, a fake clock for backoff (so nothing waits), no sleeps as synchronisation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

from hi.integrations import exceptions as exc
from hi.integrations.client import AsyncHttpClient, BearerAuth, FakeClock, HttpClient, Timeouts
from hi.simulator.generic import GenericSimulator

from .conftest import FAST_RETRY


class Item(BaseModel):
    Id: int
    Name: str


class Items(BaseModel):
    items: list[Item]


@dataclass(frozen=True)
class Case:
    """One fault: its spec, the outcome expected, and how many retries the client should make."""

    fault: str
    params: dict[str, Any] = field(default_factory=dict)
    error: type[exc.IntegrationError] | None = None
    transient: bool | None = None
    retries: int = 0
    field: str | None = None
    read_timeout: float = 5.0  # generous: an answer from a loaded machine is an answer, not a timeout


CASES = [
    Case("error_burst", {"status": 503, "count": 2}, None, None, retries=2),
    Case("error_burst", {"status": 502}, exc.ServerError, True, retries=3),
    Case("error_burst", {"status": 500, "count": 1}, exc.ServerError, True, retries=0),
    Case("rate_limit", {"retry_after": 2, "count": 1}, None, None, retries=1),
    Case("rate_limit", {"retry_after": 3600}, exc.RateLimitedError, True, retries=0),
    Case("unauthorized", {}, exc.AuthenticationError, False, retries=0),
    Case("non_json", {}, exc.DataValidationError, False, retries=0),
    Case("truncated_json", {}, exc.DataValidationError, False, retries=0),
    Case("schema_drift", {"rename": {"Id": "ID"}}, exc.DataValidationError, False, retries=0, field="items.0.Id"),
    Case("oversized", {"bytes": 300_000}, exc.DataValidationError, False, retries=0),
    Case("reset", {}, exc.IntegrationConnectionError, True, retries=3),
    Case("reset", {"count": 1}, None, None, retries=1),
    Case("stall", {"seconds": 1}, exc.IntegrationTimeoutError, True, retries=3, read_timeout=0.25),
    Case("refuse", {}, exc.IntegrationConnectionError, True, retries=3),
]
IDS = [f"{case.fault}-{'ok' if case.error is None else case.error.__name__}-{i}" for i, case in enumerate(CASES)]
SECRET = "sekrit-bearer-token-value"


def _options(clock: FakeClock, integration_id: str, read_timeout: float = 5.0) -> dict[str, Any]:
    return {"integration_id": integration_id, "retry": FAST_RETRY, "clock": clock,
            "timeouts": Timeouts(connect=1.0, read=read_timeout), "max_response_bytes": 200_000,
            "auth": BearerAuth(SECRET)}


def _check(case: Case, outcome: Any, client: HttpClient | AsyncHttpClient, caplog: pytest.LogCaptureFixture,
           sim: GenericSimulator) -> None:
    metrics = client.metrics.snapshot()
    if case.error is None:
        assert isinstance(outcome, Items) and outcome.items[0].Id == 1
        assert metrics["failures"] == 0
    else:
        assert type(outcome) is case.error, outcome
        assert outcome.transient is case.transient
        assert metrics["failures"] == 1
        if case.field:
            assert outcome.field == case.field and case.field in outcome.message
    assert metrics["retries"] == case.retries
    assert metrics["requests"] == case.retries + 1
    text = caplog.text + (str(outcome) if isinstance(outcome, Exception) else "")
    assert SECRET not in text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sync_client_under_fault(case: Case, sim: GenericSimulator, clock: FakeClock,
                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hi")
    sim.faults.set(case.fault, **case.params)
    with HttpClient(sim.url, **_options(clock, "matrix-sync", case.read_timeout)) as client:
        try:
            outcome: Any = client.get_json("/items", Items)
        except exc.IntegrationError as error:
            outcome = error
        _check(case, outcome, client, caplog, sim)
        sim.faults.clear()
        assert client.get_json("/items", Items).items, "recovers once the fault is gone"


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_async_client_under_fault(case: Case, asim: GenericSimulator, clock: FakeClock,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hi")
    if case.fault == "refuse":
        await asim.faults.apply({"refuse": case.params}, asim)
    else:
        asim.faults.set(case.fault, **case.params)
    async with AsyncHttpClient(asim.url, **_options(clock, "matrix-async", case.read_timeout)) as client:
        try:
            outcome: Any = await client.get_json("/items", Items)
        except exc.IntegrationError as error:
            outcome = error
        _check(case, outcome, client, caplog, asim)
        await asim.faults.apply({"clear": True}, asim)
        assert (await client.get_json("/items", Items)).items, "recovers once the fault is gone"


def test_retry_after_is_waited_on_the_clock(sim: GenericSimulator, clock: FakeClock) -> None:
    sim.faults.set("rate_limit", retry_after=4, count=1)
    with HttpClient(sim.url, **_options(clock, "retry-after")) as client:
        client.get_json("/items", Items)
    assert clock.sleeps == [4.0]


def test_retry_after_http_date_is_understood(sim: GenericSimulator, clock: FakeClock) -> None:
    sim.faults.set("rate_limit", retry_after=5, http_date=True, count=1)
    with HttpClient(sim.url, **_options(clock, "retry-after-date")) as client:
        client.get_json("/items", Items)
    assert len(clock.sleeps) == 1 and 3.0 <= clock.sleeps[0] <= 5.0


def test_post_is_not_retried_after_it_may_have_reached_the_server(sim: GenericSimulator, clock: FakeClock) -> None:
    sim.faults.set("error_burst", status=503, count=1)
    with HttpClient(sim.url, **_options(clock, "post")) as client:
        with pytest.raises(exc.ServerError):
            client.request("POST", "/items", json={"Name": "x"})
        assert client.metrics.snapshot()["retries"] == 0
        sim.faults.set("error_burst", status=503, count=1)
        client.request("POST", "/items", json={"Name": "y"}, idempotent=True)
    assert sim.posted == [{"Name": "y"}]


def test_post_is_retried_when_the_connection_was_refused(sim: GenericSimulator, clock: FakeClock) -> None:
    """A refused connect never reached the server, so even a POST may be repeated."""
    sim.faults.set("refuse")
    with HttpClient(sim.url, **_options(clock, "post-refused")) as client:
        with pytest.raises(exc.IntegrationConnectionError):
            client.request("POST", "/items", json={"Name": "x"})
        assert client.metrics.snapshot()["retries"] == 3
    assert sim.posted == []


def test_retry_budget_bounds_the_total_wait(sim: GenericSimulator) -> None:
    clock = FakeClock()
    sim.faults.set("rate_limit", retry_after=8)
    options = {**_options(clock, "budget"), "retry": FAST_RETRY.__class__(max_attempts=10, budget=20.0,
                                                                        retry_after_cap=10.0)}
    with HttpClient(sim.url, **options) as client, pytest.raises(exc.RateLimitedError) as raised:
        client.get_json("/items")
    assert sum(clock.sleeps) <= 20.0 and clock.sleeps == [8.0, 8.0]
    assert raised.value.retry_after == 8.0


def test_404_is_a_request_error_with_its_status(sim: GenericSimulator, clock: FakeClock) -> None:
    with HttpClient(sim.url, **_options(clock, "404")) as client, pytest.raises(exc.RequestError) as raised:
        client.get_json("/items/99")
    assert raised.value.status_code == 404 and not raised.value.transient


def test_user_agent_names_hi_and_contact(sim: GenericSimulator, clock: FakeClock) -> None:
    seen: list[str] = []
    with HttpClient(sim.url, contact="ops@example.org", **_options(clock, "ua")) as client:
        response = client.request("GET", "/items")
        seen.append(response.request.headers["User-Agent"])
    assert seen[0].startswith("hi/") and "(+ops@example.org)" in seen[0]
