"""Control: function and run state go through the API, are recorded, and the next poll confirms them."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import sync_to_async

from hi.apps.control.dispatch import dispatch_control
from hi.apps.control.models import ControllerHistory
from hi.apps.monitor.context import WorkerContext
from hi.integrations.exceptions import ControlError
from hi.integrations.sync.engine import run_sync
from hi.services.zoneminder.monitors import ZoneMinderMonitor

from .conftest import configure, fast_client

pytestmark = pytest.mark.django_db(transaction=True)


async def poll_once(sim) -> None:
    monitor = ZoneMinderMonitor(client=fast_client(sim))
    monitor.prepare(sim.integration_attributes())
    try:
        await monitor.poll(WorkerContext("zoneminder", sim.integration_attributes()))
    finally:
        await monitor.client.aclose()


@sync_to_async
def setup(sim) -> None:
    configure(sim)
    run_sync("zoneminder")


@sync_to_async
def history(pk: int) -> ControllerHistory:
    return ControllerHistory.objects.get(pk=pk)


control = sync_to_async(dispatch_control)


async def test_function_change_is_sent_then_confirmed_by_the_next_poll(threaded_sim):
    await setup(threaded_sim)
    record = await control("zoneminder:monitor.2.function", "Record", "test:alice")
    assert record.outcome == "sent" and record.requested_by == "test:alice" and record.latency_ms is not None
    assert threaded_sim.state.monitors[2].function == "Record"
    await poll_once(threaded_sim)
    confirmed = await history(record.pk)
    assert confirmed.outcome == "confirmed" and confirmed.confirmed_at is not None


async def test_run_state_change_reaches_zoneminder_and_is_confirmed(threaded_sim):
    await setup(threaded_sim)
    record = await control("zoneminder:server.run_state", "Away", "test:bob")
    assert threaded_sim.state.active_state_name == "Away"
    assert all(m.function == "Modect" for m in threaded_sim.state.monitors.values())
    await poll_once(threaded_sim)
    assert (await history(record.pk)).outcome == "confirmed"
    stop = await control("zoneminder:server.run_state", "stop", "test:bob")
    assert threaded_sim.state.daemons_running is False
    await poll_once(threaded_sim)
    assert (await history(stop.pk)).outcome == "confirmed"


async def test_a_value_outside_the_functions_is_refused_before_zoneminder_is_asked(threaded_sim):
    await setup(threaded_sim)
    posts_before = sum(1 for method, _ in threaded_sim.request_log if method == "POST")
    with pytest.raises((ValueError, ControlError)):
        await control("zoneminder:monitor.1.function", "Party", "test:carol")
    assert threaded_sim.state.monitors[1].function == "Modect"
    assert sum(1 for method, _ in threaded_sim.request_log if method == "POST") == posts_before


async def test_zoneminder_down_records_a_failed_request(threaded_sim):
    await setup(threaded_sim)
    threaded_sim.faults.set("error_burst", status=500, count=5)
    record = await control("zoneminder:monitor.1.function", "Nodect", "test:dave")
    assert record.outcome == "failed" and "500" in record.message


async def test_a_stalled_zoneminder_fails_a_control_within_the_configured_read_timeout(threaded_sim, settings):
    from urllib.parse import urlsplit

    await setup(threaded_sim)
    settings.HI_HTTP_READ_TIMEOUT = 0.5
    monitors_path = urlsplit(threaded_sim.api_url).path.rstrip("/") + "/monitors/"
    threaded_sim.faults.set("stall", seconds=5, count=1, paths=[monitors_path])
    started = time.monotonic()
    record = await control("zoneminder:monitor.2.function", "Record", "test")
    waited = time.monotonic() - started
    assert record.outcome == "failed" and "read timeout (nothing within 0.5 s)" in record.message, record.message
    assert 0.45 <= waited < 3.0  # the configured 0.5 s, not the client's own 30 s (nor the simulator's 5 s stall)
