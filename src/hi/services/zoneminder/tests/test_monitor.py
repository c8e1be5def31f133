"""Events and status from the poller: every ZoneMinder event becomes exactly one Event here.

Polls are driven one by one (``await monitor.poll(context)``) against the simulator over a real
socket, with events placed at chosen times, so each case is exact rather than timing-dependent.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from asgiref.sync import sync_to_async

from hi.apps.event.models import Event
from hi.apps.monitor.context import WorkerContext
from hi.apps.sense.models import SensorHistory
from hi.integrations.client.http import Timeouts
from hi.integrations.exceptions import IntegrationConnectionError
from hi.integrations.models import Integration
from hi.services.zoneminder.models import EventCursor
from hi.services.zoneminder.monitors import ZoneMinderMonitor
from hi.utils.clock import ManualClock

from .conftest import Poller, at, events, fast_client, state_value

pytestmark = pytest.mark.django_db(transaction=True)
SECOND = dt.timedelta(seconds=1)


async def test_an_event_that_starts_and_ends_between_polls_is_one_complete_event(imported, poller):
    start = at(10, imported)
    zm_id = imported.state.add_event(2, start, start + 3 * SECOND, score=77)
    await poller.poll()
    [event] = await events()
    assert event.correlation_id == str(zm_id) and event.value == "active"
    assert event.start == start and event.end == start + 3 * SECOND and event.duration_seconds == 3.0
    assert event.details["event_id"] == zm_id and event.details["cause"] == "Motion"
    assert event.details["max_score"] == 77 and event.details["frames"] == 15
    assert await state_value(2, "movement") == "idle"
    history = await sync_to_async(list)(SensorHistory.objects.filter(
        sensor__integration_name="monitor.2.movement").order_by("response_at").values_list("value", flat=True))
    assert history == ["active", "idle"]


async def test_an_event_open_across_polls_stays_one_event_and_closes_with_its_duration(imported, poller):
    start = at(5, imported)
    zm_id = imported.state.start_event(1, start)
    await poller.poll()
    [event] = await events()
    assert event.end is None and await state_value(1, "movement") == "active"
    await poller.poll()
    await poller.poll()
    assert len(await events()) == 1
    imported.state.end_event(zm_id, start + 42 * SECOND)
    await poller.poll()
    [event] = await events()
    assert event.end == start + 42 * SECOND and event.duration_seconds == 42.0
    assert await state_value(1, "movement") == "idle"


async def test_back_to_back_and_overlapping_short_events_are_counted_exactly(imported, poller):
    base = at(60, imported)
    expected = set()
    for n in range(30):  # on one camera, each ends in the second the next one starts
        expected.add(imported.state.add_event(1, base + n * SECOND, base + (n + 1) * SECOND))
    for camera in (2, 3, 4):
        for n in range(10):
            expected.add(imported.state.add_event(camera, base + 2 * n * SECOND, base + (2 * n + 0.5) * SECOND))
    await poller.poll()
    found = await events()
    assert {int(e.correlation_id) for e in found} == expected and len(found) == len(expected)
    assert all(e.end is not None for e in found)
    assert await state_value(1, "movement") == "idle"


async def test_events_during_worker_downtime_are_read_from_the_persisted_cursor(imported, poller):
    before = imported.state.start_event(3, at(30, imported))
    await poller.poll()
    await poller.close()  # the worker stops
    imported.state.end_event(before, at(20, imported))
    during = [imported.state.add_event(1, at(15, imported), at(14, imported)),
              imported.state.add_event(2, at(12, imported), at(11, imported))]
    still_open = imported.state.start_event(4, at(10, imported))
    cursor = await sync_to_async(EventCursor.objects.get)()
    assert cursor.open_event_ids == [before]

    restarted = Poller(imported)
    try:
        await restarted.poll()
        await restarted.poll()
        found = {int(e.correlation_id): e for e in await events()}
        assert set(found) == {before, *during, still_open}
        assert found[before].end is not None and found[still_open].end is None
        assert all(found[i].end is not None for i in during)
    finally:
        await restarted.close()


async def test_reading_the_same_events_twice_creates_no_duplicates(imported, poller):
    ids = [imported.state.add_event(1, at(9 - n, imported), at(8 - n, imported)) for n in range(3)]
    await poller.poll()
    await sync_to_async(EventCursor.objects.update)(last_event_id=0)  # a crash before the cursor was saved
    replay = Poller(imported)
    try:
        await replay.poll()
    finally:
        await replay.close()
    assert sorted(int(e.correlation_id) for e in await events()) == ids


async def test_times_are_converted_from_the_server_time_zone(imported, poller):
    summer_noon_chicago = dt.datetime(2026, 7, 1, 17, 0, 0, tzinfo=dt.UTC)
    imported.state.add_event(1, summer_noon_chicago, summer_noon_chicago + 2 * SECOND)
    await poller.poll()
    [event] = await events()
    assert event.start == summer_noon_chicago  # ZoneMinder said "2026-07-01 12:00:00"


async def test_first_poll_skips_history_but_picks_up_an_open_event(imported):
    for n in range(20):
        imported.state.add_event(1, at(100 - n, imported), at(99 - n, imported))
    open_id = imported.state.start_event(2, at(3, imported))
    worker = Poller(imported)
    try:
        await worker.poll()
    finally:
        await worker.close()
    [event] = await events()
    assert event.correlation_id == str(open_id) and event.end is None


async def test_poll_cost_does_not_grow_with_history(imported, poller):
    imported.state.start_event(1, at(2, imported))
    await poller.poll()
    mark = len(imported.request_log)
    await poller.poll()
    small = imported.request_log[mark:]
    imported.state.seed_history(3000, [2, 3, 4])
    await sync_to_async(EventCursor.objects.update)(last_event_id=imported.state.next_event_id - 1)
    fresh = Poller(imported)
    try:
        await fresh.poll()
        mark = len(imported.request_log)
        await fresh.poll()
        large = imported.request_log[mark:]
    finally:
        await fresh.close()
    assert len(small) == len(large) == 5  # new events, the open one, monitors, states, daemon check
    assert any("Id%20%3E" in path or "Id >" in path for _, path in large)


async def test_function_and_connection_follow_zoneminder(imported, poller):
    imported.state.edit_monitor(2, "Record", None)
    imported.state.monitors[3].connected = False
    await poller.poll()
    assert await state_value(2, "function") == "Record"
    assert await state_value(3, "connection") == "disconnected"
    disconnections = await sync_to_async(list)(Event.objects.filter(entity_state__state_key="connection"))
    assert len(disconnections) == 1 and disconnections[0].end is None


async def test_token_expiry_mid_run_is_invisible_to_event_delivery(imported, poller):
    logins = imported.state.logins
    imported.state.advance_time(7300)
    zm_id = imported.state.add_event(1, at(2, imported), at(1, imported))
    await poller.poll()
    assert [e.correlation_id for e in await events()] == [str(zm_id)]
    assert imported.state.logins == logins + 1  # one new login, not one per concurrent request


async def test_a_5xx_burst_is_ridden_out(imported, poller):
    zm_id = imported.state.add_event(1, at(2, imported), at(1, imported))
    imported.faults.set("error_burst", status=503, count=3)
    await poller.poll()
    assert [e.correlation_id for e in await events()] == [str(zm_id)]


async def test_a_stall_fails_the_poll_and_the_next_one_catches_up(imported):
    worker = Poller(imported, timeouts=Timeouts(connect=1, read=0.2))
    try:
        await worker.poll()
        zm_id = imported.state.add_event(1, at(2, imported), at(1, imported))
        imported.faults.set("stall", seconds=1.0)
        with pytest.raises(IntegrationConnectionError):
            await worker.poll()
        imported.faults.clear()
        await worker.poll()
        assert [e.correlation_id for e in await events()] == [str(zm_id)]
    finally:
        await worker.close()


async def test_a_zoneminder_restart_closes_open_events_and_polling_recovers(imported, poller):
    zm_id = imported.state.start_event(1, at(5, imported))
    await poller.poll()
    await imported.stop()
    with pytest.raises(IntegrationConnectionError):
        await poller.poll()
    imported.state.change_state("stop")  # zmpkg stop closes the open event
    imported.state.change_state("start")
    await imported.start()
    after = imported.state.add_event(2, at(1, imported), imported.state.now())
    await poller.poll()
    found = {int(e.correlation_id): e for e in await events()}
    assert set(found) == {zm_id, after} and found[zm_id].end is not None


async def test_the_run_loop_says_why_within_one_cycle_and_recovers_on_its_own(imported):
    clock = ManualClock()
    context = WorkerContext("zoneminder", imported.integration_attributes(), clock=clock)
    client = fast_client(imported)
    task = asyncio.create_task(ZoneMinderMonitor(interval_seconds=2.0, client=client).run(context))

    async def health_after_cycle(sleeps: int) -> Integration:
        await clock.wait_for_sleepers(sleeps)
        return await Integration.objects.aget(integration_id="zoneminder")

    try:
        assert (await health_after_cycle(1)).health_status == "healthy"
        imported.faults.set("error_burst", status=503, count=1000)
        clock.advance(2.0)
        failing = await health_after_cycle(2)
        assert failing.health_status == "warning" and "503" in failing.health_message
        imported.faults.clear()
        zm_id = imported.state.add_event(1, at(2, imported), at(1, imported))
        clock.advance(2.0)
        assert (await health_after_cycle(3)).health_status == "healthy"
        assert [e.correlation_id for e in await events()] == [str(zm_id)]
        assert clock.sleep_calls[0] == 2.0  # fixed rate: no wall time passes on the manual clock
    finally:
        context.stop_event.set()
        await task
        await client.aclose()


async def test_an_open_event_deleted_in_zoneminder_is_closed_not_left_open(imported, poller):
    zm_id = imported.state.start_event(2, at(5, imported))
    await poller.poll()
    with imported.state.lock:  # a user deletes the event in ZoneMinder's console
        imported.state.events_by_id.pop(zm_id)
        imported.state.open_by_monitor.pop(2)
    await poller.poll()
    [event] = await events()
    assert event.end is not None and event.details["deleted_in_zoneminder"] is True
    assert await state_value(2, "movement") == "idle"
    assert (await sync_to_async(EventCursor.objects.get)()).open_event_ids == []
