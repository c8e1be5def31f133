"""The typed client: validated payloads, the token life cycle, keyset event paging and faults."""

from __future__ import annotations

import pytest

from hi.integrations.exceptions import AuthenticationError, DataValidationError
from hi.services.zoneminder.zm_client import AsyncZoneMinderClient, ZmSettings, events_path
from hi.services.zoneminder.zm_models import MonitorFunction
from hi.utils.clock import FakeClock

from .conftest import fast_client, settings_for


def test_event_filters_become_url_encoded_path_segments():
    assert events_path([("Id", ">", 12), ("MonitorId", "=", 3)]) == "events/index/Id%20%3E:12/MonitorId:3.json"
    assert events_path([]) == "events/index.json"


async def test_string_numbers_become_typed_values(sim):
    client = fast_client(sim)
    try:
        entry = (await client.monitors()).monitors[0]
        assert entry.Monitor.Id == 1 and entry.Monitor.Enabled is True
        assert entry.Monitor.Function is MonitorFunction.MODECT and entry.Monitor_Status.connected
    finally:
        await client.aclose()


async def test_expired_token_mid_run_means_one_new_login_and_the_call_succeeds(sim):
    client = fast_client(sim)
    try:
        await client.monitors()
        assert sim.state.logins == 1
        sim.state.advance_time(7300)  # the server says the token expired; the client's clock disagrees
        assert len((await client.monitors()).monitors) == 4
        assert sim.state.logins == 2
    finally:
        await client.aclose()


async def test_token_is_refreshed_before_it_expires(sim):
    clock = FakeClock()
    client = AsyncZoneMinderClient(settings_for(sim), clock=clock)
    try:
        await client.version()
        clock.advance(7200 - 200)  # inside the refresh margin
        await client.version()
        assert sim.state.refreshes == 1 and sim.state.logins == 1
    finally:
        await client.aclose()


async def test_wrong_password_is_an_authentication_error_without_the_password(sim):
    settings = ZmSettings(sim.api_url, sim.portal_url, "admin", "hunter2-wrong")
    client = AsyncZoneMinderClient(settings, use_breaker=False)
    try:
        with pytest.raises(AuthenticationError) as caught:
            await client.monitors()
        assert "hunter2-wrong" not in str(caught.value)
    finally:
        await client.aclose()


async def test_keyset_paging_reads_every_new_event_once(sim):
    for _ in range(250):
        sim.state.add_event(1, sim.state.now(), sim.state.now())
    client = fast_client(sim)
    try:
        batch = await client.events_after(10, limit=100)
        assert [e.Id for e in batch.events] == list(range(11, 251)) and batch.last_id == 250
    finally:
        await client.aclose()


async def test_a_5xx_burst_is_retried(sim):
    client = fast_client(sim)
    try:
        await client.version()
        sim.faults.set("error_burst", status=503, count=2)
        assert len((await client.monitors()).monitors) == 4
    finally:
        await client.aclose()


async def test_schema_drift_names_the_field(sim):
    client = fast_client(sim)
    try:
        await client.version()
        sim.faults.set("schema_drift", rename={"Function": "Mode"}, paths=["/zm/api/monitors.json"])
        with pytest.raises(DataValidationError) as caught:
            await client.monitors()
        assert caught.value.field == "monitors.0.Monitor.Function"
    finally:
        await client.aclose()


async def test_one_malformed_event_is_skipped_but_the_cursor_passes_it(sim):
    for _ in range(3):
        sim.state.add_event(1, sim.state.now(), sim.state.now())
    sim.state.events[1].cause = None  # type: ignore[assignment]  # a row the schema rejects
    client = fast_client(sim)
    try:
        batch = await client.events_after(0)
        assert [e.Id for e in batch.events] == [1, 3] and batch.skipped == 1 and batch.last_id == 3
    finally:
        await client.aclose()
