"""Events whose row commits after a higher id was read (commit-order inversion) are still delivered once.

On a real ZoneMinder several processes insert into one MariaDB table: ids are taken at INSERT, rows
become visible at COMMIT, so id 41 can appear after 42 was read. The simulator models that with
``visible=False`` + ``commit_event``; the poller must deliver such an event exactly once, keep doing so
across worker restarts, and keep each poll's cost bounded by its window rather than by history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import httpx
import pytest
from asgiref.sync import sync_to_async

from hi.integrations.sensor_response import SensorResponse
from hi.services.zoneminder.event_window import AWAIT_PATIENCE, MAX_WINDOW_IDS, CursorState, advance
from hi.services.zoneminder.models import EventCursor
from hi.services.zoneminder.zm_client import EventBatch
from hi.services.zoneminder.zm_models import EventsPage
from hi.simulator.zoneminder import ZoneMinderSimulator
from hi.utils.clock import ManualClock

from .conftest import Poller, at, events, state_value

pytestmark = pytest.mark.django_db(transaction=True)
SECOND = dt.timedelta(seconds=1)


def deliveries(responses: list[SensorResponse], role: str) -> Counter[int]:
    """How many times each ZoneMinder event id was handed to the pipeline as a start (or an end)."""
    return Counter(int(r.correlation.correlation_id) for r in responses
                   if r.correlation is not None and r.correlation.role == role
                   and not r.detail_attrs.get("deleted_in_zoneminder"))


def event_queries(sim: ZoneMinderSimulator, since: int) -> list[str]:
    return [path for _, path in sim.request_log[since:] if "/events/index" in path]


@sync_to_async
def cursor() -> EventCursor:
    return EventCursor.objects.get()


async def test_a_lower_id_committed_after_a_higher_one_was_read_is_delivered_exactly_once(imported, poller):
    start = at(20, imported)
    late = imported.state.add_event(1, start, start + 4 * SECOND, score=61, visible=False)
    early = imported.state.add_event(2, at(10, imported), at(9, imported))
    assert late < early
    await poller.poll()
    assert [int(e.correlation_id) for e in await events()] == [early]
    assert (await cursor()).last_event_id == early and list((await cursor()).awaited_event_ids) == [str(late)]

    imported.state.commit_event(late)  # the slower writer's transaction commits now
    await poller.poll()
    await poller.poll()
    found = {int(e.correlation_id): e for e in await events()}
    assert set(found) == {late, early}
    assert found[late].start == start and found[late].end == start + 4 * SECOND
    assert found[late].duration_seconds == 4.0 and found[late].details["max_score"] == 61
    assert deliveries(poller.submitted, "start") == {late: 1, early: 1}
    assert deliveries(poller.submitted, "end") == {late: 1, early: 1}
    assert (await cursor()).awaited_event_ids == {}


async def test_a_late_event_still_open_is_followed_until_it_ends(imported, poller):
    start = at(8, imported)
    late = imported.state.start_event(3, start, visible=False)
    imported.state.add_event(1, at(5, imported), at(4, imported))
    await poller.poll()
    imported.state.commit_event(late)
    await poller.poll()
    assert await state_value(3, "movement") == "active"
    imported.state.end_event(late, start + 30 * SECOND)
    await poller.poll()
    [event] = await events(3)
    assert event.end == start + 30 * SECOND and event.duration_seconds == 30.0
    assert deliveries(poller.submitted, "start")[late] == 1 and deliveries(poller.submitted, "end")[late] == 1


async def test_the_window_delivers_nothing_twice_across_worker_restarts(imported):
    record: list[SensorResponse] = []
    first = Poller(imported, record=record)
    await first.poll()  # baseline
    before = imported.state.add_event(1, at(30, imported), at(29, imported))
    late = imported.state.add_event(2, at(28, imported), at(26, imported), visible=False)
    after = [imported.state.add_event(3, at(25 - n, imported), at(24 - n, imported)) for n in range(3)]
    await first.poll()
    await first.close()  # the worker stops while ``late`` is still awaited

    second = Poller(imported, record=record)
    try:
        await second.poll()  # the window re-reads ``after`` but must not deliver it again
        imported.state.commit_event(late)
        await second.poll()
        await second.poll()
    finally:
        await second.close()
    third = Poller(imported, record=record)
    try:
        await third.poll()
    finally:
        await third.close()
    everyone = {before, late, *after}
    assert deliveries(record, "start") == dict.fromkeys(everyone, 1)
    assert deliveries(record, "end") == dict.fromkeys(everyone, 1)
    assert {int(e.correlation_id) for e in await events()} == everyone and len(await events()) == 5


async def test_poll_cost_with_an_awaited_id_does_not_grow_with_history(imported):
    async def requests_per_poll(sim: ZoneMinderSimulator) -> tuple[int, str]:
        worker = Poller(sim)
        try:
            await worker.poll()
            missing = sim.state.add_event(1, at(9, sim), at(8, sim), visible=False)
            for n in range(5):
                sim.state.add_event(2, at(7 - n, sim), at(6 - n, sim))
            await worker.poll()
            mark = len(sim.request_log)
            await worker.poll()  # the window still covers ``missing``: the five are re-read, not re-sent
            queries = event_queries(sim, mark)
            assert f"Id%20%3E:{missing - 1}" in queries[0]
            return len(sim.request_log) - mark, queries[0]
        finally:
            await worker.close()

    small, _ = await requests_per_poll(imported)
    await sync_to_async(EventCursor.objects.all().delete)()
    imported.state.seed_history(3000, [2, 3, 4])
    large, _ = await requests_per_poll(imported)
    assert small == large == 4  # one events page, monitors, states, daemon check


async def test_an_id_that_never_commits_is_given_up_after_the_window_and_the_query_narrows_again(imported, poller):
    missing = imported.state.add_event(1, at(5, imported), at(4, imported), visible=False)
    imported.state.add_event(2, at(3, imported), at(2, imported))
    await poller.poll()
    assert list((await cursor()).awaited_event_ids) == [str(missing)]
    base = at(200, imported)
    for n in range(MAX_WINDOW_IDS):
        imported.state.add_event(3, base + n * SECOND, base + n * SECOND)
    await poller.poll()
    state = await cursor()
    assert state.awaited_event_ids == {} and state.last_event_id == imported.state.next_event_id - 1
    mark = len(imported.request_log)
    await poller.poll()
    assert f"Id%20%3E:{state.last_event_id}" in event_queries(imported, mark)[0]
    assert len(await events()) == MAX_WINDOW_IDS + 1


async def test_an_awaited_id_is_given_up_after_the_patience_time(imported):
    clock = ManualClock(imported.state.now())
    worker = Poller(imported, clock=clock)
    try:
        await worker.poll()
        missing = imported.state.add_event(1, at(5, imported), at(4, imported), visible=False)
        imported.state.add_event(2, at(3, imported), at(2, imported))
        await worker.poll()
        clock.advance(AWAIT_PATIENCE.total_seconds() - 1)
        await worker.poll()
        assert list((await cursor()).awaited_event_ids) == [str(missing)]
        clock.advance(2)
        await worker.poll()
        assert (await cursor()).awaited_event_ids == {}
    finally:
        await worker.close()


async def test_the_simulator_test_api_hides_a_row_until_it_commits(sim):
    async with httpx.AsyncClient() as client:
        created = await client.post(f"{sim.url}/_sim/events", json={"monitor_id": 2, "visible": False})
        event_id = created.json()["id"]
        token = (await client.post(f"{sim.api_url}/host/login.json",
                                   data={"user": sim.username, "pass": sim.password})).json()["access_token"]
        hidden = await client.get(f"{sim.api_url}/events/{event_id}.json", params={"token": token})
        listed = await client.get(f"{sim.api_url}/events/index.json", params={"token": token})
        assert hidden.status_code == 404 and listed.json()["events"] == []
        assert (await client.post(f"{sim.url}/_sim/events/{event_id}/end")).status_code == 200
        assert (await client.post(f"{sim.url}/_sim/events/{event_id}/commit")).status_code == 200
        shown = await client.get(f"{sim.api_url}/events/{event_id}.json", params={"token": token})
        assert shown.json()["event"]["Event"]["Id"] == str(event_id)
        assert shown.json()["event"]["Event"]["EndDateTime"] is not None
        bad = await client.post(f"{sim.url}/_sim/events", json={"monitor_id": 99})
        assert bad.status_code == 400 and (await client.post(f"{sim.url}/_sim/events/999/commit")).status_code == 404


def test_a_malformed_row_counts_as_read_so_it_is_not_awaited_and_window_bounds_hold():
    """Pure bookkeeping (no server needed): what ``advance`` keeps awaiting after one read."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    page = EventsPage(events=[{"Event": {"Id": "12", "MonitorId": "x"}}, row(13), row(15)])
    batch = EventBatch(last_id=10)
    batch.add_page(page)
    step = advance(CursorState(10, awaited={}), batch, now)
    assert [e.Id for e in step.fresh] == [13, 15] and batch.malformed_ids == {12}
    assert step.last_event_id == 15 and set(step.awaited) == {11, 14}

    newest = 10 + MAX_WINDOW_IDS + 6  # a jump: only the last MAX_WINDOW_IDS ids below it can be awaited
    later = EventBatch(last_id=10)
    later.add_page(EventsPage(events=[row(13), row(14), row(15), row(newest)]))
    again = advance(CursorState(15, awaited=step.awaited), later, now + SECOND)
    assert [e.Id for e in again.fresh] == [14, newest]  # 13 and 15 were delivered before
    assert again.given_up == [11] and set(again.awaited) == set(range(newest - MAX_WINDOW_IDS + 1, newest))


def row(event_id: int) -> dict[str, object]:
    return {"Event": {"Id": str(event_id), "MonitorId": "1", "Cause": "Motion", "StartDateTime": "2026-01-01 00:00:00",
                      "EndDateTime": "2026-01-01 00:00:01", "Length": "1.00", "Frames": "5", "AlarmFrames": "2",
                      "TotScore": "80", "AvgScore": "40", "MaxScore": "40"}}


def test_the_integration_says_that_past_events_are_not_imported():
    """The first-run policy (start after the latest event) is visible to whoever configures it, not a surprise."""
    from hi.services.zoneminder.integration import ZoneMinderGateway

    gateway = ZoneMinderGateway()
    assert "Past events are not imported" in gateway.description
    assert "not imported" in gateway.health().details["event_history"]
